// The Go benchmark format (golang.org/design/14313-benchmark-format), read the
// way golang.org/x/perf/benchfmt reads it: `key: value` configuration lines,
// `Unit <unit> key=value...` metadata lines, `Benchmark<Name> <iters> (<value> <unit>)+`
// result lines; everything else is ignored. Hand-written: no npm library reads
// this format, and benchstat's exact behaviour (tidied units, config ordering,
// syntax-error wording) is what we must reproduce.

import { InputError } from "../../core/input/index.js";
import { tidyUnit } from "../benchstat/units.js";

export interface BenchConfig {
  readonly key: string;
  readonly value: string;
  /** a file-level key from the input (false for internal keys like .file) */
  readonly file: boolean;
}

export interface BenchValue {
  value: number;
  unit: string;
  /** the value and unit before tidying (ns/op → sec/op), when they differ */
  origValue?: number;
  origUnit?: string;
}

export interface BenchResult {
  readonly kind: "result";
  /** configuration in effect for this line (shared, never mutated) */
  readonly config: readonly BenchConfig[];
  /** full name without the "Benchmark" prefix, e.g. Encode/format=json-48 */
  readonly name: string;
  readonly iters: number;
  values: BenchValue[];
  readonly file: string;
  readonly line: number;
}

export interface BenchSyntaxError {
  readonly kind: "syntax";
  readonly file: string;
  readonly line: number;
  readonly msg: string;
}

export interface UnitMetadata {
  readonly unit: string;
  readonly key: string;
  readonly origUnit: string;
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

export type BenchRecord = BenchResult | BenchSyntaxError;

function syntaxError(file: string, line: number, msg: string): BenchSyntaxError {
  return { kind: "syntax", file, line, msg };
}

export function syntaxErrorString(e: BenchSyntaxError): string {
  return `${e.file}:${e.line}: ${e.msg}`;
}

/** Unit metadata across all inputs, keyed by tidied unit and key (as benchfmt.UnitMetadataMap). */
export class UnitMetadataMap {
  readonly entries = new Map<string, UnitMetadata>();

  get(unit: string, key: string): UnitMetadata | undefined {
    return this.entries.get(tidyUnit(unit).unit + "\u0000" + key);
  }

  /** "exact" when declared `assume=exact`, else "nothing" (benchstat's two summaries). */
  assumption(unit: string): "exact" | "nothing" {
    return this.get(unit, "assume")?.value === "exact" ? "exact" : "nothing";
  }

  /** +1 higher is better, -1 lower is better, 0 unknown. */
  better(unit: string): number {
    const b = this.get(unit, "better");
    if (b !== undefined) return b.value === "higher" ? 1 : b.value === "lower" ? -1 : 0;
    switch (unit) {
      case "ns/op":
      case "sec/op":
      case "B/op":
      case "allocs/op":
        return -1;
      case "MB/s":
      case "B/s":
        return 1;
    }
    return 0;
  }
}

// Go's unicode.IsSpace.
function isSpaceCode(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 ||
    c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** benchfmt's splitField: the next space-delimited field and the rest after the spaces. */
function splitField(s: string, from: number): [string, number] {
  let i = from;
  while (i < s.length && !isSpaceCode(s.charCodeAt(i))) i++;
  const field = s.slice(from, i);
  while (i < s.length && isSpaceCode(s.charCodeAt(i))) i++;
  return [field, i];
}

const LOWER = /\p{Ll}/u;
const UPPER = /\p{Lu}/u;

/** `key: value` with a key starting lower-case and holding no spaces or upper-case letters. */
function parseKeyValueLine(line: string): [string, string] | null {
  let colon = -1;
  for (const [i, ch] of iterChars(line)) {
    if (i === 0 && !LOWER.test(ch)) return null;
    if (isSpaceCode(ch.codePointAt(0)!) || UPPER.test(ch)) return null;
    if (i > 0 && ch === ":") {
      colon = i;
      break;
    }
  }
  if (colon <= 0) return null;
  let val = line.slice(colon + 1);
  if (val.length === 0) return [line.slice(0, colon), ""];
  if (val[0] !== " " && val[0] !== "\t") return null;
  let j = 0;
  while (j < val.length && (val[j] === " " || val[j] === "\t")) j++;
  val = val.slice(j);
  return [line.slice(0, colon), val];
}

function* iterChars(s: string): Generator<[number, string]> {
  let i = 0;
  for (const ch of s) {
    yield [i, ch];
    i += ch.length;
  }
}

const INT_RE = /^[+-]?[0-9]+$/;
const DEC_RE = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?[0-9]+)$/;
const SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;

/** strconv.Atoi's outcome: the integer or Go's error text. */
function atoi(s: string): number | string {
  if (!INT_RE.test(s)) return "invalid syntax";
  const n = Number(s);
  if (!Number.isSafeInteger(n) && Math.abs(n) > 9.223372036854776e18) return "value out of range";
  return n;
}

/** strconv.ParseFloat(s, 64)'s outcome: the number or Go's error text. */
export function parseGoFloat(s: string): number | string {
  // Decimal first (the common case; it and the special words cannot both match).
  if (DEC_RE.test(s)) {
    const v = Number(s);
    return Number.isFinite(v) ? v : "value out of range";
  }
  const sp = SPECIAL_RE.exec(s);
  if (sp) {
    if (sp[2].toLowerCase() === "nan") return NaN;
    return sp[1] === "-" ? -Infinity : Infinity;
  }
  const h = HEX_RE.exec(s);
  if (h && (h[2].length > 0 || h[3].length > 0)) {
    const mant = parseInt(h[2] + h[3] || "0", 16) / 16 ** h[3].length;
    const v = mant * 2 ** Number(h[4]);
    if (!Number.isFinite(v)) return "value out of range";
    return h[1] === "-" ? -v : v;
  }
  return "invalid syntax";
}

/** bufio.Scanner's default token limit: longer lines end the read with an error. */
const MAX_LINE_BYTES = 64 * 1024;

// Exact powers of ten (10^22 is the largest a float64 holds exactly).
const POW10: number[] = [];
for (let i = 0; i <= 22; i++) POW10.push(Number(`1e${i}`));

/** The end of the space-free field starting at `i` (before `end`). */
function fieldEnd(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x80 ? isSpaceCode(c) : false) break;
    i++;
  }
  return i;
}

/** The first non-space position at or after `i` (before `end`). */
function skipSpaces(s: string, i: number, end: number): number {
  while (i < end && isSpaceCode(s.charCodeAt(i))) i++;
  return i;
}

/** s[a, b) as an integer without allocating when it is [+-]digits of at most 15 digits, else NaN (use atoi). */
function fastInt(s: string, a: number, b: number): number {
  let i = a;
  const c0 = s.charCodeAt(i);
  const neg = c0 === 45; /* - */
  if (neg || c0 === 43 /* + */) i++;
  if (i === b || b - i > 15) return NaN;
  let m = 0;
  for (; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
    m = m * 10 + (c - 48);
  }
  return neg ? -m : m;
}

/**
 * s[a, b) as a float64 without allocating, for plain decimals of at most 15
 * digits and 22 fraction digits (Clinger's fast path: integer mantissa and power
 * of ten are both exact, so one division rounds exactly as ParseFloat does);
 * NaN when the field needs the general parser.
 */
function fastDecimal(s: string, a: number, b: number): number {
  let i = a;
  let neg = false;
  let c = s.charCodeAt(i);
  if (c === 43 /* + */ || c === 45 /* - */) {
    neg = c === 45;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < b; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 /* . */ && frac < 0) frac = 0;
    else return NaN;
  }
  if (digits === 0) return NaN;
  if (digits > 15 || frac > 22) {
    // Still plain decimal syntax (what ParseFloat and Number agree on): let Number round it.
    const v = Number(s.slice(a, b));
    return Number.isFinite(v) ? v : NaN;
  }
  const v = frac > 0 ? m / POW10[frac] : m;
  return neg ? -v : v;
}

/**
 * Reads benchmark results from one or more inputs, like benchfmt.Files: each
 * input starts with fresh configuration (plus `.file` = its label), while unit
 * metadata accumulates across inputs.
 *
 * Result lines are parsed in place in the input text (no per-line or
 * per-field strings): consecutive lines usually repeat the previous line's
 * name and units, so those strings are reused instead of sliced again, which
 * also makes the later Map lookups on them hit cached hashes.
 */
export class BenchReader {
  readonly units = new UnitMetadataMap();
  private lastName = "";
  private readonly lastUnits: string[] = [];
  private readonly lastTidy: { unit: string; factor: number }[] = [];
  private readonly scratch: BenchValue[] = [];

  /** Parse one input's text; calls onRecord for each result or syntax error. */
  read(text: string, fileName: string, label: string, onRecord: (r: BenchRecord) => void): void {
    const cfg: BenchConfig[] = [{ key: ".file", value: label, file: false }];
    let snapshot: readonly BenchConfig[] | null = null;
    let lineNo = 0;
    let pos = 0;
    while (pos < text.length) {
      let nl = text.indexOf("\n", pos);
      if (nl < 0) nl = text.length;
      const ls = pos;
      let le = nl;
      pos = nl + 1;
      if (le > ls && text.charCodeAt(le - 1) === 13 /* \r */) le--;
      if (le - ls >= MAX_LINE_BYTES / 3 && Buffer.byteLength(text.slice(ls, le)) >= MAX_LINE_BYTES) {
        throw new InputError(fileName, "bufio.Scanner: token too long", undefined, lineNo + 1);
      }
      lineNo++;
      if (text.startsWith("Benchmark", ls) && le - ls >= 9) {
        snapshot ??= Object.freeze(cfg.slice());
        const r = this.parseBenchmarkLine(text, ls, le, snapshot, fileName, lineNo);
        if (r !== null) onRecord(r);
        continue;
      }
      if (le === ls) continue;
      const line = text.slice(ls, le);
      if (line[0] === "U") {
        const [f, rest] = splitField(line, 0);
        if (f === "Unit") {
          this.parseUnitLine(line, rest, fileName, lineNo, onRecord);
          continue;
        }
      }
      const kv = parseKeyValueLine(line);
      if (kv !== null) {
        const [key, val] = kv;
        const i = cfg.findIndex((c) => c.key === key);
        if (val.length === 0) {
          if (i >= 0) {
            // benchfmt deletes by swapping with the last key: the order matters for .config.
            cfg[i] = cfg[cfg.length - 1];
            cfg.pop();
          }
        } else if (i >= 0) cfg[i] = { key, value: val, file: true };
        else cfg.push({ key, value: val, file: true });
        snapshot = null;
      }
    }
  }

  /** The line text[ls, le) starting with "Benchmark". */
  private parseBenchmarkLine(
    text: string,
    ls: number,
    le: number,
    config: readonly BenchConfig[],
    file: string,
    lineNo: number,
  ): BenchRecord | null {
    const n0 = ls + 9; // after "Benchmark"
    const n1 = fieldEnd(text, n0, le);
    if (n1 === le) return null; // just a word
    let name = this.lastName;
    if (n1 - n0 !== name.length || !text.startsWith(name, n0)) this.lastName = name = text.slice(n0, n1);
    let at = skipSpaces(text, n1, le);
    let fe = fieldEnd(text, at, le);
    if (fe === at) return syntaxError(file, lineNo, "missing iteration count");
    let iters: number | string = fastInt(text, at, fe);
    if (Number.isNaN(iters)) {
      iters = atoi(text.slice(at, fe));
      if (typeof iters === "string") return syntaxError(file, lineNo, "parsing iteration count: " + iters);
    }
    at = skipSpaces(text, fe, le);
    const values = this.scratch;
    values.length = 0;
    for (let k = 0; ; k++) {
      fe = fieldEnd(text, at, le);
      if (fe === at) {
        if (values.length > 0) break;
        return syntaxError(file, lineNo, "missing measurements");
      }
      let val: number | string = fastDecimal(text, at, fe);
      if (Number.isNaN(val)) {
        val = parseGoFloat(text.slice(at, fe));
        if (typeof val === "string") return syntaxError(file, lineNo, "parsing measurement: " + val);
      }
      at = skipSpaces(text, fe, le);
      fe = fieldEnd(text, at, le);
      if (fe === at) return syntaxError(file, lineNo, "missing units");
      let unit = this.lastUnits[k];
      let t = this.lastTidy[k];
      if (unit === undefined || fe - at !== unit.length || !text.startsWith(unit, at)) {
        unit = text.slice(at, fe);
        t = tidyUnit(unit);
        this.lastUnits[k] = unit;
        this.lastTidy[k] = t;
      }
      at = skipSpaces(text, fe, le);
      if (t.factor === 1 && t.unit === unit) values.push({ value: val, unit, origValue: undefined, origUnit: undefined });
      else {
        const tv = val * t.factor;
        values.push(tv === val ? { value: val, unit, origValue: undefined, origUnit: undefined } : { value: tv, unit: t.unit, origValue: val, origUnit: unit });
      }
    }
    // An exact-size copy: growing a fresh array by push over-allocates for every line.
    return { kind: "result", config, name, iters, values: values.slice(), file, line: lineNo };
  }

  private parseUnitLine(
    line: string,
    from: number,
    file: string,
    lineNo: number,
    onRecord: (r: BenchRecord) => void,
  ): void {
    let [f, at] = splitField(line, from);
    if (f.length === 0) {
      onRecord({ kind: "syntax", file, line: lineNo, msg: "missing unit" });
      return;
    }
    const unit = f;
    const tidy = tidyUnit(unit).unit;
    for (;;) {
      [f, at] = splitField(line, at);
      if (f.length === 0) break;
      const eq = f.indexOf("=");
      if (eq <= 0) {
        onRecord({ kind: "syntax", file, line: lineNo, msg: "expected key=value" });
        continue;
      }
      const key = f.slice(0, eq);
      const value = f.slice(eq + 1);
      const mapKey = tidy + "\u0000" + key;
      const have = this.units.entries.get(mapKey);
      if (have !== undefined) {
        if (have.value !== value) {
          onRecord({
            kind: "syntax",
            file,
            line: lineNo,
            msg: `metadata ${key} of unit ${unit} already set to ${have.value}`,
          });
        }
        continue;
      }
      this.units.entries.set(mapKey, { unit: tidy, key, origUnit: unit, value, file, line: lineNo });
    }
  }
}

/** The base name: up to the first '/', else without the -GOMAXPROCS suffix. */
export function nameBase(name: string): string {
  const slash = name.indexOf("/");
  if (slash >= 0) return name.slice(0, slash);
  return splitGomaxprocs(name)[0];
}

/** Base name and the parts after it: "/key=value" parts then a "-N" GOMAXPROCS part. */
export function nameParts(name: string): [string, string[]] {
  const [buf, procs] = splitGomaxprocs(name);
  const parts: string[] = [];
  let prev = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === "/") {
      parts.push(buf.slice(prev, i));
      prev = i;
    }
  }
  parts.push(buf.slice(prev));
  if (procs !== null) parts.push(procs);
  return [parts[0], parts.slice(1)];
}

function splitGomaxprocs(name: string): [string, string | null] {
  for (let i = name.length - 1; i >= 0; i--) {
    const c = name.charCodeAt(i);
    if (c === 45 /* - */ && i < name.length - 1) return [name.slice(0, i), name.slice(i)];
    if (!(c >= 48 && c <= 57)) break;
  }
  return [name, null];
}

/** Input labels as benchfmt.Files assigns them: `label=path`, and `path#N` for repeated paths. */
export function inputLabels(paths: string[]): { path: string; label: string }[] {
  const count = new Map<string, number>();
  const inputs = paths.map((p) => {
    const eq = p.indexOf("=");
    if (eq >= 0) return { path: p.slice(eq + 1), label: p.slice(0, eq), labeled: true };
    count.set(p, (count.get(p) ?? 0) + 1);
    return { path: p, label: p, labeled: false };
  });
  const seen = new Map<string, number>();
  return inputs.map((inp) => {
    if (inp.labeled || count.get(inp.path) === 1) return { path: inp.path, label: inp.label };
    const n = seen.get(inp.path) ?? 0;
    seen.set(inp.path, n + 1);
    return { path: inp.path, label: `${inp.path}#${n}` };
  });
}
