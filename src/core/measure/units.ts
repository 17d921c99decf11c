// Sample-value units and their human labels: pprof's measurement package.
// Every quirk is deliberate because reports must match go tool pprof byte for byte:
// aliases are matched after lower-casing and trimming one trailing "s" from
// units longer than 2 *bytes* (so "μs", 3 bytes in UTF-8, becomes "μ" and is unknown),
// and labels print with %.2f minus a trailing ".00".

import type { ValueType } from "../model/index.js";
import { fmtF, fmtG, padLeft } from "../go/index.js";

export interface Unit {
  canonicalName: string;
  aliases: readonly string[];
  factor: number;
}

export interface UnitType {
  defaultUnit: Unit;
  units: readonly Unit[];
}

const u = (canonicalName: string, aliases: string[], factor: number): Unit => ({ canonicalName, aliases, factor });

/** The unit families pprof knows, in its order (order decides which family claims an alias first). */
export const UNIT_TYPES: readonly UnitType[] = [
  {
    units: [
      u("B", ["b", "byte"], 1),
      u("kB", ["kb", "kbyte", "kilobyte"], 2 ** 10),
      u("MB", ["mb", "mbyte", "megabyte"], 2 ** 20),
      u("GB", ["gb", "gbyte", "gigabyte"], 2 ** 30),
      u("TB", ["tb", "tbyte", "terabyte"], 2 ** 40),
      u("PB", ["pb", "pbyte", "petabyte"], 2 ** 50),
    ],
    defaultUnit: u("B", ["b", "byte"], 1),
  },
  {
    units: [
      u("ns", ["ns", "nanosecond"], 1),
      u("us", ["μs", "us", "microsecond"], 1e3),
      u("ms", ["ms", "millisecond"], 1e6),
      u("s", ["s", "sec", "second"], 1e9),
      u("hrs", ["hour", "hr"], 3600e9),
    ],
    defaultUnit: u("s", [], 1e9),
  },
  {
    units: [
      u("n*GCU", ["nanogcu"], 1e-9),
      u("u*GCU", ["microgcu"], 1e-6),
      u("m*GCU", ["milligcu"], 1e-3),
      u("GCU", ["gcu"], 1),
      u("k*GCU", ["kilogcu"], 1e3),
      u("M*GCU", ["megagcu"], 1e6),
      u("G*GCU", ["gigagcu"], 1e9),
      u("T*GCU", ["teragcu"], 1e12),
      u("P*GCU", ["petagcu"], 1e15),
    ],
    defaultUnit: u("GCU", [], 1),
  },
];

/** Go's strings.ToLower: per code point (JS can expand e.g. "İ" to two code points; Go maps it to one). */
function goLower(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase();
  let out = "";
  for (const ch of s) out += String.fromCodePoint(ch.toLowerCase().codePointAt(0) as number);
  return out;
}

const utf8Len = (s: string): number => Buffer.byteLength(s, "utf8");

/** pprof's UnitType.sniffUnit: the unit for an alias after lower-casing and trimming one trailing "s". */
export function sniffUnit(ut: UnitType, unit: string): Unit | null {
  unit = goLower(unit);
  if (utf8Len(unit) > 2 && unit.endsWith("s")) unit = unit.slice(0, -1);
  for (const x of ut.units) if (x.aliases.includes(unit)) return x;
  return null;
}

function autoScale(ut: UnitType, value: number): [number, string] | null {
  let f = 0;
  let unit = "";
  for (const x of ut.units) {
    if (x.factor >= f && value / x.factor >= 1.0) {
      f = x.factor;
      unit = x.canonicalName;
    }
  }
  return f === 0 ? null : [value / f, unit];
}

function convertUnit(ut: UnitType, value: number, fromUnitStr: string, toUnitStr: string): [number, string] | null {
  const fromUnit = sniffUnit(ut, fromUnitStr);
  if (fromUnit === null) return null;
  const v = value * fromUnit.factor;
  if (toUnitStr === "minimum" || toUnitStr === "auto") {
    return autoScale(ut, v) ?? [v / ut.defaultUnit.factor, ut.defaultUnit.canonicalName];
  }
  const toUnit = sniffUnit(ut, toUnitStr);
  if (toUnit === null) return [v / ut.defaultUnit.factor, ut.defaultUnit.canonicalName];
  return [v / toUnit.factor, toUnit.canonicalName];
}

/**
 * measurement.Scale: value (an int64 in Go; pass an integer) converted from fromUnit
 * to toUnit ("auto"/"minimum" pick a readable unit). The unit is "" when uninteresting.
 */
export function scaleValue(value: number, fromUnit: string, toUnit: string): [number, string] {
  if (value < 0) {
    const [v, unit] = scaleValue(-value, fromUnit, toUnit);
    return [-v, unit];
  }
  for (const ut of UNIT_TYPES) {
    const r = convertUnit(ut, value, fromUnit, toUnit);
    if (r !== null) return r;
  }
  switch (toUnit) {
    case "count":
    case "sample":
    case "unit":
    case "minimum":
    case "auto":
      return [value, ""];
    default:
      return [value, toUnit];
  }
}

/** measurement.ScaledLabel: e.g. 1.50s, 12MB, 3 ("%.2f" without ".00"; "-0" is "0"). */
export function scaledLabel(value: number, fromUnit: string, toUnit: string): string {
  const [v, unit] = scaleValue(value, fromUnit, toUnit);
  let sv = fmtF(v, 2);
  if (sv.endsWith(".00")) sv = sv.slice(0, -3);
  if (sv === "0" || sv === "-0") return "0";
  return sv + unit;
}

/** measurement.Label: scaledLabel to an automatically chosen unit. */
export function label(value: number, unit: string): string {
  return scaledLabel(value, unit, "auto");
}

/** measurement.Percentage: "  100%" near 100, else %5.2f%% at >= 1, else %5.2g%%. */
export function percentage(value: number, total: number): string {
  let ratio = 0;
  if (total !== 0) ratio = Math.abs(value / total) * 100;
  if (ratio >= 99.95 && ratio <= 100.05) return "  100%";
  if (ratio >= 1.0) return padLeft(fmtF(ratio, 2), 5) + "%";
  return padLeft(fmtG(ratio, 2), 5) + "%";
}

/** compatibleValueTypes: same type modulo one trailing "s", and same or convertible units. */
export function compatibleValueTypes(v1: ValueType | null, v2: ValueType | null): boolean {
  if (v1 === null || v2 === null) return true;
  const trim = (s: string): string => (s.endsWith("s") ? s.slice(0, -1) : s);
  if (trim(v1.type) !== trim(v2.type)) return false;
  if (v1.unit === v2.unit) return true;
  for (const ut of UNIT_TYPES) {
    if (sniffUnit(ut, v1.unit) !== null && sniffUnit(ut, v2.unit) !== null) return true;
  }
  return false;
}

/** Go's %v of a ValueType struct: {type unit typeX unitX}. The string-table indexes are supplied by the caller. */
export function formatValueTypeStruct(t: ValueType, typeX = 0, unitX = 0): string {
  return `{${t.type} ${t.unit} ${typeX} ${unitX}}`;
}

/**
 * measurement.CommonValueType: the finest of a set of compatible types
 * (null for fewer than two). Throws "incompatible types: ..." otherwise.
 * `describe` renders a type for the error (Go prints the struct with its string indexes).
 */
export function commonValueType(
  ts: readonly (ValueType | null)[],
  describe: (t: ValueType) => string = (t) => formatValueTypeStruct(t),
): ValueType | null {
  if (ts.length <= 1) return null;
  let min = ts[0];
  for (const t of ts.slice(1)) {
    if (!compatibleValueTypes(min, t)) {
      throw new Error(`incompatible types: ${describe(min as ValueType)} ${describe(t as ValueType)}`);
    }
    // Go would dereference nil here; profiles read by us always carry the types.
    if (t === null || min === null) continue;
    if (scaleValue(1, t.unit, min.unit)[0] < 1) min = t;
  }
  return min === null ? null : { type: min.type, unit: min.unit };
}
