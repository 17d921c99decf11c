// benchstat's statistics (golang.org/x/perf/benchmath over go-moremath/stats):
// the median with a distribution-free confidence interval from binomial order
// statistics, the exact "assume=exact" summary, and the two-sided Mann-Whitney
// U test (exact distribution for small samples, with or without ties; normal
// approximation with tie correction beyond).

import { choose, normalCDF, normalInvCDF } from "./mathx.js";

export interface Summary {
  center: number;
  lo: number;
  hi: number;
  confidence: number;
  warnings: string[];
}

export interface Comparison {
  p: number;
  n1: number;
  n2: number;
  alpha: number;
  warnings: string[];
}

export type Assumption = "nothing" | "exact";

interface QuantileCI {
  n: number;
  quantile: number;
  confidence: number;
  loOrder: number;
  hiOrder: number;
}

function binomPMF(n: number, p: number, k: number): number {
  const ki = Math.floor(k);
  if (ki < 0 || ki > n) return 0;
  return choose(n, ki) * Math.pow(p, ki) * Math.pow(1 - p, n - ki);
}

/** Order statistics [loOrder, hiOrder] bracketing quantile q with at least `confidence` (moremath QuantileCI). */
export function quantileCI(n: number, q: number, confidence: number): QuantileCI {
  const res: QuantileCI = { n, quantile: q, confidence: 0, loOrder: 0, hiOrder: 0 };
  if (confidence >= 1) {
    res.confidence = 1;
    res.hiOrder = n + 1;
    return res;
  }
  let l: number, r: number;
  if (n <= 30) {
    // Grow the interval from the mode, one order statistic at a time, preferring the left on ties.
    let x = Math.ceil((n + 1) * q) - 1;
    if (q === 0) x = 0;
    let accum = binomPMF(n, q, x);
    l = x;
    r = x + 1;
    let lp = binomPMF(n, q, l - 1);
    let rp = binomPMF(n, q, r);
    while (accum < confidence && (lp > 0 || rp > 0)) {
      if (lp >= rp) {
        accum += lp;
        l--;
        lp = binomPMF(n, q, l - 1);
      } else {
        accum += rp;
        r++;
        rp = binomPMF(n, q, r);
      }
    }
    res.confidence = accum;
  } else {
    const mu = n * q;
    const sigma = Math.sqrt(n * q * (1 - q));
    const alpha = (1 - confidence) / 2;
    const l1 = normalInvCDF(alpha, mu, sigma);
    const r1 = 2 * mu - l1;
    l = Math.floor(Math.floor(l1 - 0.5) + 0.5) + 1;
    r = Math.floor(Math.ceil(r1 - 0.5) + 0.5) + 1;
    const cdf = (a: number, b: number) => normalCDF(b - 0.5, mu, sigma) - normalCDF(a - 0.5, mu, sigma);
    res.confidence = cdf(l, r);
    const rBiased = r - 1;
    const aBiased = cdf(l, rBiased);
    if (aBiased >= confidence && aBiased < res.confidence) {
      res.confidence = aBiased;
      r = rBiased;
    }
    if (l <= 0 && r >= n + 1) res.confidence = 1;
  }
  res.loOrder = Math.max(l, 0);
  res.hiOrder = Math.min(r, n + 1);
  return res;
}

/** Sample quantile with R's type 8 interpolation (moremath Sample.Quantile); xs sorted. */
export function quantileR8(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  if (q <= 0) return xs[0];
  if (q >= 1) return xs[xs.length - 1];
  const N = xs.length;
  const n = 1 / 3 + q * (N + 1 / 3);
  const k = Math.trunc(n);
  const frac = n - k;
  if (k <= 0) return xs[0];
  if (k >= N) return xs[N - 1];
  return xs[k - 1] + frac * (xs[k] - xs[k - 1]);
}

const ciCache = new Map<number, QuantileCI[]>();
function medianCI(n: number, confidence: number): QuantileCI {
  let byN = ciCache.get(confidence);
  if (byN === undefined) ciCache.set(confidence, (byN = []));
  let ci = byN[n];
  if (ci === undefined) {
    ci = quantileCI(n, 0.5, confidence);
    byN[n] = ci;
  }
  return ci;
}

function medianSamples(confidence: number): [string, number] {
  for (let n = 2; n <= 50; n++) {
    const ci = medianCI(n, confidence);
    if (0 < ci.loOrder && ci.hiOrder <= n) return [">=", n];
  }
  return [">", 50];
}

/** Go's %v of a float64 confidence level etc. is needed in messages; callers pass the formatter. */
export type FormatV = (x: number) => string;

/** Summary of a sorted sample. */
export function summarize(xs: readonly number[], assumption: Assumption, confidence: number, fmtV: FormatV): Summary {
  if (assumption === "exact") {
    let val = xs[0];
    let count = 1;
    let modeVal = val;
    let modeCount = 1;
    for (const v of xs.slice(1)) {
      if (v === val) {
        count++;
        if (count > modeCount) {
          modeVal = val;
          modeCount = count;
        }
      } else {
        val = v;
        count = 1;
      }
    }
    const s: Summary = { center: modeVal, lo: xs[0], hi: xs[xs.length - 1], confidence: 1, warnings: [] };
    if (modeCount !== xs.length) {
      s.warnings.push(`exact distribution expected, but values range from ${fmtV(xs[0])} to ${fmtV(xs[xs.length - 1])}`);
    }
    return s;
  }
  const ci = medianCI(xs.length, confidence);
  const median = quantileR8(xs, 0.5);
  const lo = ci.loOrder < 1 ? -Infinity : xs[ci.loOrder - 1];
  const hi = ci.hiOrder - 1 >= xs.length ? Infinity : xs[ci.hiOrder - 1];
  const warnings: string[] = [];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    const [op, need] = medianSamples(confidence);
    warnings.push(`need ${op} ${need} samples for confidence interval at level ${fmtV(confidence)}`);
  }
  return { center: median, lo, hi, confidence: ci.confidence, warnings };
}

// Smallest possible two-sided U-test p-value for n samples each (benchmath's table, recomputed).
const uTestMinP: number[] = [];
function uTestSamples(alpha: number): [string, number] {
  if (uTestMinP.length === 0) {
    for (let n = 1; n < 10; n++) {
      const a = Array.from({ length: n }, () => -1);
      const b = Array.from({ length: n }, () => 1);
      uTestMinP[n] = mannWhitneyU(a, b).p;
    }
  }
  for (let n = 1; n < uTestMinP.length; n++) if (uTestMinP[n] <= alpha) return [">=", n];
  return [">", uTestMinP.length];
}

/** Compare two sorted samples under the assumption, as benchmath's Assumption.Compare. */
export function compare(xs1: readonly number[], xs2: readonly number[], assumption: Assumption, alpha: number, fmtV: FormatV): Comparison {
  if (assumption === "exact") return { p: 0, n1: xs1.length, n2: xs2.length, alpha: 0, warnings: [] };
  // The samples arrive sorted (as Float64Array sorts), so the test need not sort them again.
  let p: number | string;
  try {
    p = uTestP(xs1, xs2);
  } catch (e) {
    p = (e as Error).message;
  }
  if (typeof p === "string") return { p: 1, n1: xs1.length, n2: xs2.length, alpha, warnings: [p] };
  const cmp: Comparison = { p, n1: xs1.length, n2: xs2.length, alpha, warnings: [] };
  if (cmp.p > cmp.alpha) {
    const [op, n] = uTestSamples(cmp.alpha);
    if (cmp.n1 < n && cmp.n2 < n) cmp.warnings.push(`need ${op} ${n} samples to detect a difference at alpha level ${fmtV(cmp.alpha)}`);
  }
  return cmp;
}

export class StatsError extends Error {}

/** Two-sided Mann-Whitney U test (moremath MannWhitneyUTest with LocationDiffers). */
export function mannWhitneyU(x1in: readonly number[], x2in: readonly number[]): { p: number; u: number } {
  const x1 = Float64Array.from(x1in).sort();
  const x2 = Float64Array.from(x2in).sort();
  const p = uTestP(x1, x2);
  if (typeof p === "string") throw new StatsError(p);
  return { p, u: lastU1 };
}

// Scratch for the merge (grown on demand): one test per comparison cell would
// otherwise allocate two arrays each.
let mergedBuf = new Float64Array(64);
let labelBuf = new Uint8Array(64);
let lastU1 = 0;

/** The U test's p-value for sorted samples, or the error text moremath returns. */
function uTestP(x1: ArrayLike<number>, x2: ArrayLike<number>): number | string {
  const n1 = x1.length;
  const n2 = x2.length;
  if (n1 === 0 || n2 === 0) return "sample is too small";
  const N = n1 + n2;
  if (mergedBuf.length < N) {
    mergedBuf = new Float64Array(N * 2);
    labelBuf = new Uint8Array(N * 2);
  }
  // Merge, labelling where each value came from.
  const merged = mergedBuf;
  const labels = labelBuf;
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < n1 && j < n2) {
    if (x1[i] < x2[j]) {
      merged[o] = x1[i++];
      labels[o++] = 1;
    } else {
      merged[o] = x2[j++];
      labels[o++] = 2;
    }
  }
  for (; i < n1; i++) {
    merged[o] = x1[i]!;
    labels[o++] = 1;
  }
  for (; j < n2; j++) {
    merged[o] = x2[j]!;
    labels[o++] = 2;
  }

  let R1 = 0;
  const T: number[] = [];
  let hasTies = false;
  for (let k = 0; k < N; ) {
    const rank1 = k + 1;
    const v1 = merged[k];
    // A tie group holds at least merged[k] itself: with `merged[k] === v1` as the only
    // test a NaN (never equal to itself) would never advance k and loop forever.
    let nx1 = 0;
    do {
      if (labels[k] === 1) nx1++;
      k++;
    } while (k < N && merged[k] === v1);
    if (nx1 !== 0) R1 += ((k + rank1) / 2) * nx1;
    T.push(k - rank1 + 1);
    if (k > rank1) hasTies = true;
  }
  const U1 = R1 - (n1 * (n1 + 1)) / 2;
  lastU1 = U1;
  const U2 = n1 * n2 - U1;
  const Usmall = Math.min(U1, U2);
  let p: number;
  if ((!hasTies && n1 <= 50 && n2 <= 50) || (hasTies && n1 <= 25 && n2 <= 25)) {
    if (T.length === 1) return "all samples are equal";
    p = U1 === U2 ? 1 : uCDF(n1, n2, T, Usmall) * 2;
  } else {
    let t = 0;
    for (const tie of T) t += tie * tie * tie - tie;
    const muU = (n1 * n2) / 2;
    const sigmaU = Math.sqrt((n1 * n2 * (N + 1 - t / (N * (N - 1)))) / 12);
    if (sigmaU === 0) return "all samples are equal";
    let numer = U1 - muU;
    numer -= Math.sign(numer) * 0.5;
    const z = numer / sigmaU;
    p = 2 * Math.min(normalCDF(z), 1 - normalCDF(z));
  }
  return p;
}

// Tie-pattern CDFs are costly (Cheung-Klotz) and repeat across rows with the same
// tie structure; memoised by (n1, 2U, tie sizes), bounded.
const tiesCache = new Map<string, number>();

/** CDF of the U statistic's null distribution (moremath UDist.CDF). */
function uCDF(N1: number, N2: number, T: number[], U: number): number {
  if (U < 0) return 0;
  if (U >= N1 * N2) return 1;
  if (T.some((t) => t > 1)) {
    const twoU = Math.trunc(2 * U);
    const key = `${N1} ${twoU} ${T.join(",")}`;
    const hit = tiesCache.get(key);
    if (hit !== undefined) return hit;
    const p = makeUmemo(twoU, N1, T)[T.length].get(ukey(N1, twoU));
    if (p === undefined) throw new Error("makeUmemo did not return expected memoization table");
    const r = p / choose(N1 + N2, N1);
    if (tiesCache.size < 4096) tiesCache.set(key, r);
    return r;
  }
  let Ui = Math.floor(U);
  const half = Math.trunc((N1 * N2 + 1) / 2);
  const flip = Ui >= half;
  if (flip) Ui = N1 * N2 - Ui - 1;
  // Ui < half always; the running sums of p_{n,m}(0..half-1) are the same
  // additions, in the same order, as summing pdfs[0..Ui] for each test.
  const p = noTiesCDF(N1, N2, half)[Ui];
  return flip ? 1 - p : p;
}

// Running sums of the no-ties U distribution, one table per sample-size pair.
const noTiesCache = new Map<number, Float64Array>();
function noTiesCDF(N1: number, N2: number, half: number): Float64Array {
  const key = Math.min(N1, N2) * 65536 + Math.max(N1, N2);
  let cdf = noTiesCache.get(key);
  if (cdf === undefined) {
    const pdfs = uPDFs(N1, N2, Math.max(half - 1, 0));
    cdf = new Float64Array(pdfs.length);
    let p = 0;
    for (let k = 0; k < pdfs.length; k++) cdf[k] = p += pdfs[k];
    noTiesCache.set(key, cdf);
  }
  return cdf;
}

// Mann & Whitney's recurrence for the no-ties distribution, p_{n,m}(U) for U ≤ Umax.
// Values at each U depend only on lower U, never on the bound, so one table
// computed up to the largest U a test can ask for serves every test of that size.
function uPDFs(N1: number, N2: number, U: number): Float64Array {
  let N = N1;
  let M = N2;
  if (N > M) [N, M] = [M, N];
  const memo: Float64Array[] = [];
  for (let n = 0; n <= N; n++) memo.push(new Float64Array(U + 1));
  for (let m = 0; m <= M; m++) {
    memo[0][0] = 1;
    const nlim = Math.min(N, m);
    for (let n = 1; n <= nlim; n++) {
      const lp = memo[n - 1];
      const rp = n <= m - 1 ? memo[n] : memo[m - 1];
      const ulim = Math.min(U, n * m);
      const out = memo[n];
      const nplusm = n + m;
      for (let U1 = ulim; U1 >= 0; U1--) {
        const l = U1 - m >= 0 ? n * lp[U1 - m] : 0;
        const r = m * rp[U1];
        out[U1] = (l + r) / nplusm;
      }
    }
  }
  return memo[N];
}

const ukey = (n1: number, twoU: number) => n1 * 1048576 + twoU;

// Cheung & Klotz's recurrence for the U distribution with ties: A[k] maps
// (n1, 2U) to the number of arrangements of the first k tie groups.
function makeUmemo(twoU: number, n1: number, t: number[]): Map<number, number>[] {
  const K = t.length;
  const a: number[] = new Array(K + 1).fill(0);
  a[1] = t[0];
  for (let k = 2; k <= K; k++) a[k] = a[k - 1] + t[k - 2] + t[k - 1];
  const A: Map<number, number>[] = new Array(K + 1);
  const keys: { n1: number; twoU: number }[][] = new Array(K + 1);
  A[K] = new Map([[ukey(n1, twoU), 0]]);
  keys[K] = [{ n1, twoU }];
  let tsum = t.reduce((s, x) => s + x, 0);
  for (let k = K - 1; k >= 2; k--) {
    tsum -= t[k];
    A[k] = new Map();
    keys[k] = [];
    for (const nxt of keys[k + 1]) {
      const rkLow = Math.max(0, nxt.n1 - tsum);
      const rkHigh = Math.min(nxt.n1, t[k]);
      for (let rk = rkLow; rk <= rkHigh; rk++) {
        const twoUk = nxt.twoU - rk * (a[k + 1] - 2 * nxt.n1 + rk);
        const n1k = nxt.n1 - rk;
        if (twoUmin(n1k, t.slice(0, k), a) <= twoUk && twoUk <= twoUmax(n1k, t.slice(0, k), a)) {
          const key = ukey(n1k, twoUk);
          if (!A[k].has(key)) {
            A[k].set(key, 0);
            keys[k].push({ n1: n1k, twoU: twoUk });
          }
        }
      }
    }
  }
  if (K < 2) throw new Error("K < 2");
  const N2 = t[0] + t[1];
  for (const e of keys[2]) {
    let Asum = 0;
    const r2Low = Math.max(0, e.n1 - t[0]);
    const r2High = Math.trunc((e.twoU - e.n1 * (t[0] - e.n1)) / N2);
    for (let r2 = r2Low; r2 <= r2High; r2++) Asum += choose(t[0], e.n1 - r2) * choose(t[1], r2);
    A[2].set(ukey(e.n1, e.twoU), Asum);
  }
  tsum = t[0];
  for (let k = 3; k <= K; k++) {
    tsum += t[k - 2];
    for (const e of keys[k]) {
      let Asum = 0;
      const rkLow = Math.max(0, e.n1 - tsum);
      const rkHigh = Math.min(e.n1, t[k - 1]);
      for (let rk = rkLow; rk <= rkHigh; rk++) {
        const twoUkm1 = e.twoU - rk * (a[k] - 2 * e.n1 + rk);
        const n1km1 = e.n1 - rk;
        let x = A[k - 1].get(ukey(n1km1, twoUkm1));
        if (x === undefined) {
          x = 0;
          if (twoUmax(n1km1, t.slice(0, k - 1), a) < twoUkm1) x = choose(tsum, n1km1);
        }
        Asum += x * choose(t[k - 1], rk);
      }
      A[k].set(ukey(e.n1, e.twoU), Asum);
    }
  }
  return A;
}

function twoUmin(n1: number, t: number[], a: number[]): number {
  let twoU = -n1 * n1;
  let n1k = n1;
  for (let k = 1; k <= t.length; k++) {
    const m = Math.min(n1k, t[k - 1]);
    twoU += m * a[k];
    n1k -= m;
  }
  return twoU;
}

function twoUmax(n1: number, t: number[], a: number[]): number {
  let twoU = -n1 * n1;
  let n1k = n1;
  for (let k = t.length; k > 0; k--) {
    const m = Math.min(n1k, t[k - 1]);
    twoU += m * a[k];
    n1k -= m;
  }
  return twoU;
}
