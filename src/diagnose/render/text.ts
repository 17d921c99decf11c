// Terminal rendering of a diagnosis: verdict first, then each finding with its
// numbers and the fix, wrapped to 100 columns. Colour only when asked (TTY).

import type { Diagnosis } from "../engine.js";
import { evidenceSources, type Finding, type Severity } from "../finding.js";

const WIDTH = 100;

const ANSI: Record<Severity | "dim" | "bold" | "reset", string> = {
  critical: "\x1b[1;31m",
  warning: "\x1b[1;33m",
  info: "\x1b[36m",
  dim: "\x1b[2m",
  bold: "\x1b[1m",
  reset: "\x1b[0m",
};

export function renderDiagnosisText(d: Diagnosis, opts: { color?: boolean; verbose?: boolean } = {}): string {
  const c = (k: keyof typeof ANSI, s: string) => (opts.color ? `${ANSI[k]}${s}${ANSI.reset}` : s);
  const out: string[] = [];
  const facts = [d.goVersion, d.captureTime ? `captured ${d.captureTime.replace("T", " ").replace(/\.\d+Z$/, "Z")}` : ""]
    .filter(Boolean)
    .join(", ");
  out.push(c("bold", `godiag diagnose: ${d.target}`) + (facts ? ` (${facts})` : ""));
  out.push(...wrap(`Read: ${describeInputs(d)}`, WIDTH, ""));
  out.push("");
  const shown = opts.verbose ? d.findings : d.findings.filter((f) => f.severity !== "info" || d.findings.length <= 3);
  out.push(...wrap(c("bold", verdict(d)), WIDTH, ""));
  const number = new Map(d.findings.map((f, i) => [f.id, i + 1]));
  for (const f of shown) {
    out.push("");
    out.push(...renderFinding(f, number, c));
  }
  const hidden = d.findings.length - shown.length;
  if (hidden > 0) out.push("", c("dim", `(${hidden} informational finding(s) hidden; --verbose shows them)`));
  for (const w of d.warnings) out.push(...wrap(`warning: ${w}`, WIDTH, "  "));
  for (const e of d.ruleErrors) out.push(`rule ${e.rule} failed: ${e.error}`);
  return out.join("\n") + "\n";
}

function verdict(d: Diagnosis): string {
  const n = (s: Severity) => d.findings.filter((f) => f.severity === s).length;
  const crit = n("critical");
  const warn = n("warning");
  if (crit + warn === 0) return "Verdict: no problem found" + (d.findings.length ? " (see the notes below)." : ".");
  const top = d.findings[0]!;
  const parts = [crit ? `${crit} critical` : "", warn ? `${warn} warning${warn > 1 ? "s" : ""}` : ""].filter(Boolean);
  const sources = evidenceSources(top).length;
  const why = sources > 1 ? ` (${sources} sources agree: ${[...new Set(top.evidence.map((e) => e.kind))].join(", ")})` : "";
  return `Verdict: ${parts.join(", ")}. Most likely cause: ${top.title}${why}.`;
}

function renderFinding(f: Finding, number: Map<string, number>, c: (k: keyof typeof ANSI, s: string) => string): string[] {
  const out: string[] = [];
  const n = number.get(f.id)!;
  out.push(`${c(f.severity, `#${n} ${f.severity.toUpperCase()}`)}  ${f.category}  ${c("dim", `confidence ${f.confidence.toFixed(2)}`)}`);
  out.push(...wrap(c("bold", f.title), WIDTH, "   "));
  out.push(...wrap(f.summary, WIDTH, "   "));
  for (const e of f.evidence) {
    const nums = Object.entries(e.numbers)
      .map(([k, v]) => `${k}=${formatNumber(v)}`)
      .join(" ");
    out.push(...wrap(`${e.kind} (${e.source}): ${nums}`, WIDTH, "   - ", "     "));
    if (e.excerpt) for (const line of e.excerpt.split("\n")) out.push(clip(`       ${line}`, WIDTH));
  }
  out.push(...wrap(`Fix: ${f.recommendation}`, WIDTH, "   ", "        "));
  if (f.explains?.length) {
    const ids = f.explains.map((id) => `#${number.get(id) ?? "?"} ${id.split(":")[0]}`).join(", ");
    out.push(`   Explains: ${ids}`);
  }
  return out;
}

function describeInputs(d: Diagnosis): string {
  const counts = new Map<string, number>();
  for (const i of d.inputs) counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
  return [...counts.entries()].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(", ") || "nothing";
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Math.round(v * 100) / 100);
}

function clip(s: string, width: number): string {
  return s.length <= width ? s : s.slice(0, width - 1) + "…";
}

/** Word-wrap to width (ANSI codes excluded from the count); first/next line prefixes. */
export function wrap(text: string, width: number, first: string, next = first): string[] {
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "").length;
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    if (!empty && visible(line) + 1 + visible(w) > width) {
      lines.push(line);
      line = next;
      empty = true;
    }
    line += (empty ? "" : " ") + w;
    empty = false;
  }
  if (!empty) lines.push(line);
  return lines.map((l) => (visible(l) > width ? clip(l, width) : l));
}
