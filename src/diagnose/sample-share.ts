// When a share of a CPU profile's samples is a measurement (godiag corpus round 6).
//
// A profile's samples are draws of where the CPU went: k of n samples in the GC give
// the GC's share of the process's CPU as k/n with a binomial error. The rules' floors
// ("50 samples: ±7 %") say when the point estimate can be trusted near a threshold;
// a nearly idle process has few samples, yet a share far above the threshold can be
// beyond doubt with them (9 of 10 samples in the GC). So a share counts as "at least
// t" when either its point estimate is, from enough samples, or the lower end of its
// 95 % interval is, from at least a handful. Nothing here is fitted to a capture: the
// interval is Wilson's score interval, the usual one for small n and shares near 0 or 1.

/** z for a two-sided 95 % interval. */
const Z95 = 1.96;
/** Below this many samples no share is read at all (cpu-hotspot's floor for a measurement). */
export const MIN_SAMPLES_FOR_INTERVAL = 10;

/** The lower end of the 95 % Wilson score interval of k successes in n draws. */
export function wilsonLower(k: number, n: number): number {
  if (n <= 0) return 0;
  const p = Math.min(1, Math.max(0, k / n));
  const z2 = Z95 * Z95;
  const centre = p + z2 / (2 * n);
  const spread = Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - spread) / (1 + z2 / n));
}

/**
 * Whether k of n samples show a share of at least `threshold`: the point estimate from
 * at least `minSamples` samples (the rule's own floor), or, from fewer but at least
 * MIN_SAMPLES_FOR_INTERVAL, the lower end of the 95 % interval.
 */
export function shareAtLeast(k: number, n: number, threshold: number, minSamples: number): boolean {
  if (n >= minSamples) return k >= threshold * n;
  return n >= MIN_SAMPLES_FOR_INTERVAL && wilsonLower(k, n) >= threshold;
}
