// Durations and times for labels and the tooltip.

/** ns as a short duration: 1.23ms, 45.6µs, 789ns, 2.5s */
export function fmtNs(ns: number): string {
  const a = Math.abs(ns);
  if (a >= 1e9) return trim(ns / 1e9) + "s";
  if (a >= 1e6) return trim(ns / 1e6) + "ms";
  if (a >= 1e3) return trim(ns / 1e3) + "µs";
  return Math.round(ns) + "ns";
}

function trim(v: number): string {
  const a = Math.abs(v);
  const t = v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
  return t.includes(".") ? t.replace(/\.?0+$/, "") : t;
}

/** A "nice" tick step (1, 2 or 5 times a power of ten) of at least `min` ns. */
export function niceStep(min: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(min, 1))));
  for (const m of [1, 2, 5, 10]) if (m * p >= min) return m * p;
  return 10 * p;
}
