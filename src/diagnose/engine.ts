// diagnose: run every rule over a bundle, link causes to symptoms, rank.

import type { Bundle } from "../bundle/index.js";
import { DiagnoseContext } from "./context.js";
import { correlate } from "./correlate.js";
import { RANKING, SEVERITY_RANK, rankFindings, type Finding } from "./finding.js";
import { RULES } from "./rules/index.js";
import type { Rule } from "./rule.js";
import { InputError } from "../core/input/index.js";

export interface Diagnosis {
  target: string;
  captureTime?: string;
  goVersion?: string;
  /** what the bundle held, by kind */
  inputs: Array<{ path: string; kind: string }>;
  findings: Finding[];
  /** how findings are ordered: the first one is the verdict's most likely cause */
  ranking: string;
  /** rules that failed on this input (a bug or an unexpected file): never fatal */
  ruleErrors: Array<{ rule: string; error: string }>;
  /** inputs that failed to parse (the error names the file): not evidence of health */
  unreadable: Array<{ path: string; error: string }>;
  warnings: string[];
}

export function diagnose(bundle: Bundle, rules: Rule[] = RULES): Diagnosis {
  const ctx = new DiagnoseContext(bundle);
  const findings: Finding[] = [];
  const ruleErrors: Diagnosis["ruleErrors"] = [];
  // Parse errors of inputs (path -> message), whichever rule met them first.
  const failed = new Map<string, string>();
  for (const r of rules) {
    try {
      findings.push(...r.run(ctx));
    } catch (e) {
      ruleErrors.push({ rule: r.name, error: (e as Error).message });
      if (e instanceof InputError) failed.set(e.file, e.message);
    }
  }
  for (const t of ctx.gcTraces()) if (t.error) failed.set(t.file.path, t.error.message);
  for (const m of ctx.memStats()) if (m.error) failed.set(m.file.path, m.error.message);
  return {
    target: bundle.manifest?.target ?? bundle.inputs.join(" "),
    captureTime: bundle.manifest?.captureTime,
    goVersion: bundle.manifest?.goVersion,
    inputs: bundle.files.map((f) => ({ path: f.path, kind: f.kind })),
    findings: rankFindings(correlate(mergeSameFindings(findings))),
    ranking: RANKING,
    ruleErrors,
    unreadable: [...failed].map(([path, error]) => ({ path, error })),
    warnings: bundle.warnings,
  };
}

/**
 * Two rules can reach the same finding from different sources (back-pressure from
 * the block profile and from a goroutine dump): one finding, with the evidence of
 * both and the higher severity — sources that agree strengthen it (see RANKING).
 */
function mergeSameFindings(fs: Finding[]): Finding[] {
  const byId = new Map<string, Finding>();
  const out: Finding[] = [];
  for (const f of fs) {
    const first = byId.get(f.id);
    if (!first) {
      byId.set(f.id, f);
      out.push(f);
      continue;
    }
    first.evidence.push(...f.evidence);
    if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[first.severity]) first.severity = f.severity;
    first.confidence = Math.max(first.confidence, f.confidence);
  }
  return out;
}

/**
 * True when no input could be read: "no problem found" would then be a verdict
 * about nothing (a corrupt single file exited 0); the caller reports the error.
 */
export function nothingReadable(d: Diagnosis): boolean {
  if (d.inputs.length === 0 || d.unreadable.length === 0) return false;
  const bad = new Set(d.unreadable.map((u) => u.path));
  return d.inputs.every((i) => bad.has(i.path));
}
