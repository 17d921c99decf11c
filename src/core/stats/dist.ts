// Small order statistics for GC series. Percentiles interpolate linearly between
// closest ranks (Hyndman & Fan type 7, numpy's default), so p50 of [1, 2] is 1.5.

export interface Dist {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  min: number;
}

/** The q-quantile (0..1) of ascending-sorted xs; NaN when empty. */
export function quantileSorted(xs: ArrayLike<number>, q: number): number {
  if (xs.length === 0) return NaN;
  const h = (xs.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, xs.length - 1);
  return xs[lo] + (h - lo) * (xs[hi] - xs[lo]);
}

export function dist(values: readonly number[]): Dist {
  const xs = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const x of xs) sum += x;
  return {
    n: xs.length,
    mean: xs.length ? sum / xs.length : NaN,
    p50: quantileSorted(xs, 0.5),
    p95: quantileSorted(xs, 0.95),
    p99: quantileSorted(xs, 0.99),
    max: xs.length ? xs[xs.length - 1] : NaN,
    min: xs.length ? xs[0] : NaN,
  };
}

/** Least-squares slope of ys over xs (units of y per unit of x); 0 with < 2 points. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
