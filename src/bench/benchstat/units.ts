// Benchmark units as golang.org/x/perf/benchunit treats them: tidying
// (ns/op → sec/op, MB/s → B/s), the decimal/binary class of a unit, and the
// common SI/IEC scale benchstat uses to print a row of numbers.

import { fmtF } from "../../core/go/index.js";

export type UnitClass = "decimal" | "binary";

// Tokens of a unit like "ns/op" or "B*op/s": split on * / - and spaces; after '/' we are in the denominator.
function* unitTokens(unit: string): Generator<{ tok: string; pos: number; denom: boolean }> {
  let denom = false;
  let i = 0;
  const sep = (c: string) => c === "*" || c === "/" || c === "-" || /\s/u.test(c);
  while (i < unit.length) {
    const c = unit[i];
    if (c === "*") denom = false;
    else if (c === "/") denom = true;
    if (sep(c)) {
      i++;
      continue;
    }
    let j = i;
    while (j < unit.length && !sep(unit[j])) j++;
    yield { tok: unit.slice(i, j), pos: i, denom };
    i = j;
  }
}

/** Binary (IEC prefixes) for byte units in the numerator, else decimal (SI). */
export function classOf(unit: string): UnitClass {
  for (const t of unitTokens(unit)) {
    if ((t.tok === "B" || t.tok === "MB" || t.tok === "bytes") && !t.denom) return "binary";
  }
  return "decimal";
}

const tidyCache = new Map<string, { unit: string; factor: number }>();

/** The tidied unit and the factor values are multiplied by (benchunit.Tidy). */
export function tidyUnit(unit: string): { unit: string; factor: number } {
  switch (unit) {
    case "ns/op":
      return { unit: "sec/op", factor: 1e-9 };
    case "MB/s":
      return { unit: "B/s", factor: 1e6 };
    case "B/op":
    case "allocs/op":
      return { unit, factor: 1 };
  }
  if (!(unit.includes("ns") || unit.includes("MB"))) return { unit, factor: 1 };
  const hit = tidyCache.get(unit);
  if (hit !== undefined) return hit;
  let factor = 1;
  const edits: { pos: number; len: number; rep: string }[] = [];
  for (const t of unitTokens(unit)) {
    if (t.denom) continue;
    if (t.tok === "ns") {
      edits.push({ pos: t.pos, len: 2, rep: "sec" });
      factor /= 1e9;
    } else if (t.tok === "MB") {
      edits.push({ pos: t.pos, len: 2, rep: "B" });
      factor *= 1e6;
    }
  }
  let out = unit;
  for (let i = edits.length - 1; i >= 0; i--) {
    const e = edits[i];
    out = out.slice(0, e.pos) + e.rep + out.slice(e.pos + e.len);
  }
  const res = { unit: out, factor };
  if (tidyCache.size < 1024) tidyCache.set(unit, res);
  return res;
}

export interface Scaler {
  /** digits after the decimal point (-1: shortest) */
  prec: number;
  factor: number;
  prefix: string;
}

export function formatScaled(s: Scaler, val: number): string {
  return fmtF(val / s.factor, s.prec) + s.prefix;
}

interface Factor {
  factor: number;
  prefix: string;
  t100: number;
  t10: number;
  t1: number;
}

const SI: Factor[] = ["T", "G", "M", "k", "", "m", "µ", "n"].map((prefix, i) => {
  const exp = 12 - 3 * i;
  return {
    factor: 10 ** exp,
    prefix,
    t100: Number(`99.995e${exp}`),
    t10: Number(`9.9995e${exp}`),
    t1: Number(`.99995e${exp}`),
  };
});

// 99.995, 9.9995 and .99995 rounded to float64 and scaled by a power of two
// (benchunit writes them as hex floats so the scaling is exact).
const hexMant = (h: string) => Number(BigInt("0x" + h));
const IEC: Factor[] = ["Ti", "Gi", "Mi", "Ki", ""].map((prefix, i) => {
  const exp = 40 - 10 * i;
  return {
    factor: 2 ** exp,
    prefix,
    t100: hexMant("18ffae147ae148") * 2 ** (6 + exp - 52),
    t10: hexMant("13ffbe76c8b439") * 2 ** (3 + exp - 52),
    t1: hexMant("1fff972474538f") * 2 ** (-1 + exp - 52),
  };
});

const SIGFIGS: number[] = [];
for (let exp = -1; exp > -9; exp--) SIGFIGS.push(Number(`9.9995e${exp}`));

/** The scale that shows the smallest non-zero magnitude of vals with ~4 significant digits. */
export function commonScale(vals: number[], cls: UnitClass): Scaler {
  let min = 0;
  for (let v of vals) {
    v = Math.abs(v);
    if (v !== 0 && (min === 0 || v < min)) min = v;
  }
  if (min === 0) return { prec: 3, factor: 1, prefix: "" };
  const factors = cls === "binary" ? IEC : SI;
  for (const f of factors) {
    if (min >= f.t100) return { prec: 1, factor: f.factor, prefix: f.prefix };
    if (min >= f.t10) return { prec: 2, factor: f.factor, prefix: f.prefix };
    if (min >= f.t1) return { prec: 3, factor: f.factor, prefix: f.prefix };
  }
  const last = factors[factors.length - 1];
  const val = min / last.factor;
  for (let i = 0; i < SIGFIGS.length; i++) {
    if (val >= SIGFIGS[i] || i === SIGFIGS.length - 1) return { prec: i + 3, factor: last.factor, prefix: last.prefix };
  }
  throw new Error("unreachable");
}

export function scale(val: number, cls: UnitClass): string {
  return formatScaled(commonScale([val], cls), val);
}
