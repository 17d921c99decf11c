// Markdown rendering of a diagnosis, for pasting into an incident ticket or a PR.

import type { Diagnosis } from "../engine.js";

export function renderDiagnosisMarkdown(d: Diagnosis): string {
  const out: string[] = [];
  out.push(`# godiag diagnosis: ${d.target}`, "");
  const facts = [d.goVersion && `Go ${d.goVersion.replace(/^go/, "")}`, d.captureTime && `captured ${d.captureTime}`];
  if (facts.some(Boolean)) out.push(facts.filter(Boolean).join(" · "), "");
  const serious = d.findings.filter((f) => f.severity !== "info");
  out.push(
    serious.length === 0
      ? "**Verdict: no problem found.**"
      : `**Verdict: ${serious[0]!.title}** (${serious.length} finding${serious.length > 1 ? "s" : ""} above info)`,
    "",
  );
  if (d.findings.length) {
    out.push("| # | severity | category | finding |", "|---|---|---|---|");
    d.findings.forEach((f, i) => out.push(`| ${i + 1} | ${f.severity} | ${f.category} | ${escape(f.title)} |`));
    out.push("");
  }
  d.findings.forEach((f, i) => {
    out.push(`## ${i + 1}. ${escape(f.title)}`, "");
    out.push(`*${f.severity}, ${f.category}, confidence ${f.confidence.toFixed(2)}*`, "", f.summary, "");
    out.push("**Evidence**", "");
    for (const e of f.evidence) {
      const nums = Object.entries(e.numbers).map(([k, v]) => `${k}=${v}`).join(", ");
      out.push(`- ${e.kind} (\`${e.source}\`): ${nums}`);
      if (e.excerpt) out.push("", "  ```", ...e.excerpt.split("\n").map((l) => `  ${l}`), "  ```");
    }
    out.push("", `**Fix:** ${f.recommendation}`, "");
    if (f.functions.length) out.push(`Functions: ${f.functions.map((fn) => `\`${fn}\``).join(", ")}`, "");
  });
  if (d.warnings.length) out.push("## Input warnings", "", ...d.warnings.map((w) => `- ${w}`), "");
  return out.join("\n");
}

function escape(s: string): string {
  return s.replace(/\|/g, "\\|");
}
