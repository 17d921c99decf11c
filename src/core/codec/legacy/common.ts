// Shared pieces of the legacy (pre-proto) profile readers.
//
// The readers mirror pprof's legacy_profile.go step by step, on a small
// mutable object graph (LProfile) like pprof's own, because the order in which
// pprof appends, strips and renumbers locations is what fixes the ids a report
// shows. Only at the end is the graph turned into the columnar model.
//
// Text is handled as latin1 (one char per byte) so line lengths and regular
// expressions see bytes exactly as Go does; strings that reach the model are
// re-decoded as UTF-8.

import { ProfileBuilder, type LabelInput, type LineInput, type Mapping, type Profile, type ValueType } from "../../model/index.js";

/** Legacy readers' mappings are the model's. */
export type LMapping = Mapping;

export interface LFunction {
  id: number;
  name: string;
  systemName: string;
  filename: string;
  startLine: number;
}

export interface LLine {
  fn: LFunction | null;
  line: number;
  column: number;
}

export interface LLocation {
  id: number;
  address: bigint;
  mapping: LMapping | null;
  /** never mutated in place: EMPTY_LINES is shared */
  lines: LLine[];
  /** scratch: row in the built profile */
  row: number;
  /** scratch: "seen" stamp for renumbering */
  mark: number;
}

export const EMPTY_LINES: LLine[] = [];

export interface LSample {
  locs: LLocation[];
  values: number[];
  /** numeric labels, [key, values] (pprof's Sample.NumLabel) */
  numLabels?: [string, number[]][];
}

export class LProfile {
  periodType: ValueType | null = null;
  period = 0;
  durationNanos = 0;
  sampleTypes: ValueType[] = [];
  samples: LSample[] = [];
  locations: LLocation[] = [];
  functions: LFunction[] = [];
  mappings: LMapping[] = [];
  dropFrames = "";
  keepFrames = "";
}

/** Thrown by a reader that does not recognize its input: the dispatcher tries the next one. */
export class Unrecognized extends Error {
  constructor() {
    super("unrecognized profile format");
  }
}

/** A reader recognized its format but the input is broken: parsing stops here. */
export class LegacyParseError extends Error {
  constructor(
    readonly detail: string,
    readonly line?: number,
  ) {
    super(detail);
  }
}

export const MASK64 = (1n << 64n) - 1n;

/** Go's bufio.MaxScanTokenSize: pprof's scanner fails on longer lines. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Line reader with bufio.Scanner(ScanLines) semantics: "\n" ends a line, one
 * trailing "\r" is dropped, a final unterminated line counts, and a line of
 * 64 KiB or more is an error (Go reports "token too long"; we stop there too).
 */
export class LineScanner {
  private pos = 0;
  private cur = "";
  /** 1-based number of the current line (0 before the first scan) */
  lineNo = 0;
  err: LegacyParseError | null = null;

  constructor(private readonly src: string) {}

  scan(): boolean {
    if (this.err !== null || this.pos >= this.src.length) {
      this.cur = "";
      return false;
    }
    let end = this.src.indexOf("\n", this.pos);
    const next = end < 0 ? this.src.length : end + 1;
    if (end < 0) end = this.src.length;
    if (end - this.pos >= MAX_LINE_BYTES) {
      this.err = new LegacyParseError(
        `line too long (${end - this.pos} bytes; pprof's limit is ${MAX_LINE_BYTES - 1})`,
        this.lineNo + 1,
      );
      return false;
    }
    this.lineNo++;
    let line = this.src.slice(this.pos, end);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    this.cur = line;
    this.pos = next;
    return true;
  }

  text(): string {
    return this.cur;
  }

  /** Throw the pending scanner error, as pprof does after `s.Err()`. */
  check(): void {
    if (this.err) throw this.err;
  }
}

/** Go's \s class (ASCII only), for building regular expressions. */
export const S = "[\\t\\n\\f\\r ]";

const ASCII_SPACE = " \t\n\v\f\r";

/** strings.TrimSpace for ASCII whitespace. */
export function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && ASCII_SPACE.includes(s[a])) a++;
  while (b > a && ASCII_SPACE.includes(s[b - 1])) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

export function isSpaceOrComment(line: string): boolean {
  const t = trimSpace(line);
  return t.length === 0 || t[0] === "#";
}

/** Bytes (as a latin1 string) to the UTF-8 text they encode. */
export function utf8(latin1: string): string {
   
  return /[^\x00-\x7f]/.test(latin1) ? Buffer.from(latin1, "latin1").toString("utf8") : latin1;
}

/** A short quotable excerpt of a (possibly huge) line, for error messages. */
export function excerpt(line: string, max = 80): string {
  const s = utf8(line.length > max * 4 ? line.slice(0, max * 4) : line);
  return JSON.stringify(s.length > max ? s.slice(0, max) + "..." : s);
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** strconv.ParseInt(s, 10, 64); null on syntax or range error. */
export function parseInt64(s: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  if (s.length < 16) return Number(s);
  const v = BigInt(s);
  return v > INT64_MAX || v < INT64_MIN ? null : Number(v);
}

/** strconv.ParseInt(s, 0, 64): sign, then 0x/0o/0b/0 prefixes and underscores. */
export function parseInt64Base0(s: string): number | null {
  const m = /^([+-]?)(.*)$/.exec(s)!;
  const body = m[2];
  let digits: string;
  let prefix: string;
  if (/^0[xX]/.test(body)) [prefix, digits] = ["0x", body.slice(2)];
  else if (/^0[oO]/.test(body)) [prefix, digits] = ["0o", body.slice(2)];
  else if (/^0[bB]/.test(body)) [prefix, digits] = ["0b", body.slice(2)];
  else if (/^0[0-9_]/.test(body)) [prefix, digits] = ["0o", body.slice(1)];
  else [prefix, digits] = ["", body];
  // Underscores only between digits (or right after a base prefix), as Go allows with base 0.
  if (digits.includes("_")) {
    if (!/^_?[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/.test(digits) || (prefix === "" && digits[0] === "_")) return null;
    digits = digits.replace(/_/g, "");
  }
  const cls = prefix === "0x" ? /^[0-9a-fA-F]+$/ : prefix === "0o" ? /^[0-7]+$/ : prefix === "0b" ? /^[01]+$/ : /^[0-9]+$/;
  if (body === "0") return 0;
  if (!cls.test(digits)) return null;
  let v = BigInt(prefix + digits);
  if (m[1] === "-") v = -v;
  return v > INT64_MAX || v < INT64_MIN ? null : Number(v);
}

/** strconv.ParseUint("0x...", 0, 64); null when out of range. */
export function parseHexUint64(s: string): bigint | null {
  const v = BigInt(s);
  return v > MASK64 ? null : v;
}

const hexNumberRE = /0x[0-9a-f]+/g;

/**
 * pprof's parseHexAddresses, kept as text: every 0x... in s. Throws if one
 * does not fit in 64 bits. Resolve them with LocationIndex.hex.
 */
export function parseHexAddresses(s: string): string[] {
  const out = s.match(hexNumberRE) ?? [];
  for (const h of out) {
    if (h.length > 18 && parseHexUint64(h) === null) throw new Error(`failed to parse as hex 64-bit number: ${h}`);
  }
  return out;
}

/** Go's int64 division (truncates toward zero). */
export function idiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/**
 * Address -> location, created and appended to p.locations on first use (the
 * address-keyed dedup all legacy readers share). Addresses below 2^53 are
 * keyed as numbers, which is much faster than BigInt keys.
 */
export class LocationIndex {
  private readonly small = new NumTable();
  private readonly big = new Map<bigint, LLocation>();
  constructor(private readonly p: LProfile) {}

  private create(addr: bigint): LLocation {
    const loc: LLocation = { id: 0, address: addr, mapping: null, lines: EMPTY_LINES, row: -1, mark: 0 };
    this.p.locations.push(loc);
    return loc;
  }

  /** The location of addr. */
  get(addr: bigint): LLocation {
    if (addr <= MAX_SAFE) return this.num(Number(addr));
    let loc = this.big.get(addr);
    if (loc === undefined) this.big.set(addr, (loc = this.create(addr)));
    return loc;
  }

  /** The location of the uint64 written as "0x..." minus `adjust` (wrapping), as pprof's addr--. */
  hex(h: string, adjust: 0 | 1): LLocation {
    if (h.length <= 15) {
      const v = Number(h) - adjust;
      if (v >= 0) return this.num(v);
    }
    return this.get((BigInt(h) - BigInt(adjust)) & MASK64);
  }

  /**
   * Locations of every 0x... in s (pprof's parseHexAddresses, each minus
   * `adjust`), appended to out, without allocating a string per address.
   * Throws if one does not fit in 64 bits.
   */
  hexAll(s: string, adjust: 0 | 1, out: LLocation[]): LLocation[] {
    const n = s.length;
    let i = s.indexOf("0x");
    while (i >= 0 && i + 2 < n) {
      let j = i + 2;
      let v = 0;
      for (; j < n; j++) {
        const c = s.charCodeAt(j);
        if (c >= 48 && c <= 57) v = v * 16 + (c - 48);
        else if (c >= 97 && c <= 102) v = v * 16 + (c - 87);
        else break;
      }
      if (j === i + 2) {
        i = s.indexOf("0x", i + 1);
        continue;
      }
      if (j - i <= 15 && v - adjust >= 0) {
        out.push(this.num(v - adjust));
      } else {
        const h = s.slice(i, j);
        const big = parseHexUint64(h);
        if (big === null) throw new Error(`failed to parse as hex 64-bit number: ${h}`);
        out.push(this.get((big - BigInt(adjust)) & MASK64));
      }
      i = s.indexOf("0x", j);
    }
    return out;
  }

  /** An existing location, or undefined. */
  lookup(addr: bigint): LLocation | undefined {
    return addr <= MAX_SAFE ? this.small.get(Number(addr)) : this.big.get(addr);
  }

  private num(v: number): LLocation {
    let loc = this.small.get(v);
    if (loc === undefined) this.small.set(v, (loc = this.create(BigInt(v))));
    return loc;
  }
}

/** Open-addressing hash map from non-negative safe integers to locations (several times faster than Map). */
class NumTable {
  private keys = new Float64Array(1024);
  private vals: (LLocation | undefined)[] = new Array(1024);
  private size = 0;
  private mask = 1023;

  private slot(v: number): number {
    const lo = v >>> 0;
    const hi = (v / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    return h & this.mask;
  }

  get(v: number): LLocation | undefined {
    for (let i = this.slot(v); ; i = (i + 1) & this.mask) {
      const x = this.vals[i];
      if (x === undefined || this.keys[i] === v) return x;
    }
  }

  set(v: number, loc: LLocation): void {
    if ((this.size + 1) * 2 > this.mask) this.grow();
    let i = this.slot(v);
    while (this.vals[i] !== undefined && this.keys[i] !== v) i = (i + 1) & this.mask;
    if (this.vals[i] === undefined) this.size++;
    this.keys[i] = v;
    this.vals[i] = loc;
  }

  private grow(): void {
    const { keys, vals } = this;
    const cap = (this.mask + 1) * 2;
    this.keys = new Float64Array(cap);
    this.vals = new Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (vals[i] !== undefined) this.set(keys[i], vals[i]!);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The profiler may record the leaf twice (from the signal context and from
 * unwinding, the latter adjusted by -1); drop the copy.
 */
export function cleanupDuplicateLocations(p: LProfile): void {
  for (const s of p.samples) {
    if (s.locs.length > 1 && s.locs[0].address === ((s.locs[1].address + 1n) & MASK64)) {
      s.locs.splice(1, 1);
    }
  }
}

/** Convert the finished object graph to the columnar model, keeping every id and order. */
export function toProfile(p: LProfile): Profile {
  const b = new ProfileBuilder();
  b.sampleTypes = p.sampleTypes.map((t) => ({ type: t.type, unit: t.unit }));
  b.periodType = p.periodType ? { ...p.periodType } : null;
  b.period = p.period;
  b.durationNanos = p.durationNanos;
  b.dropFrames = p.dropFrames;
  b.keepFrames = p.keepFrames;

  const mapRow = new Map<LMapping, number>();
  for (const m of p.mappings) {
    mapRow.set(m, b.mappings.length);
    b.mappings.push({
      id: m.id,
      start: m.start,
      limit: m.limit,
      offset: m.offset,
      file: utf8(m.file),
      buildId: utf8(m.buildId),
      hasFunctions: m.hasFunctions,
      hasFilenames: m.hasFilenames,
      hasLineNumbers: m.hasLineNumbers,
      hasInlineFrames: m.hasInlineFrames,
    });
  }
  const fnRow = new Map<LFunction, number>();
  for (const f of p.functions) {
    fnRow.set(f, b.addFunction(utf8(f.name), utf8(f.systemName), utf8(f.filename), f.startLine, f.id));
  }
  for (const l of p.locations) l.row = -1;
  const noLines: LineInput[] = [];
  const addLoc = (l: LLocation): number => {
    const lines: LineInput[] =
      l.lines.length === 0
        ? noLines
        : l.lines.map((ln) => ({ func: ln.fn ? (fnRow.get(ln.fn) ?? -1) : -1, line: ln.line, column: ln.column }));
    const mrow = l.mapping ? (mapRow.get(l.mapping) ?? -1) : -1;
    return (l.row = b.addLocation(lines, l.address, mrow, false, l.id));
  };
  for (const l of p.locations) addLoc(l);
  const stack: number[] = [];
  for (const s of p.samples) {
    stack.length = 0;
    for (const l of s.locs) stack.push(l.row >= 0 ? l.row : addLoc(l));
    let labels: LabelInput[] | undefined;
    if (s.numLabels) {
      labels = [];
      for (const [key, vals] of s.numLabels) for (const v of vals) labels.push({ key, num: v });
    }
    b.addSample(stack, s.values, labels);
  }
  return b.build();
}
