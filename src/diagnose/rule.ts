// A diagnosis rule: reads the context, returns findings (possibly none). Each rule
// lives in its own file under rules/, with its thresholds named and explained.

import type { DiagnoseContext } from "./context.js";
import type { Finding } from "./finding.js";

export interface Rule {
  name: string;
  run(ctx: DiagnoseContext): Finding[];
}

/** Percent with one decimal, for titles and summaries. */
export function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "0%";
}

/** Seconds, human-sized. */
export function secs(ns: number): string {
  const s = ns / 1e9;
  if (s >= 100) return `${s.toFixed(0)}s`;
  if (s >= 1) return `${s.toFixed(2)}s`;
  if (s >= 1e-3) return `${(s * 1e3).toFixed(1)}ms`;
  return `${(s * 1e6).toFixed(0)}µs`;
}
