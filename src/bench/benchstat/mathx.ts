/* eslint-disable no-loss-of-precision -- constants written as Go's math package writes them; the literal rounds to the same float64 there */
import { readFileSync } from "node:fs";

// Numeric building blocks benchstat's statistics rest on (go-moremath's mathx
// and Go's math.Erfc). JavaScript has no erfc or lgamma; these are the fdlibm
// algorithms Go itself uses, so p-values and interval orders match benchstat's.

// fdlibm s_erf.c coefficients (as in Go's math/erf.go).
const erx = 8.45062911510467529297e-1;
const pp = [1.28379167095512558561e-1, -3.25042107247001499370e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3, -2.37630166566501626084e-5];
const qq = [3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4, -3.96022827877536812320e-6];
const pa = [-2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1, -1.10894694282396677476e-1, 3.54783043256182359371e-2, -2.16637559486879084300e-3];
const qa = [1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1, 1.36370839120290507362e-2, 1.19844998467991074170e-2];
const ra = [-9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1, -1.62396669462573470355e2, -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592];
const sa = [1.96512716674392571292e1, 1.37657754143519042600e2, 4.34565877475229228821e2, 6.45387271733267880336e2, 4.29008140027567833386e2, 1.08635005541779435134e2, 6.57024977031928170135, -6.04244152148580987438e-2];
const rb = [-9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2, -6.37566443368389627722e2, -1.02509513161107724954e3, -4.83519191608651397019e2];
const sb = [3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3, 2.55305040643316442583e3, 4.74528541206955367215e2, -2.24409524465858183362e1];

// Horner evaluation c0 + s*(c1 + s*(...)), the same operation order as fdlibm.
function poly(c: number[], s: number): number {
  let r = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) r = c[i] + s * r;
  return r;
}
function poly1(c: number[], s: number): number {
  return 1 + s * poly(c, s);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Complementary error function. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x === -Infinity) return 2;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  if (x < 0.84375) {
    let temp: number;
    if (x < 2 ** -56) temp = x;
    else {
      const z = x * x;
      const y = poly(pp, z) / poly1(qq, z);
      temp = x < 0.25 ? x + x * y : 0.5 + (x * y + (x - 0.5));
    }
    return sign ? 1 + temp : 1 - temp;
  }
  if (x < 1.25) {
    const s = x - 1;
    const P = poly(pa, s);
    const Q = poly1(qa, s);
    return sign ? 1 + erx + P / Q : 1 - erx - P / Q;
  }
  if (x < 28) {
    const s = 1 / (x * x);
    let R: number, S: number;
    if (x < 1 / 0.35) {
      R = poly(ra, s);
      S = poly1(sa, s);
    } else {
      if (sign && x > 6) return 2;
      R = poly(rb, s);
      S = poly1(sb, s);
    }
    f64[0] = x;
    u32[0] = 0; // little-endian low word: keep 20 bits of mantissa
    const z = f64[0];
    const r = goExp(-z * z - 0.5625) * goExp((z - x) * (z + x) + R / S);
    return sign ? 2 - r / x : r / x;
  }
  return sign ? 2 : 0;
}

/** The standard normal CDF at (x-mu)/sigma, as moremath's NormalDist.CDF. */
export function normalCDF(x: number, mu = 0, sigma = 1): number {
  return erfc(-(x - mu) / (sigma * Math.SQRT2)) / 2;
}

/** Inverse normal CDF (Acklam's algorithm with one Newton step, as moremath). */
export function normalInvCDF(p: number, mu = 0, sigma = 1): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const plow = 0.02425;
  const phigh = 1 - plow;
  if (p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * goLog(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (phigh < p) {
    const q = Math.sqrt(-2 * goLog(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * goExp((x * x) / 2);
  x = x - u / (1 + (x * u) / 2);
  return x * sigma + mu;
}

const SMALL_FACT: bigint[] = [1n];
for (let n = 1n; n <= 20n; n++) SMALL_FACT.push(SMALL_FACT[SMALL_FACT.length - 1] * n);

// ln((m-1)!) for the integer arguments Choose needs: the factorial is exact as a
// BigInt, and its logarithm is taken from the nearest double (error < 1 ulp).
const lnFactCache: number[] = [];
function lnFact(n: number): number {
  let v = lnFactCache[n];
  if (v === undefined) {
    let f = 1n;
    for (let i = 2n; i <= BigInt(n); i++) f *= i;
    v = Math.log(Number(f));
    if (!Number.isFinite(v)) {
      // beyond 170!: sum of logs (only reached by very large samples)
      v = 0;
      for (let i = 2; i <= n; i++) v += Math.log(i);
    }
    if (n < 4096) lnFactCache[n] = v;
  }
  return v;
}

/** Binomial coefficient as a float64 (exact up to n = 20, like mathx.Choose). */
export function choose(n: number, k: number): number {
  if (k === 0 || k === n) return 1;
  if (k < 0 || n < k) return 0;
  if (n <= 20) {
    let numer = 1n;
    for (let n1 = BigInt(n - (k - 1)); n1 <= BigInt(n); n1++) numer *= n1;
    return Number(numer / SMALL_FACT[k]);
  }
  return goExp(lnFact(n) - lnFact(k) - lnFact(n - k));
}

/** Geometric mean by a running mean of logs (moremath stats.GeoMean); NaN on any x ≤ 0. */
export function geoMean(xs: number[]): number {
  if (xs.length === 0) return NaN;
  let m = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x <= 0) return NaN;
    m += (goLog(x) - m) / (i + 1);
  }
  return goExp(m);
}

// ---- Go's amd64 math.Log and math.Exp, bit for bit ----
// benchstat prints geomeans to full precision in CSV, so exp(mean(log x)) must
// round like Go's. Go's amd64 assembly differs from V8's fdlibm port in the
// last bit; these follow its operation order. Exp uses fused multiply-adds on
// CPUs with AVX+FMA (every x86-64 of the last decade), emulated exactly here.

const f64b = new Float64Array(1);
const u64b = new BigUint64Array(f64b.buffer);

/** x = m · 2^e exactly, with integer m. */
function decompose(x: number): [bigint, number] {
  f64b[0] = x;
  const bits = u64b[0];
  const exp = Number((bits >> 52n) & 0x7ffn);
  let m = bits & 0xfffffffffffffn;
  let e: number;
  if (exp === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = exp - 1075;
  }
  return [bits >> 63n ? -m : m, e];
}

/** fma(a, b, c) = a·b + c with one rounding (finite normal inputs). */
export function fma(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return a * b + c;
  if (a === 0 || b === 0) return a * b + c;
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  let m = ma * mb;
  let e = ea + eb;
  if (c !== 0) {
    const [mc, ec] = decompose(c);
    if (ec >= e) m += mc << BigInt(ec - e);
    else {
      m = (m << BigInt(e - ec)) + mc;
      e = ec;
    }
  }
  if (m === 0n) return 0;
  const neg = m < 0n;
  if (neg) m = -m;
  const len = m.toString(2).length;
  if (len > 64) {
    // Keep 64 bits plus a sticky bit: Number() then rounds to nearest even correctly.
    const sh = BigInt(len - 64);
    const sticky = (m & ((1n << sh) - 1n)) !== 0n ? 1n : 0n;
    m = (m >> sh) | sticky;
    e += len - 64;
  }
  let r = Number(m);
  // Scale by 2^e in steps that stay exact for normal results.
  while (e > 0) {
    const s = Math.min(e, 1000);
    r *= 2 ** s;
    e -= s;
  }
  while (e < 0) {
    const s = Math.max(e, -1000);
    r *= 2 ** s;
    e -= s;
  }
  return neg ? -r : r;
}

function haveFMA(): boolean {
  if (process.arch !== "x64") return process.arch === "arm64";
  try {
    // Go checks CPUID for AVX and FMA; /proc/cpuinfo has the same flags on Linux.
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const flags = /^flags\s*:(.*)$/m.exec(info)?.[1].split(/\s+/) ?? [];
    return flags.includes("avx") && flags.includes("fma");
  } catch {
    return true;
  }
}
let useFMA: boolean | undefined;

const LN2U = 0.69314718055966295651160180568695068359375;
const LN2L = 0.28235290563031577122588448175013436025525412068e-12;
const LOG2E = 1.442695040888963407359924681001892;
const EXP_T = [
  0.5, 1.0, 2.0, 1.6666666666666666667e-1, 4.1666666666666666667e-2, 8.3333333333333333333e-3, 1.3888888888888888889e-3,
  1.984126984126984127e-4, 2.4801587301587301587e-5,
];

/** Go's math.Exp on amd64. */
export function goExp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === -Infinity) return 0;
  if (x > 7.09782712893384e2) return Infinity;
  useFMA ??= haveFMA();
  const kf = x * LOG2E;
  // CVTSD2SL: round to nearest even, into int32
  let k = Math.round(kf);
  if (Math.abs(kf - Math.trunc(kf)) === 0.5) k = 2 * Math.round(kf / 2);
  if (k > 2147483647 || k < -2147483648 || Number.isNaN(kf)) k = -2147483648;
  let r: number;
  if (useFMA) {
    r = fma(-LN2U, k, x);
    r = fma(-LN2L, k, r);
    r *= 0.0625;
    let p = EXP_T[8];
    p = fma(p, r, EXP_T[7]);
    p = fma(p, r, EXP_T[6]);
    p = fma(p, r, EXP_T[5]);
    p = fma(p, r, EXP_T[4]);
    p = fma(p, r, EXP_T[3]);
    p = fma(p, r, EXP_T[0]);
    p = fma(p, r, EXP_T[1]);
    r *= p;
    for (let i = 0; i < 3; i++) r *= r + 2;
    r = fma(r, r + 2, 1);
  } else {
    r = x - LN2U * k;
    r = r - LN2L * k;
    r *= 0.0625;
    let p = EXP_T[8] * r;
    for (const c of [EXP_T[7], EXP_T[6], EXP_T[5], EXP_T[4], EXP_T[3], EXP_T[0]]) p = (p + c) * r;
    p += EXP_T[1];
    r *= p;
    for (let i = 0; i < 4; i++) r *= r + 2;
    r += 1;
  }
  // ldexp(r, k) with the assembly's denormal handling
  let be = k + 0x3ff;
  if (be <= 0) {
    if (be < -52) return 0;
    r *= 2 ** (be + 0x3fe - 0x3ff);
    be = 1;
  } else if (be >= 0x7ff) return Infinity;
  return r * 2 ** (be - 0x3ff);
}

/** Go's math.Log on amd64 (the fdlibm algorithm, in its operation order). */
export function goLog(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return -Infinity;
  if (x < 0) return NaN;
  // frexp by bits (the assembly does not renormalise subnormals); on the 32-bit
  // halves (little-endian, as erfc assumes) rather than BigInt, which allocates.
  f64[0] = x;
  const hi = u32[1];
  const k0 = ((hi >>> 20) & 0x7ff) - 0x3fe;
  u32[1] = (hi & 0x000fffff) | 0x3fe00000;
  let f1 = f64[0];
  let k = k0;
  if (f1 < 7.07106781186547524401e-1) {
    k -= 1;
    f1 *= 2;
  }
  const f = f1 - 1;
  const s = f / (2 + f);
  const s2 = s * s;
  const s4 = s2 * s2;
  const t1 = s2 * (6.66666666666673513e-1 + s4 * (2.857142874366239149e-1 + s4 * (1.818357216161805012e-1 + s4 * 1.479819860511658591e-1)));
  const t2 = s4 * (3.999999999940941908e-1 + s4 * (2.222219843214978396e-1 + s4 * 1.531383769920937332e-1));
  const R = t1 + t2;
  const hfsq = 0.5 * f * f;
  return k * 6.93147180369123816490e-1 - (hfsq - (s * (hfsq + R) + k * 1.90821492927058770002e-10) - f);
}
