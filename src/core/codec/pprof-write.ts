// Encoder for pprof's profile.proto, the inverse of pprof-proto.ts: walks the
// columnar model and writes bytes directly (no intermediate message objects).
// Field order and packing follow pprof's own encoder (encode.go), so files we
// write look like the ones `go tool pprof -proto` writes.

import { Buffer } from "node:buffer";
import type { Profile } from "../model/index.js";
import { gzip } from "../input/index.js";

const VARINT = 0;
const LEN = 2;
const TWO32 = 4294967296;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Append-only byte buffer with protobuf primitives. */
class Writer {
  buf: Uint8Array;
  pos = 0;
  constructor(cap: number) {
    this.buf = new Uint8Array(Math.max(cap, 256));
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
  }

  /** Varint of a uint64 given as two uint32 halves. */
  varint64(lo: number, hi: number): void {
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    while (hi !== 0 || lo > 0x7f) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi = hi >>> 7;
    }
    buf[p++] = lo;
    this.pos = p;
  }

  /** Varint of an integer-valued number; negatives become 10-byte two's complement (int64). */
  varint(v: number): void {
    if (v >= 0 && v < 0x80000000 && (v | 0) === v) {
      this.ensure(5);
      const buf = this.buf;
      let p = this.pos;
      while (v > 0x7f) {
        buf[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[p++] = v;
      this.pos = p;
      return;
    }
    v = Math.trunc(v);
    if (!Number.isFinite(v)) v = 0;
    const hi = Math.floor(v / TWO32);
    this.varint64((v - hi * TWO32) >>> 0, hi >>> 0);
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** field = v, omitted when zero (proto3 default). */
  opt(field: number, v: number): void {
    if (v !== 0) {
      this.tag(field, VARINT);
      this.varint(v);
    }
  }

  bool(field: number, v: boolean): void {
    if (v) {
      this.tag(field, VARINT);
      this.varint(1);
    }
  }

  u64big(field: number, v: bigint): void {
    if (v === 0n) return;
    this.tag(field, VARINT);
    this.varint64(Number(v & 0xffffffffn), Number((v >> 32n) & 0xffffffffn));
  }

  /**
   * Starts a length-delimited field; returns the body start. One byte is
   * reserved for the length, the common case; endLen shifts the body if more are needed.
   */
  beginLen(field: number): number {
    this.tag(field, LEN);
    this.ensure(1);
    this.pos++;
    return this.pos;
  }

  endLen(start: number): void {
    const n = this.pos - start;
    if (n < 0x80) {
      this.buf[start - 1] = n;
      return;
    }
    const extra = varintSize(n) - 1;
    this.ensure(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    const end = this.pos + extra;
    this.pos = start - 1;
    this.varint(n);
    this.pos = end;
  }

  /** Repeated int64/uint64 field, packed when longer than 2 like pprof's encoder. */
  repeated(field: number, get: (i: number) => number, n: number): void {
    if (n > 2) {
      const s = this.beginLen(field);
      for (let i = 0; i < n; i++) this.varint(get(i));
      this.endLen(s);
      return;
    }
    for (let i = 0; i < n; i++) {
      this.tag(field, VARINT);
      this.varint(get(i));
    }
  }

  string(field: number, s: string): void {
    this.tag(field, LEN);
    const n = s.length;
    // ASCII fast path: UTF-8 length equals string length.
    this.ensure(n + 5);
    const mark = this.pos;
    this.varint(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = mark;
        this.utf8String(s);
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  private utf8String(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/**
 * String indexes for the encoded table: the model's table as is (its indexes
 * are already in the columns), plus any strings the model keeps as plain JS
 * strings (sample types, mappings, comments...) that the table lacks.
 */
class StringIndex {
  readonly list: string[];
  private map: Map<string, number> | null = null;
  constructor(list: readonly string[]) {
    this.list = list.slice();
    if (this.list.length === 0 || this.list[0] !== "") this.list.unshift("");
  }
  of(s: string): number {
    if (s === "") return 0;
    if (this.map === null) {
      this.map = new Map();
      for (let i = this.list.length - 1; i > 0; i--) this.map.set(this.list[i], i);
    }
    let i = this.map.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.map.set(s, i);
    }
    return i;
  }
}

function encodeSamples(w: Writer, p: Profile): void {
  const { samples, labels, locations } = p;
  const nv = p.sampleTypes.length;
  const { values, stack, stackStart, labelStart } = samples;
  const locId = locations.id;
  for (let i = 0; i < samples.length; i++) {
    const s = w.beginLen(2);
    const s0 = stackStart[i];
    w.repeated(1, (k) => locId[stack[s0 + k]], stackStart[i + 1] - s0);
    const v0 = i * nv;
    w.repeated(2, (k) => values[v0 + k], nv);
    for (let l = labelStart[i]; l < labelStart[i + 1]; l++) {
      const ls = w.beginLen(3);
      w.opt(1, labels.key[l]);
      if (labels.str[l] !== 0) w.opt(2, labels.str[l]);
      else {
        w.opt(3, labels.num[l]);
        w.opt(4, labels.unit[l]);
      }
      w.endLen(ls);
    }
    w.endLen(s);
  }
}

function encodeMappings(w: Writer, p: Profile, strs: StringIndex): void {
  for (const m of p.mappings) {
    const s = w.beginLen(3);
    w.opt(1, m.id);
    w.u64big(2, m.start);
    w.u64big(3, m.limit);
    w.u64big(4, m.offset);
    w.opt(5, strs.of(m.file));
    w.opt(6, strs.of(m.buildId));
    w.bool(7, m.hasFunctions);
    w.bool(8, m.hasFilenames);
    w.bool(9, m.hasLineNumbers);
    w.bool(10, m.hasInlineFrames);
    w.endLen(s);
  }
}

/** Address halves without BigInt math where the platform allows. */
function addressHalves(a: BigUint64Array): Uint32Array {
  if (LITTLE_ENDIAN) return new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  const out = new Uint32Array(a.length * 2);
  for (let i = 0; i < a.length; i++) {
    out[2 * i] = Number(a[i] & 0xffffffffn);
    out[2 * i + 1] = Number(a[i] >> 32n);
  }
  return out;
}

function encodeLocations(w: Writer, p: Profile): void {
  const { locations: L, lines, functions, mappings } = p;
  const addr = addressHalves(L.address);
  for (let i = 0; i < L.length; i++) {
    const s = w.beginLen(4);
    w.opt(1, L.id[i]);
    const m = L.mapping[i];
    if (m >= 0) w.opt(2, mappings[m].id);
    const lo = addr[2 * i];
    const hi = addr[2 * i + 1];
    if (lo !== 0 || hi !== 0) {
      w.tag(3, VARINT);
      w.varint64(lo, hi);
    }
    for (let ln = L.lineStart[i]; ln < L.lineStart[i + 1]; ln++) {
      const f = lines.func[ln];
      // pprof rejects a line without a function, so such lines are not written.
      if (f < 0) continue;
      const ls = w.beginLen(4);
      w.opt(1, functions.id[f]);
      w.opt(2, lines.line[ln]);
      w.opt(3, lines.column[ln]);
      w.endLen(ls);
    }
    w.bool(5, L.isFolded[i] !== 0);
    w.endLen(s);
  }
}

function encodeFunctions(w: Writer, p: Profile): void {
  const F = p.functions;
  for (let i = 0; i < F.length; i++) {
    const s = w.beginLen(5);
    w.opt(1, F.id[i]);
    w.opt(2, F.name[i]);
    w.opt(3, F.systemName[i]);
    w.opt(4, F.filename[i]);
    w.opt(5, F.startLine[i]);
    w.endLen(s);
  }
}

function estimateSize(p: Profile): number {
  let strBytes = 0;
  for (const s of p.strings.all()) strBytes += s.length + 2;
  return (
    1024 +
    p.samples.length * 8 +
    p.samples.stack.length * 3 +
    p.samples.values.length * 5 +
    p.labels.length * 10 +
    p.locations.length * 20 +
    p.lines.length * 10 +
    p.functions.length * 16 +
    strBytes
  );
}

/** Encodes a profile as an uncompressed profile.proto message. */
export function encodeProfile(p: Profile): Uint8Array {
  const w = new Writer(estimateSize(p));
  const strs = new StringIndex(p.strings.all());
  for (const st of p.sampleTypes) {
    const s = w.beginLen(1);
    w.opt(1, strs.of(st.type));
    w.opt(2, strs.of(st.unit));
    w.endLen(s);
  }
  encodeSamples(w, p);
  encodeMappings(w, p, strs);
  encodeLocations(w, p);
  encodeFunctions(w, p);
  // Resolve every remaining string before writing the table.
  const drop = strs.of(p.dropFrames);
  const keep = strs.of(p.keepFrames);
  const pt = p.periodType ? [strs.of(p.periodType.type), strs.of(p.periodType.unit)] : [0, 0];
  const comments = p.comments.map((c) => strs.of(c));
  const defaultType = strs.of(p.defaultSampleType);
  const docUrl = strs.of(p.docUrl);
  for (const s of strs.list) w.string(6, s);
  w.opt(7, drop);
  w.opt(8, keep);
  w.u64big(9, BigInt.asUintN(64, p.timeNanos));
  w.opt(10, p.durationNanos);
  if (pt[0] !== 0 || pt[1] !== 0) {
    const s = w.beginLen(11);
    w.opt(1, pt[0]);
    w.opt(2, pt[1]);
    w.endLen(s);
  }
  w.opt(12, p.period);
  w.repeated(13, (i) => comments[i], comments.length);
  // pprof always writes default_sample_type, even when 0.
  w.tag(14, VARINT);
  w.varint(defaultType);
  w.opt(15, docUrl);
  return w.finish();
}

/** Encodes a profile as gzipped profile.proto, like pprof's Profile.Write. */
export function writeProfileGz(p: Profile, level = 6): Uint8Array {
  return gzip(encodeProfile(p), level);
}
