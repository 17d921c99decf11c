// Durations as every net report prints them.

/** Nanoseconds as a short human duration ("1.23ms", "2.4s"). */
export function fmtNs(ns: number): string {
  if (ns < 0) return "-";
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)}µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)}ms`;
  return `${(ns / 1e9).toFixed(ns < 1e10 ? 3 : 1)}s`;
}
