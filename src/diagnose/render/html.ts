// HTML report of a diagnosis: one self-contained file (no network requests: a CSP
// forbids them), verdict first, then each finding with its evidence and fix, then
// the flame graphs of the profiles the findings cite (the flame graph renderer of
// `godiag flame`, embedded), linked both ways; and, when the bundle holds an execution
// trace, its timeline (the page of `godiag trace --html`, embedded).

import type { Bundle, BundleFile } from "../../bundle/index.js";
import type { Diagnosis } from "../engine.js";
import type { Category, Finding, Severity } from "../finding.js";
import type { Profile } from "../../core/model/index.js";
import { escapeHtml as esc, offlinePage } from "../../core/html/index.js";
import { defaultConfig, flameAssets, flameFragment, flameTreeFromProfile } from "../../pprof/index.js";
import { timelineAssets, timelineFragment, timelineFromBytes } from "../../trace/index.js";

/** Which profile shows each category best (first one present wins). */
const FLAME_FOR: Record<Category, string[]> = {
  "cpu-hotspot": ["cpu"],
  "syscall-heavy": ["cpu"],
  "gc-pressure": ["cpu", "allocs"],
  "mutex-contention": ["mutex", "block"],
  "lock-held-during-io": ["mutex", "cpu"],
  "channel-backpressure": ["block", "goroutine"],
  "goroutine-leak": ["goroutine"],
  "connection-pileup": ["goroutine"],
  "response-body-leak": ["goroutine", "allocs"],
  "connection-churn": ["cpu", "allocs"],
  deadlock: ["goroutine"],
  "heap-growth": ["heap"],
  "memory-limit-thrash": ["heap", "cpu"],
  "large-allocations": ["allocs"],
  "profiling-disabled": [],
  "block-profile-rate-too-coarse": ["block"],
  "scheduler-latency": ["cpu"],
  "stw-delay": ["cpu"],
  "task-latency": ["block"],
  "network-latency": ["cpu"],
  "fsync-per-request": ["cpu"],
  "cpu-starvation": ["cpu"],
  "accept-queue-overflow": [],
  "slow-io": ["goroutine"],
  "waiting-on-goroutines": ["block", "mutex", "goroutine"],
  "fd-leak": ["goroutine"],
  "packet-loss": [],
};

const FLAME_TITLES: Record<string, string> = {
  cpu: "CPU time",
  mutex: "Lock contention (mutex profile: where contended locks were released)",
  block: "Blocking (block profile: where goroutines waited)",
  goroutine: "Goroutines (coloured by wait reason)",
  heap: "In-use heap memory",
  allocs: "Allocated bytes",
};

/** Keep the report's size sane: at most this many flame graphs. */
const MAX_FLAMES = 4;

export function renderDiagnosisHtml(d: Diagnosis, bundle: Bundle): string {
  const flames = chooseFlames(d, bundle);
  const number = new Map(d.findings.map((f, i) => [f.id, i + 1]));
  const serious = d.findings.filter((f) => f.severity !== "info");
  const top = serious[0];
  const verdictClass: Severity | "ok" = top ? top.severity : "ok";
  const verdict = top
    ? `${esc(top.title)}`
    : "No problem found" + (d.findings.length ? " (see the notes below)" : "");
  const counts = (["critical", "warning", "info"] as const)
    .map((s) => [s, d.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `<span class="badge ${s}">${n} ${s}</span>`)
    .join(" ");

  const { css, script } = flameAssets();
  const body: string[] = [];
  body.push(`<header><h1>godiag diagnosis: ${esc(d.target)}</h1>`);
  const facts = [d.goVersion, d.captureTime && `captured ${d.captureTime}`].filter(Boolean).join(" · ");
  if (facts) body.push(`<p class="facts">${esc(facts)}</p>`);
  body.push(`</header>`);
  body.push(
    `<section class="verdict ${verdictClass}" id="verdict"><div class="label">Verdict</div>` +
      `<div class="text">${verdict}</div><div>${counts}</div>` +
      (top ? `<div class="fix"><b>Fix first:</b> ${esc(top.recommendation)}</div>` : "") +
      `</section>`,
  );
  if (d.findings.length) {
    body.push(`<nav><ol>`);
    for (const f of d.findings) {
      body.push(`<li><a href="#f${number.get(f.id)}"><span class="badge ${f.severity}">${f.severity}</span> ${esc(f.title)}</a></li>`);
    }
    body.push(`</ol></nav>`);
  }
  for (const f of d.findings) body.push(renderFinding(f, number, flames));
  if (flames.size) {
    body.push(`<h2 id="flames">Flame graphs</h2>`);
    for (const [kind, fl] of flames) {
      const cited = d.findings.filter((f) => fl.findings.includes(f.id)).map((f) => `<a href="#f${number.get(f.id)}">#${number.get(f.id)}</a>`);
      body.push(
        `<section class="flame" id="flame-${kind}"><h3>${esc(FLAME_TITLES[kind] ?? kind)}</h3>` +
          `<p class="facts">${esc(fl.file.path)}${cited.length ? ` · evidence for ${cited.join(", ")}` : ""}</p>` +
          fl.html +
          `</section>`,
      );
    }
  }
  const timeline = timelineHtml(bundle);
  if (timeline) body.push(timeline.html);
  body.push(`<h2>Inputs</h2><table class="inputs"><tr><th>file</th><th>kind</th></tr>`);
  for (const i of d.inputs) body.push(`<tr><td><code>${esc(i.path)}</code></td><td>${esc(i.kind)}</td></tr>`);
  body.push(`</table>`);
  if (d.warnings.length) body.push(`<h2>Input warnings</h2><ul>${d.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>`);

  return offlinePage(`godiag: ${d.target}`, `${css}${CSS}${timeline?.css ?? ""}`, timeline ? [script, timeline.script] : [script], `${body.join("\n")}\n`);
}

/**
 * The newest execution trace's timeline, or nothing. A trace the reader rejects costs the
 * report its timeline, not the report.
 */
function timelineHtml(bundle: Bundle): { html: string; css: string; script: string } | undefined {
  const file = bundle.files.filter((f) => f.kind === "trace").at(-1);
  if (!file) return undefined;
  try {
    const tl = timelineFromBytes(file.data, file.path, { limits: bundle.limits });
    const { css, script } = timelineAssets();
    const html =
      `<h2 id="trace">Execution trace</h2><section class="timeline"><p class="facts">${esc(file.path)}</p>` +
      timelineFragment(tl, "trace-timeline", { title: "Execution trace timeline" }) +
      `</section>`;
    return { html, css, script };
  } catch {
    return undefined;
  }
}

interface Flame {
  file: BundleFile;
  html: string;
  findings: string[];
}

function chooseFlames(d: Diagnosis, bundle: Bundle): Map<string, Flame> {
  const flames = new Map<string, Flame>();
  const wanted: Array<[string, string]> = []; // [kind, finding id]
  for (const f of d.findings) {
    for (const kind of FLAME_FOR[f.category]) {
      if (latest(bundle, kind)) {
        wanted.push([kind, f.id]);
        break;
      }
    }
  }
  if (wanted.length === 0 && latest(bundle, "cpu")) wanted.push(["cpu", ""]);
  for (const [kind, id] of wanted) {
    const existing = flames.get(kind);
    if (existing) {
      if (id) existing.findings.push(id);
      continue;
    }
    if (flames.size >= MAX_FLAMES) continue;
    const file = latest(bundle, kind)!;
    const html = flameHtml(file.profile!, kind);
    if (html) flames.set(kind, { file, html, findings: id ? [id] : [] });
  }
  return flames;
}

function latest(bundle: Bundle, kind: string): BundleFile | undefined {
  const fs = bundle.files.filter((f) => f.kind === kind && f.profile && f.profile.samples.length > 0);
  return fs[fs.length - 1];
}

function flameHtml(p: Profile, kind: string): string | undefined {
  try {
    const tree = flameTreeFromProfile(p, defaultConfig(), {}, () => undefined);
    return flameFragment(tree, `flame-${kind}-graph`, { title: FLAME_TITLES[kind] ?? kind });
  } catch {
    return undefined; // a report without one flame graph beats no report
  }
}

function renderFinding(f: Finding, number: Map<string, number>, flames: Map<string, Flame>): string {
  const n = number.get(f.id)!;
  const out: string[] = [];
  out.push(`<article class="finding ${f.severity}" id="f${n}">`);
  out.push(
    `<h2><span class="num">#${n}</span> <span class="badge ${f.severity}">${f.severity}</span> ` +
      `<span class="cat">${esc(f.category)}</span> ${esc(f.title)}</h2>`,
  );
  out.push(`<p>${esc(f.summary)}</p>`);
  out.push(`<p class="fix"><b>Fix:</b> ${esc(f.recommendation)}</p>`);
  if (f.functions.length) out.push(`<p class="fns">Functions: ${f.functions.map((fn) => `<code>${esc(fn)}</code>`).join(" ")}</p>`);
  out.push(`<h3>Evidence</h3>`);
  for (const e of f.evidence) {
    out.push(`<div class="evidence"><div><b>${esc(e.kind)}</b> <code>${esc(e.source)}</code></div><table>`);
    for (const [k, v] of Object.entries(e.numbers)) out.push(`<tr><td>${esc(k)}</td><td>${esc(formatNumber(v))}</td></tr>`);
    out.push(`</table>`);
    if (e.excerpt) out.push(`<pre>${esc(e.excerpt)}</pre>`);
    out.push(`</div>`);
  }
  const links: string[] = [];
  for (const [kind, fl] of flames) if (fl.findings.includes(f.id)) links.push(`<a href="#flame-${kind}">flame graph: ${esc(kind)}</a>`);
  for (const id of f.explains ?? []) if (number.has(id)) links.push(`explains <a href="#f${number.get(id)}">#${number.get(id)}</a>`);
  if (links.length) out.push(`<p class="links">${links.join(" · ")}</p>`);
  if (f.docs.length) out.push(`<p class="docs">${f.docs.map((u) => `<span>${esc(u)}</span>`).join(" ")}</p>`);
  out.push(`<p class="conf">confidence ${f.confidence.toFixed(2)}</p></article>`);
  return out.join("\n");
}

function formatNumber(v: number): string {
  if (!Number.isInteger(v)) return String(Math.round(v * 100) / 100);
  return v.toLocaleString("en-US");
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:12px 20px;color:#1b1b1b}
h1{font-size:22px;margin:8px 0 2px}h2{font-size:18px;margin:18px 0 6px}h3{font-size:15px;margin:10px 0 4px}
.facts{color:#555;margin:2px 0 10px}
.verdict{border-radius:6px;padding:12px 16px;margin:10px 0;border-left:8px solid #2e7d32;background:#eef7ee}
.verdict.critical{border-color:#c62828;background:#fdecea}.verdict.warning{border-color:#ef8f00;background:#fff4e0}
.verdict .label{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:#555}
.verdict .text{font-size:20px;font-weight:600;margin:2px 0 6px}
.badge{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;font-weight:600;color:#fff;background:#607d8b}
.badge.critical{background:#c62828}.badge.warning{background:#ef8f00}.badge.info{background:#0277bd}
nav ol{padding-left:20px}nav a{text-decoration:none;color:inherit}nav a:hover{text-decoration:underline}
.finding{border:1px solid #ddd;border-radius:6px;padding:4px 16px 8px;margin:12px 0}
.finding.critical{border-left:6px solid #c62828}.finding.warning{border-left:6px solid #ef8f00}.finding.info{border-left:6px solid #0277bd}
.finding .num{color:#777}.finding .cat{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;color:#555}
.fix{background:#f3f8ff;padding:6px 10px;border-radius:4px}
.evidence{margin:6px 0 10px}.evidence table{border-collapse:collapse;margin:4px 0}
.evidence td{padding:1px 10px 1px 0;font-variant-numeric:tabular-nums}.evidence td:first-child{color:#555;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
pre{background:#f6f6f6;padding:6px 8px;overflow-x:auto;font-size:12px}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;background:#f3f3f3;padding:0 3px;border-radius:2px}
.conf,.docs{color:#777;font-size:12px}.links a{font-weight:600}
table.inputs{border-collapse:collapse}table.inputs td,table.inputs th{padding:2px 12px 2px 0;text-align:left}
.flame{margin:10px 0 24px}
`;
