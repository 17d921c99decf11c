// Go-compatible number formatting: fmt's %f, %e, %g and %v of a float64
// (strconv.FormatFloat semantics), byte-for-byte.
//
// JS toFixed/toExponential round the exact binary value correctly, except that
// an exact decimal tie goes away from zero where Go rounds half-to-even
// (Go: 0.125 -> "0.12", JS: "0.13"). Ties are rare and cheap to detect, so we
// use the JS fast path and fix up ties; an exact BigInt path covers what JS
// cannot do (more than 100 digits, values >= 1e21).

/** A decimal significand: value = 0.d × 10^dp, d without trailing zeros ("" for zero). */
interface Decimal {
  d: string;
  dp: number;
}

/** k such that a = odd × 2^-k (0 for integers); a finite, >= 0. Exact: doubling never rounds. */
function fracBits(a: number): number {
  let k = 0;
  while (!Number.isInteger(a)) {
    a *= 2;
    k++;
  }
  return k;
}

function trimZeros(d: string): string {
  let n = d.length;
  while (n > 0 && d.charCodeAt(n - 1) === 48) n--;
  return n === d.length ? d : d.slice(0, n);
}

/** The exact decimal expansion of a finite a > 0 (every double has one). */
function exactDecimal(a: number): Decimal {
  const k = fracBits(a);
  const m = BigInt(a * 2 ** Math.min(k, 1023) * 2 ** Math.max(k - 1023, 0));
  const digits = (k === 0 ? m : m * 5n ** BigInt(k)).toString();
  return { d: trimZeros(digits), dp: digits.length - k };
}

/** Go's decimal.Round(nd): round to nd digits, half-to-even on an exact tie. */
function roundDecimal(x: Decimal, nd: number): Decimal {
  const { d, dp } = x;
  if (nd < 0 || nd >= d.length) return x;
  const c = d.charCodeAt(nd);
  let up: boolean;
  if (c === 53 /* '5' */ && nd + 1 === d.length) up = nd > 0 && (d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = c >= 53;
  if (!up) return { d: trimZeros(d.slice(0, nd)), dp };
  let i = nd - 1;
  while (i >= 0 && d.charCodeAt(i) === 57 /* '9' */) i--;
  if (i < 0) return { d: "1", dp: dp + 1 };
  return { d: d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1), dp };
}

/** Parse JS "d.ddde±x" into a Decimal. */
function fromExponential(s: string): Decimal {
  const e = s.indexOf("e");
  const mant = s.charCodeAt(1) === 46 ? s[0] + s.slice(2, e) : s.slice(0, e);
  return { d: trimZeros(mant), dp: Number(s.slice(e + 1)) + 1 };
}

/** a (finite, > 0) rounded to n >= 1 significant digits, Go style. */
function significant(a: number, n: number): Decimal {
  if (n > 99) return roundDecimal(exactDecimal(a), n);
  const rounded = a.toExponential(n - 1);
  const longer = a.toExponential(n);
  const e = longer.indexOf("e");
  if (longer.charCodeAt(e - 1) !== 53) return fromExponential(rounded);
  // longer ends in 5: a tie iff it is exact, i.e. a has exactly n+1 significant digits.
  const exp = Number(longer.slice(e + 1));
  const k = fracBits(a);
  const exact = k > 0 ? k + exp === n : trimZeros(BigInt(a).toString()).length === n + 1;
  if (!exact) return fromExponential(rounded);
  const dl = fromExponential(longer);
  return roundDecimal(dl, n); // exact tie: half-to-even
}

function isNeg(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

function special(x: number): string | null {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  return null;
}

function digitsF(x: Decimal, prec: number): string {
  const { d, dp } = x;
  let s: string;
  if (dp > 0) s = dp <= d.length ? d.slice(0, dp) : d + "0".repeat(dp - d.length);
  else s = "0";
  if (prec > 0) {
    let frac = "";
    for (let i = 1; i <= prec; i++) {
      const j = dp + i - 1;
      frac += j >= 0 && j < d.length ? d[j] : "0";
    }
    s += "." + frac;
  }
  return s;
}

function digitsE(x: Decimal, prec: number): string {
  const { d, dp } = x;
  let s = d.length === 0 ? "0" : d[0];
  if (prec > 0) {
    const rest = d.slice(1, prec + 1);
    s += "." + rest + "0".repeat(prec - rest.length);
  }
  let exp = d.length === 0 ? 0 : dp - 1;
  const sign = exp < 0 ? "-" : "+";
  if (exp < 0) exp = -exp;
  return s + "e" + sign + (exp < 10 ? "0" : "") + exp;
}

/** Go %.<prec>f (strconv.FormatFloat(x, 'f', prec, 64)). */
export function fmtF(x: number, prec: number): string {
  const sp = special(x);
  if (sp !== null) return sp;
  const a = Math.abs(x);
  const sign = isNeg(x) ? "-" : "";
  if (prec < 0) {
    const dec = a === 0 ? { d: "", dp: 0 } : fromExponential(a.toExponential());
    return sign + digitsF(dec, Math.max(dec.d.length - dec.dp, 0));
  }
  if (a >= 1e21 || prec > 99) {
    const ex = a === 0 ? { d: "", dp: 0 } : exactDecimal(a);
    return sign + digitsF(roundDecimal(ex, ex.dp + prec), prec);
  }
  const s = a.toFixed(prec);
  const longer = a.toFixed(prec + 1);
  // A tie needs the next digit to be a final 5: a = odd × 2^-(prec+1) exactly.
  if (longer.charCodeAt(longer.length - 1) !== 53 || fracBits(a) !== prec + 1) return sign + s;
  let trunc = longer.slice(0, -1);
  if (prec === 0) trunc = trunc.slice(0, -1); // drop the "."
  const last = trunc.charCodeAt(trunc.length - 1) - 48;
  return sign + (last % 2 === 0 ? trunc : s);
}

/** Go %.<prec>e (strconv 'e'); prec < 0 = shortest. */
export function fmtE(x: number, prec: number): string {
  const sp = special(x);
  if (sp !== null) return sp;
  const a = Math.abs(x);
  const sign = isNeg(x) ? "-" : "";
  if (a === 0) return sign + digitsE({ d: "", dp: 0 }, Math.max(prec, 0));
  if (prec < 0) {
    const dec = fromExponential(a.toExponential());
    return sign + digitsE(dec, Math.max(dec.d.length - 1, 0));
  }
  return sign + digitsE(significant(a, prec + 1), prec);
}

/** Go %.<prec>g (strconv.FormatFloat(x, 'g', prec, 64)); prec < 0 = shortest, as %v. */
export function fmtG(x: number, prec: number): string {
  const sp = special(x);
  if (sp !== null) return sp;
  const a = Math.abs(x);
  const sign = isNeg(x) ? "-" : "";
  const shortest = prec < 0;
  let dec: Decimal;
  if (a === 0) dec = { d: "", dp: 0 };
  else if (shortest) dec = fromExponential(a.toExponential());
  else {
    if (prec === 0) prec = 1;
    dec = significant(a, prec);
  }
  const nd = dec.d.length;
  if (shortest) prec = nd;
  // Mirrors strconv's formatDigits for 'g'.
  let eprec = prec;
  if (eprec > nd && nd >= dec.dp) eprec = nd;
  if (shortest) eprec = 6;
  const exp = dec.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd;
    return sign + digitsE(dec, prec - 1);
  }
  if (prec > dec.dp) prec = nd;
  return sign + digitsF(dec, Math.max(prec - dec.dp, 0));
}

/** Go %v of a float64. */
export function fmtV(x: number): string {
  return fmtG(x, -1);
}

/** Go %d of an integer-valued number (exact beyond 2^53, where String() would use exponents). */
export function fmtD(n: number): string {
  if (Number.isSafeInteger(n)) return String(n);
  if (!Number.isFinite(n)) return String(n);
  return BigInt(Math.trunc(n)).toString();
}

/** Number of runes (code points) in s, as fmt counts width. */
function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const c2 = s.charCodeAt(i + 1);
      if (c2 >= 0xdc00 && c2 <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** fmt's %<width>s: right-justify s with spaces to width runes. */
export function padLeft(s: string, width: number): string {
  const n = runeCount(s);
  return n >= width ? s : " ".repeat(width - n) + s;
}

/** fmt's %-<width>s: left-justify s with spaces to width runes. */
export function padRight(s: string, width: number): string {
  const n = runeCount(s);
  return n >= width ? s : s + " ".repeat(width - n);
}
