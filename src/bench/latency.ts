// Latency percentiles with bootstrap confidence intervals, and the change in
// P99 between two runs (ΔP99).
//
// Percentile definition: linear interpolation between closest ranks (Hyndman &
// Fan type 7; numpy's default, Excel's PERCENTILE.INC): with n sorted values,
// h = (n-1)·p, Q(p) = x[⌊h⌋] + (h-⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋]).
//
// Confidence intervals: percentile bootstrap with a seeded PRNG (mulberry32),
// so output is reproducible. A resample of a sorted sample is drawn as
// multiplicities of the sorted values, which makes each resample's percentiles
// O(n) instead of a sort.

export const PERCENTILES = [0.5, 0.9, 0.99, 0.999] as const;

export interface Estimate {
  value: number;
  lo: number;
  hi: number;
}

export interface LatencySummary {
  n: number;
  mean: number;
  min: number;
  max: number;
  percentiles: { p: number; est: Estimate }[];
}

export interface LatencyComparison {
  old: LatencySummary;
  new: LatencySummary;
  /** per percentile: new − old (ms) and relative change, with bootstrap CIs */
  deltas: { p: number; abs: Estimate; rel: Estimate; significant: boolean }[];
  confidence: number;
  resamples: number;
  seed: number;
}

export function percentileSorted(xs: ArrayLike<number>, p: number): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  if (lo >= n - 1) return xs[n - 1];
  return xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo]);
}

/** mulberry32: small, fast, well-distributed 32-bit PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The type-7 percentiles of a resample given as multiplicities of sorted values. */
function resamplePercentiles(sorted: Float64Array, counts: Uint32Array, ps: readonly number[], out: Float64Array): void {
  const n = sorted.length;
  // Ranks needed: ⌊h⌋ and ⌊h⌋+1 for each p.
  const want: number[] = [];
  for (const p of ps) {
    const h = (n - 1) * p;
    want.push(Math.floor(h), Math.min(Math.floor(h) + 1, n - 1));
  }
  const order = want.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0]);
  const vals = new Float64Array(want.length);
  let cum = 0;
  let k = 0;
  for (let i = 0; i < n && k < order.length; i++) {
    cum += counts[i];
    while (k < order.length && order[k][0] < cum) vals[order[k++][1]] = sorted[i];
  }
  ps.forEach((p, j) => {
    const h = (n - 1) * p;
    const f = h - Math.floor(h);
    out[j] = vals[2 * j] + f * (vals[2 * j + 1] - vals[2 * j]);
  });
}

function bootstrap(sorted: Float64Array, ps: readonly number[], resamples: number, rnd: () => number): Float64Array[] {
  const n = sorted.length;
  const counts = new Uint32Array(n);
  const res = ps.map(() => new Float64Array(resamples));
  const out = new Float64Array(ps.length);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(rnd() * n)]++;
    resamplePercentiles(sorted, counts, ps, out);
    for (let j = 0; j < ps.length; j++) res[j][b] = out[j];
  }
  return res;
}

function interval(dist: Float64Array, confidence: number): [number, number] {
  const s = Float64Array.from(dist).sort();
  const a = (1 - confidence) / 2;
  return [percentileSorted(s, a), percentileSorted(s, 1 - a)];
}

/** Resamples: 1000, fewer for very large samples so a run stays around a second. */
export function defaultResamples(n: number): number {
  return Math.max(100, Math.min(1000, Math.floor(5e7 / Math.max(n, 1))));
}

export interface LatencyOptions {
  confidence: number;
  resamples?: number;
  seed: number;
}

function summarizeWith(sorted: Float64Array, boots: Float64Array[], confidence: number): LatencySummary {
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    mean: sum / sorted.length,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    percentiles: PERCENTILES.map((p, j) => {
      const [lo, hi] = interval(boots[j], confidence);
      return { p, est: { value: percentileSorted(sorted, p), lo, hi } };
    }),
  };
}

export function summarizeLatency(values: Float64Array, opts: LatencyOptions): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const B = opts.resamples ?? defaultResamples(sorted.length);
  return summarizeWith(sorted, bootstrap(sorted, PERCENTILES, B, mulberry32(opts.seed)), opts.confidence);
}

export function compareLatency(oldV: Float64Array, newV: Float64Array, opts: LatencyOptions): LatencyComparison {
  const so = Float64Array.from(oldV).sort();
  const sn = Float64Array.from(newV).sort();
  const B = opts.resamples ?? defaultResamples(Math.max(so.length, sn.length));
  const rnd = mulberry32(opts.seed);
  const bo = bootstrap(so, PERCENTILES, B, rnd);
  const bn = bootstrap(sn, PERCENTILES, B, rnd);
  const old = summarizeWith(so, bo, opts.confidence);
  const neu = summarizeWith(sn, bn, opts.confidence);
  const deltas = PERCENTILES.map((p, j) => {
    const abs = new Float64Array(B);
    const rel = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      abs[b] = bn[j][b] - bo[j][b];
      rel[b] = bo[j][b] === 0 ? NaN : bn[j][b] / bo[j][b] - 1;
    }
    const o = old.percentiles[j].est.value;
    const nv = neu.percentiles[j].est.value;
    const [alo, ahi] = interval(abs, opts.confidence);
    const [rlo, rhi] = interval(rel.filter((x) => !Number.isNaN(x)), opts.confidence);
    return {
      p,
      abs: { value: nv - o, lo: alo, hi: ahi },
      rel: { value: o === 0 ? NaN : nv / o - 1, lo: rlo, hi: rhi },
      // the interval of the difference excludes zero
      significant: alo > 0 || ahi < 0,
    };
  });
  return { old, new: neu, deltas, confidence: opts.confidence, resamples: B, seed: opts.seed };
}
