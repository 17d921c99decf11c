// Decoder for pprof's profile.proto, written by hand.
//
// Why not a protobuf library: a generated decoder builds one JS object per
// sample, location, line, label and function (hundreds of thousands for a
// big profile) and we would then copy them all into the columnar model. This
// decoder walks the bytes once and appends straight into typed-array columns,
// which is several times faster and allocates almost nothing per row.
//
// Decoding rules follow pprof's own decoder (proto.go / encode.go): wire
// types 0, 1, 2 and 5 only (groups are rejected), unknown fields skipped,
// repeated scalars accepted packed or unpacked, last value wins for scalars.
// Validation follows postDecode + CheckValid; every problem becomes an
// InputError carrying the byte offset of the offending field.

import { F64Column, U32Column, U8Column, emptyMapping, Profile, type Mapping, type ValueType, StringTable } from "../model/index.js";
import { Buffer } from "node:buffer";
import { InputError, type ReadLimits, isGzip, maybeGunzip } from "../input/index.js";

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
const TWO32 = 4294967296;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const WIRE_NAMES = ["varint", "fixed64", "length-delimited", "group start", "group end", "fixed32", "6", "7"];

/** Cursor over the protobuf bytes. All reads are bounded by an explicit end offset. */
class Reader {
  pos = 0;
  /** high 32 bits (as uint32) of the last varint read */
  hi = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly file: string,
  ) {}

  fail(detail: string, at: number): never {
    throw new InputError(this.file, detail, at);
  }

  /** Reads a varint of at most 10 bytes; returns its low 32 bits (uint32), sets hi. */
  varint(end: number): number {
    const buf = this.buf;
    let p = this.pos;
    if (p >= end) return this.truncatedVarint(p);
    let b = buf[p++];
    if (b < 0x80) {
      this.pos = p;
      this.hi = 0;
      return b;
    }
    let lo = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      if (p >= end) return this.truncatedVarint(p);
      b = buf[p++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        this.hi = 0;
        return lo >>> 0;
      }
    }
    if (p >= end) return this.truncatedVarint(p);
    b = buf[p++];
    lo |= (b & 0x0f) << 28;
    let hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (p >= end) return this.truncatedVarint(p);
        b = buf[p++];
        if (shift === 31) {
          // 10th byte: only its lowest bit fits in 64 bits (Go drops the rest too)
          hi |= (b & 1) << 31;
          if (b >= 0x80) this.fail("bad varint: longer than 10 bytes", this.pos);
          break;
        }
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    this.pos = p;
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  private truncatedVarint(p: number): never {
    this.fail(p >= this.buf.length ? "truncated data: varint runs past end of input" : "varint runs past end of enclosing message", this.pos);
  }

  /** uint64 as a number (exact up to 2^53). */
  u64(end: number): number {
    const lo = this.varint(end);
    return this.hi === 0 ? lo : this.hi * TWO32 + lo;
  }

  /** int64 (two's complement in 64 bits) as a number. */
  i64(end: number): number {
    const lo = this.varint(end);
    return this.hi === 0 ? lo : (this.hi | 0) * TWO32 + lo;
  }

  /** A length prefix, checked against the bytes left before end (never trusted for allocation). */
  len(end: number, at: number): number {
    const n = this.u64(end);
    if (n > end - this.pos) {
      const what = end === this.buf.length ? "end of input" : "end of enclosing message";
      this.fail(`field length ${n} runs past ${what} (${end - this.pos} bytes left)`, at);
    }
    return n;
  }

  /** Reads a length prefix and returns the end offset of the bytes it covers. */
  subEnd(end: number, at: number): number {
    const n = this.len(end, at);
    return this.pos + n;
  }

  /** Skips the value of a field of the given wire type. */
  skip(wire: number, end: number, at: number): void {
    switch (wire) {
      case VARINT:
        this.varint(end);
        return;
      case I64:
        this.fixed(8, end, at);
        return;
      case LEN: {
        const n = this.len(end, at);
        this.pos += n;
        return;
      }
      case I32:
        this.fixed(4, end, at);
        return;
      default:
        this.fail(`unsupported wire type ${wire} (${WIRE_NAMES[wire]})`, at);
    }
  }

  private fixed(n: number, end: number, at: number): void {
    if (end - this.pos < n) this.fail(`fixed${n * 8} field runs past end (${end - this.pos} bytes left)`, at);
    this.pos += n;
  }
}

/** pprof rejects a known field carrying the wrong wire type ("type mismatch"). */
function wrongWire(r: Reader, msg: string, field: number, wire: number, at: number): never {
  r.fail(`${msg} field ${field}: wrong wire type ${wire} (${WIRE_NAMES[wire]})`, at);
}

/** Sizes from a cheap pass over the top-level fields. */
interface TopCounts {
  /** messages per top-level field number (1..15) */
  byField: number[];
  /** total bytes of all Sample messages: bounds the number of stack ids + values */
  sampleBytes: number;
  /** location ids of all samples (exact for a valid profile) */
  stackIds: number;
  /** bytes of the longest packed location id list (the decoder reserves that much room at once) */
  maxPacked: number;
  /** Label messages of all samples (the decoder drops empty ones: an upper bound) */
  labels: number;
}

/** Counts top-level fields (and, inside samples, the sizes of their columns), validating the top-level framing. */
function countTop(r: Reader): TopCounts {
  const byField = new Array<number>(16).fill(0);
  const c: TopCounts = { byField, sampleBytes: 0, stackIds: 0, maxPacked: 0, labels: 0 };
  const end = r.buf.length;
  const words = new Uint32Array(r.buf.buffer, 0, r.buf.buffer.byteLength >>> 2);
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.varint(end);
    const field = r.hi === 0 ? tag >>> 3 : -1;
    const wire = tag & 7;
    // Field number 0 is invalid protobuf. pprof's decoder skips it, but real
    // profiles never hold it, and zero-filled garbage is all field-0 varints.
    if (field === 0) r.fail("invalid field number 0 (not a profile, or zero-filled data)", at);
    if (field === 2 && wire === LEN) {
      const n = r.len(end, at);
      const e = r.pos + n;
      c.sampleBytes += n;
      countSample(r.buf, words, r.pos, e, c);
      r.pos = e;
    } else r.skip(wire, end, at);
    if (field >= 1 && field <= 15) byField[field]++;
  }
  r.pos = 0;
  return c;
}

/**
 * Counts a Sample's location ids and labels, so their columns are allocated once at
 * their size: grown by doubling, the stack ids of a 304 MB profile (79M) took a 400 MB
 * buffer and the labels (6M) 168 MB plus a 120 MB copy, beside the profile's bytes.
 * A packed id list holds as many ids as bytes below 0x80 (each varint's last byte).
 * Only sizes: it stops at anything unusual (the columns then grow as needed) and
 * leaves every error to the decoder, which reports it where it meets it. A tight
 * loop over the bytes, not the Reader: it runs over every sample before decoding.
 */
function countSample(buf: Uint8Array, words: Uint32Array, p: number, end: number, c: TopCounts): void {
  while (p < end) {
    const tag = buf[p++];
    // fields 1-3 and their wire types fit one byte
    if (tag >= 0x80) return;
    const wire = tag & 7;
    if (wire === LEN) {
      // a length of at most 4 varint bytes (< 256 MiB): longer is not a real sample's field
      let n = 0;
      for (let shift = 0; ; shift += 7) {
        if (p >= end || shift > 21) return;
        const b = buf[p++];
        n |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
      const e = p + n;
      if (e > end) return;
      if (tag === ((1 << 3) | LEN)) {
        c.stackIds += n - continuationBytes(buf, words, p, e);
        if (n > c.maxPacked) c.maxPacked = n;
      } else if (tag === ((3 << 3) | LEN)) c.labels++;
      p = e;
    } else if (wire === VARINT) {
      while (p < end && buf[p] >= 0x80) p++;
      p++;
      if (tag === ((1 << 3) | VARINT)) c.stackIds++;
    } else if (wire === I64) p += 8;
    else if (wire === I32) p += 4;
    else return;
  }
}

/**
 * Bytes with the high bit set in buf[p, e): four at a time through `words` (a view of
 * buf's whole ArrayBuffer), which made the count ~4x cheaper than byte by byte.
 */
function continuationBytes(buf: Uint8Array, words: Uint32Array, p: number, e: number): number {
  const off = buf.byteOffset;
  let k = 0;
  while (p < e && ((off + p) & 3) !== 0) k += buf[p++] >>> 7;
  let w = (off + p) >>> 2;
  const we = (off + e) >>> 2;
  // the high bits moved to each byte's low bit, summed into the top byte by the multiply
  for (; w < we; w++) k += Math.imul((words[w] & 0x80808080) >>> 7, 0x01010101) >>> 24;
  for (p = Math.max(p, (w << 2) - off); p < e; p++) k += buf[p] >>> 7;
  return k;
}

/** Raw columns as read, with proto ids and string indexes not yet checked. */
class RawProfile {
  sampleTypes: number[] = []; // type, unit pairs of string indexes
  periodType: number[] | null = null;
  period = 0;
  timeNanos = 0n;
  durationNanos = 0;
  dropFrames = 0;
  keepFrames = 0;
  comments: number[] = [];
  defaultSampleType = 0;
  docUrl = 0;

  // strings: start, length pairs into the buffer
  strSpans: U32Column;

  // samples
  /** location ids of all stacks; ids above 2^32-2 are stored as BIG_ID with the real id in sStackBig */
  sStackIds: U32Column;
  sStackBig = new Map<number, number>();
  sStackStart: U32Column;
  sValues: F64Column;
  sLabelStart: U32Column;
  sCount = 0;
  /** value count of sample 0, and the first sample whose count differs */
  firstValueCount = -1;
  badValueSample = -1;

  labKey: U32Column;
  labStr: U32Column;
  labNum: F64Column;
  labUnit: U32Column;

  mappings: Mapping[] = [];
  mapFile: number[] = [];
  mapBuild: number[] = [];

  lId: F64Column;
  lMapId: F64Column;
  lAddr: U32Column; // lo, hi per location
  lFolded: U8Column;
  lLineStart: U32Column;

  lnFuncId: F64Column;
  lnLine: F64Column;
  lnCol: F64Column;

  fId: F64Column;
  fName: U32Column;
  fSys: U32Column;
  fFile: U32Column;
  fStart: F64Column;

  /** largest string index referenced, and where */
  maxStr = 0;
  maxStrAt = 0;

  constructor(c: TopCounts) {
    const n = c.byField;
    this.strSpans = new U32Column(2 * n[6]);
    const nSamples = n[2];
    // counted (countSample), plus the room packedIds makes before a list
    this.sStackIds = new U32Column(c.stackIds + c.maxPacked);
    this.sStackStart = new U32Column(nSamples + 1);
    // exact for a valid profile; each value takes at least a byte, which caps hostile counts
    this.sValues = new F64Column(Math.min(nSamples * Math.max(1, n[1]), c.sampleBytes));
    this.sLabelStart = new U32Column(nSamples + 1);
    this.labKey = new U32Column(c.labels);
    this.labStr = new U32Column(c.labels);
    this.labNum = new F64Column(c.labels);
    this.labUnit = new U32Column(c.labels);
    const nLoc = n[4];
    this.lId = new F64Column(nLoc);
    this.lMapId = new F64Column(nLoc);
    this.lAddr = new U32Column(2 * nLoc);
    this.lFolded = new U8Column(nLoc);
    this.lLineStart = new U32Column(nLoc + 1);
    this.lnFuncId = new F64Column(nLoc + (nLoc >> 3));
    this.lnLine = new F64Column(nLoc + (nLoc >> 3));
    this.lnCol = new F64Column(nLoc + (nLoc >> 3));
    const nFunc = n[5];
    this.fId = new F64Column(nFunc);
    this.fName = new U32Column(nFunc);
    this.fSys = new U32Column(nFunc);
    this.fFile = new U32Column(nFunc);
    this.fStart = new F64Column(nFunc);
    this.sStackStart.push(0);
    this.sLabelStart.push(0);
    this.lLineStart.push(0);
  }
}

/** Reads a string index, rejecting negatives now and remembering the largest for the final check. */
function strIndex(r: Reader, raw: RawProfile, end: number, at: number): number {
  const v = r.i64(end);
  if (v < 0) r.fail(`negative string index ${v}`, at);
  if (v > raw.maxStr) {
    raw.maxStr = v;
    raw.maxStrAt = at;
  }
  return v;
}

function decodeValueType(r: Reader, raw: RawProfile, end: number): number[] {
  let type = 0;
  let unit = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.varint(end);
    const field = r.hi === 0 ? tag >>> 3 : -1;
    const wire = tag & 7;
    if (field === 1 || field === 2) {
      if (wire !== VARINT) wrongWire(r, "ValueType", field, wire, at);
      const s = strIndex(r, raw, end, at);
      if (field === 1) type = s;
      else unit = s;
    } else r.skip(wire, end, at);
  }
  return [type, unit];
}

function decodeSample(r: Reader, raw: RawProfile, end: number): void {
  const values = raw.sValues;
  const valuesBefore = values.length;
  const ids = raw.sStackIds;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.varint(end);
    const field = r.hi === 0 ? tag >>> 3 : -1;
    const wire = tag & 7;
    if (field === 1) {
      if (wire === LEN) packedIds(r, r.subEnd(end, at), ids, raw.sStackBig);
      else if (wire === VARINT) pushId(ids, raw.sStackBig, r.u64(end));
      else wrongWire(r, "Sample", field, wire, at);
    } else if (field === 2) {
      if (wire === LEN) packedInto(r, r.subEnd(end, at), values, true);
      else if (wire === VARINT) values.push(r.i64(end));
      else wrongWire(r, "Sample", field, wire, at);
    } else if (field === 3) {
      if (wire !== LEN) wrongWire(r, "Sample", field, wire, at);
      const e = r.subEnd(end, at);
      decodeLabel(r, raw, e);
    } else r.skip(wire, end, at);
  }
  const n = values.length - valuesBefore;
  if (raw.firstValueCount < 0) raw.firstValueCount = n;
  else if (n !== raw.firstValueCount && raw.badValueSample < 0) raw.badValueSample = raw.sCount;
  raw.sStackStart.push(ids.length);
  raw.sLabelStart.push(raw.labKey.length);
  raw.sCount++;
}

/** Sentinel for a location id that does not fit 32 bits (real ids are kept aside). */
const BIG_ID = 0xffffffff;

function pushId(ids: U32Column, big: Map<number, number>, id: number): void {
  if (id >= BIG_ID) {
    big.set(ids.length, id);
    id = BIG_ID;
  }
  ids.push(id);
}

/**
 * Packed location ids into a Uint32 column: stacks are the bulk of a profile, and
 * 4-byte ids (resolved to rows in place later) keep a 50 MB profile's decode
 * from holding 8-byte copies of them.
 */
function packedIds(r: Reader, end: number, out: U32Column, big: Map<number, number>): void {
  const buf = r.buf;
  let p = r.pos;
  // A packed field of k bytes holds at most k ids: make room once, then a check-free loop.
  while (out.data.length - out.length < end - p) out.grow();
  const data = out.data;
  let n = out.length;
  while (p < end) {
    const b0 = buf[p];
    if (b0 < 0x80) {
      data[n++] = b0;
      p++;
      continue;
    }
    if (p + 2 < end) {
      const b1 = buf[p + 1];
      if (b1 < 0x80) {
        data[n++] = (b0 & 0x7f) | (b1 << 7);
        p += 2;
        continue;
      }
      const b2 = buf[p + 2];
      if (b2 < 0x80) {
        data[n++] = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
        p += 3;
        continue;
      }
    }
    r.pos = p;
    out.length = n;
    pushId(out, big, r.u64(end));
    n = out.length;
    p = r.pos;
  }
  out.length = n;
  r.pos = p;
}

/**
 * Appends the packed varints in [r.pos, end) to out. Stack ids and values are
 * nearly all 1-3 byte varints, decoded inline here: this loop is most of the
 * decode time, and inlining also helps the first (not yet optimized) run.
 */
function packedInto(r: Reader, end: number, out: F64Column, signed: boolean): void {
  const buf = r.buf;
  let p = r.pos;
  let data = out.data;
  let n = out.length;
  while (p < end) {
    if (n === data.length) {
      out.length = n;
      out.grow();
      data = out.data;
    }
    const b0 = buf[p];
    if (b0 < 0x80) {
      data[n++] = b0;
      p++;
      continue;
    }
    if (p + 2 < end) {
      const b1 = buf[p + 1];
      if (b1 < 0x80) {
        data[n++] = (b0 & 0x7f) | (b1 << 7);
        p += 2;
        continue;
      }
      const b2 = buf[p + 2];
      if (b2 < 0x80) {
        data[n++] = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
        p += 3;
        continue;
      }
    }
    r.pos = p;
    data[n++] = signed ? r.i64(end) : r.u64(end);
    p = r.pos;
  }
  r.pos = p;
  out.length = n;
}

function decodeLabel(r: Reader, raw: RawProfile, end: number): void {
  let key = 0;
  let str = 0;
  let num = 0;
  let unit = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.varint(end);
    const field = r.hi === 0 ? tag >>> 3 : -1;
    const wire = tag & 7;
    if (field >= 1 && field <= 4) {
      if (wire !== VARINT) wrongWire(r, "Label", field, wire, at);
      if (field === 3) num = r.i64(end);
      else {
        const s = strIndex(r, raw, end, at);
        if (field === 1) key = s;
        else if (field === 2) str = s;
        else unit = s;
      }
    } else r.skip(wire, end, at);
  }
  // pprof keeps a label only if it has a string value, or a non-zero number or unit.
  if (str === 0 && num === 0 && unit === 0) return;
  raw.labKey.push(key);
  raw.labStr.push(str);
  raw.labNum.push(str !== 0 ? 0 : num);
  raw.labUnit.push(str !== 0 ? 0 : unit);
}

function u64Big(lo: number, hi: number): bigint {
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

function decodeMapping(r: Reader, raw: RawProfile, end: number): void {
  const m: Mapping = emptyMapping(0);
  let file = 0;
  let build = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.varint(end);
    const field = r.hi === 0 ? tag >>> 3 : -1;
    const wire = tag & 7;
    if (field < 1 || field > 10) {
      r.skip(wire, end, at);
      continue;
    }
    if (wire !== VARINT) wrongWire(r, "Mapping", field, wire, at);
    if (field === 5) file = strIndex(r, raw, end, at);
    else if (field === 6) build = strIndex(r, raw, end, at);
    else {
      const lo = r.varint(end);
      const hi = r.hi;
      const nonZero = lo !== 0 || hi !== 0;
      switch (field) {
        case 1: m.id = hi * TWO32 + lo; break;
        case 2: m.start = u64Big(lo, hi); break;
        case 3: m.limit = u64Big(lo, hi); break;
        case 4: m.offset = u64Big(lo, hi); break;
        case 7: m.hasFunctions = nonZero; break;
        case 8: m.hasFilenames = nonZero; break;
        case 9: m.hasLineNumbers = nonZero; break;
        case 10: m.hasInlineFrames = nonZero; break;
      }
    }
  }
  raw.mappings.push(m);
  raw.mapFile.push(file);
  raw.mapBuild.push(build);
}

function decodeLocation(r: Reader, raw: RawProfile, end: number): void {
  let id = 0;
  let mapId = 0;
  let addrLo = 0;
  let addrHi = 0;
  let folded = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.varint(end);
    const field = r.hi === 0 ? tag >>> 3 : -1;
    const wire = tag & 7;
    if (field === 4) {
      if (wire !== LEN) wrongWire(r, "Location", field, wire, at);
      const e = r.subEnd(end, at);
      decodeLine(r, raw, e);
    } else if (field >= 1 && field <= 5) {
      if (wire !== VARINT) wrongWire(r, "Location", field, wire, at);
      if (field === 3) {
        // keep both halves: addresses may exceed 2^53
        addrLo = r.varint(end);
        addrHi = r.hi;
      } else {
        const v = r.u64(end);
        if (field === 1) id = v;
        else if (field === 2) mapId = v;
        else folded = v !== 0 ? 1 : 0;
      }
    } else r.skip(wire, end, at);
  }
  raw.lId.push(id);
  raw.lMapId.push(mapId);
  raw.lAddr.push(addrLo);
  raw.lAddr.push(addrHi);
  raw.lFolded.push(folded);
  raw.lLineStart.push(raw.lnFuncId.length);
}

function decodeLine(r: Reader, raw: RawProfile, end: number): void {
  let func = 0;
  let line = 0;
  let col = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.varint(end);
    const field = r.hi === 0 ? tag >>> 3 : -1;
    const wire = tag & 7;
    if (field >= 1 && field <= 3) {
      if (wire !== VARINT) wrongWire(r, "Line", field, wire, at);
      if (field === 1) func = r.u64(end);
      else if (field === 2) line = r.i64(end);
      else col = r.i64(end);
    } else r.skip(wire, end, at);
  }
  raw.lnFuncId.push(func);
  raw.lnLine.push(line);
  raw.lnCol.push(col);
}

function decodeFunction(r: Reader, raw: RawProfile, end: number): void {
  let id = 0;
  let name = 0;
  let sys = 0;
  let file = 0;
  let start = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.varint(end);
    const field = r.hi === 0 ? tag >>> 3 : -1;
    const wire = tag & 7;
    if (field >= 1 && field <= 5) {
      if (wire !== VARINT) wrongWire(r, "Function", field, wire, at);
      if (field === 1) id = r.u64(end);
      else if (field === 5) start = r.i64(end);
      else {
        const s = strIndex(r, raw, end, at);
        if (field === 2) name = s;
        else if (field === 3) sys = s;
        else file = s;
      }
    } else r.skip(wire, end, at);
  }
  raw.fId.push(id);
  raw.fName.push(name);
  raw.fSys.push(sys);
  raw.fFile.push(file);
  raw.fStart.push(start);
}

/** Decodes the top-level Profile message. */
function decodeTop(r: Reader, raw: RawProfile): void {
  const end = r.buf.length;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.varint(end);
    const field = r.hi === 0 ? tag >>> 3 : -1;
    const wire = tag & 7;
    if (field >= 1 && field <= 6) {
      if (wire !== LEN) wrongWire(r, "Profile", field, wire, at);
      const n = r.len(end, at);
      const e = r.pos + n;
      switch (field) {
        case 1: raw.sampleTypes.push(...decodeValueType(r, raw, e)); break;
        case 2: decodeSample(r, raw, e); break;
        case 3: decodeMapping(r, raw, e); break;
        case 4: decodeLocation(r, raw, e); break;
        case 5: decodeFunction(r, raw, e); break;
        case 6:
          if (raw.strSpans.length === 0 && n !== 0) r.fail("string_table[0] must be the empty string", at);
          raw.strSpans.push(r.pos);
          raw.strSpans.push(n);
          r.pos = e;
          break;
      }
    } else if (field === 11) {
      if (wire !== LEN) wrongWire(r, "Profile", field, wire, at);
      const e = r.subEnd(end, at);
      raw.periodType = decodeValueType(r, raw, e);
    } else if (field === 13 && wire === LEN) {
      const e = r.subEnd(end, at);
      while (r.pos < e) raw.comments.push(strIndex(r, raw, e, at));
    } else if (field >= 7 && field <= 15) {
      if (wire !== VARINT) wrongWire(r, "Profile", field, wire, at);
      decodeTopScalar(r, raw, field, end, at);
    } else r.skip(wire, end, at);
  }
}

function decodeTopScalar(r: Reader, raw: RawProfile, field: number, end: number, at: number): void {
  switch (field) {
    case 7: raw.dropFrames = strIndex(r, raw, end, at); break;
    case 8: raw.keepFrames = strIndex(r, raw, end, at); break;
    case 9:
      // pprof's signal that two encoded profiles were concatenated
      if (raw.timeNanos !== 0n) r.fail("concatenated profiles detected (time_nanos set twice)", at);
      raw.timeNanos = BigInt.asIntN(64, u64Big(r.varint(end), r.hi));
      break;
    case 10: raw.durationNanos = r.i64(end); break;
    case 12: raw.period = r.i64(end); break;
    case 13: raw.comments.push(strIndex(r, raw, end, at)); break;
    case 14: raw.defaultSampleType = strIndex(r, raw, end, at); break;
    case 15: raw.docUrl = strIndex(r, raw, end, at); break;
  }
}

// ---------------------------------------------------------------------------
// Strings

const utf8 = new TextDecoder("utf-8");

/**
 * Decodes the string table. Measured on a 23k-string profile: one latin1
 * decode of the whole byte range holding the strings, then slicing out each
 * all-ASCII string, is ~2.5x faster than a TextDecoder call per string.
 * Strings with non-ASCII bytes are decoded as UTF-8 (invalid bytes -> U+FFFD).
 */
function decodeStrings(buf: Uint8Array, spans: Uint32Array): string[] {
  const n = spans.length >> 1;
  const out = new Array<string>(n);
  let lo = buf.length;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const s = spans[2 * i];
    if (s < lo) lo = s;
    if (s + spans[2 * i + 1] > hi) hi = s + spans[2 * i + 1];
  }
  if (hi <= lo) return out.fill("");
  const region = Buffer.from(buf.buffer, buf.byteOffset + lo, hi - lo).toString("latin1");
  for (let i = 0; i < n; i++) {
    const s = spans[2 * i];
    const e = s + spans[2 * i + 1];
    let bits = 0;
    for (let j = s; j < e; j++) bits |= buf[j];
    out[i] = bits < 0x80 ? region.slice(s - lo, e - lo) : utf8.decode(buf.subarray(s, e));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Validation and id resolution

/** proto id -> row, dense array when ids are compact (the Go runtime writes 1..N), else a Map. */
class IdIndex {
  private dense: Int32Array | null = null;
  private map: Map<number, number> | null = null;
  /** first row with id 0, or a repeated id; -1 if none */
  zeroRow = -1;
  dupRow = -1;

  constructor(ids: Float64Array, n: number) {
    let max = 0;
    for (let i = 0; i < n; i++) if (ids[i] > max) max = ids[i];
    if (max <= 4 * n + 64) {
      const d = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        if (id === 0 && this.zeroRow < 0) this.zeroRow = i;
        else if (d[id] >= 0 && this.dupRow < 0) this.dupRow = i;
        else d[id] = i;
      }
      this.dense = d;
    } else {
      const m = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        if (id === 0 && this.zeroRow < 0) this.zeroRow = i;
        else if (m.has(id) && this.dupRow < 0) this.dupRow = i;
        else m.set(id, i);
      }
      this.map = m;
    }
  }

  /** Rows for ids (-1 where unknown), written into out. Returns the first index with an unknown id, or -1. */
  resolve(ids: Float64Array, n: number, out: Int32Array | Uint32Array, allowZero: boolean): number {
    const d = this.dense;
    let bad = -1;
    if (d !== null) {
      const dl = d.length;
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        const row = id < dl ? d[id] : -1;
        if (row < 0 && bad < 0 && !(allowZero && id === 0)) bad = i;
        out[i] = row;
      }
    } else {
      const m = this.map!;
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        const row = m.get(id) ?? -1;
        if (row < 0 && bad < 0 && !(allowZero && id === 0)) bad = i;
        out[i] = row;
      }
    }
    return bad;
  }

  /**
   * Replace location ids by rows in place. Stops at the first unknown id (left
   * unchanged for the error message) and returns its index, or -1.
   */
  resolveInPlace(ids: Uint32Array, n: number, big: Map<number, number>): number {
    const d = this.dense;
    const m = this.map;
    if (d !== null && big.size === 0) {
      // the common case (dense ids, all below 2^32), as one tight loop
      const dl = d.length;
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        const row = id < dl ? d[id] : -1;
        if (row < 0) return i;
        ids[i] = row;
      }
      return -1;
    }
    for (let i = 0; i < n; i++) {
      let id = ids[i];
      if (id === BIG_ID) id = big.get(i) ?? id;
      const row = d !== null ? (id < d.length ? d[id] : -1) : (m!.get(id) ?? -1);
      if (row < 0) return i;
      ids[i] = row;
    }
    return -1;
  }
}

/** Finds byte offsets of fields after the fact, so the hot path needn't record them. */
class Locator {
  private readonly r: Reader;
  constructor(buf: Uint8Array, file: string) {
    this.r = new Reader(buf, file);
  }

  /** Offset of the tag of the n-th (0-based) occurrence of `field` in [start, end), or -1. */
  nthField(start: number, end: number, field: number, n: number): number {
    const r = this.r;
    r.pos = start;
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.varint(end);
      if (tag >>> 3 === field && r.hi === 0 && n-- === 0) return at;
      r.skip(tag & 7, end, at);
    }
    return -1;
  }

  /** [start, end) of the body of the length-delimited field whose tag is at `at`. */
  body(at: number, end: number): [number, number] {
    const r = this.r;
    r.pos = at;
    r.varint(end);
    const n = r.len(end, at);
    return [r.pos, r.pos + n];
  }

  /** Offset of the k-th element of a repeated varint field (packed or not) in [start, end). */
  nthElement(start: number, end: number, field: number, k: number): number {
    const r = this.r;
    r.pos = start;
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.varint(end);
      if (tag >>> 3 === field && r.hi === 0) {
        if ((tag & 7) === LEN) {
          const e = r.subEnd(end, at);
          while (r.pos < e) {
            if (k-- === 0) return r.pos;
            r.varint(e);
          }
          continue;
        }
        if (k-- === 0) return at;
      }
      r.skip(tag & 7, end, at);
    }
    return start;
  }

  /** Number of elements of a repeated varint field (packed or not) in [start, end). */
  count(start: number, end: number, field: number): number {
    const r = this.r;
    let n = 0;
    r.pos = start;
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.varint(end);
      if (tag >>> 3 === field && r.hi === 0 && (tag & 7) === LEN) {
        const e = r.subEnd(end, at);
        for (; r.pos < e; n++) r.varint(e);
        continue;
      }
      if (tag >>> 3 === field && r.hi === 0) n++;
      r.skip(tag & 7, end, at);
    }
    return n;
  }

  /** Offset of the n-th top-level message of `field`. */
  topMessage(field: number, n: number): number {
    return this.nthField(0, this.r.buf.length, field, n);
  }
}

function checkIds(index: IdIndex, loc: Locator, r: Reader, what: string, field: number, ids: Float64Array): void {
  if (index.zeroRow >= 0) r.fail(`${what} with reserved id 0`, loc.topMessage(field, index.zeroRow));
  if (index.dupRow >= 0) r.fail(`multiple ${what}s with id ${ids[index.dupRow]}`, loc.topMessage(field, index.dupRow));
}

function buildProfile(r: Reader, raw: RawProfile): Profile {
  const loc = new Locator(r.buf, r.file);
  const spans = raw.strSpans.finish();
  const nStrings = spans.length >> 1;
  if (nStrings === 0) r.fail("malformed profile: no string table", r.buf.length);
  if (raw.maxStr >= nStrings) {
    r.fail(`string index ${raw.maxStr} out of range (string table has ${nStrings} entries)`, raw.maxStrAt);
  }
  const nTypes = raw.sampleTypes.length >> 1;
  checkSampleValues(r, raw, loc, nTypes);

  const strings = new StringTable(decodeStrings(r.buf, spans));
  const str = (i: number): string => strings.get(i);

  // Mappings
  const nMap = raw.mappings.length;
  const mapIds = new Float64Array(nMap);
  for (let i = 0; i < nMap; i++) {
    const m = raw.mappings[i];
    m.file = str(raw.mapFile[i]);
    m.buildId = str(raw.mapBuild[i]);
    mapIds[i] = m.id;
  }
  const mapIndex = new IdIndex(mapIds, nMap);
  checkIds(mapIndex, loc, r, "mapping", 3, mapIds);

  // Functions
  const nFunc = raw.fId.length;
  const fIds = raw.fId.finish();
  const funcIndex = new IdIndex(fIds, nFunc);
  checkIds(funcIndex, loc, r, "function", 5, fIds);

  // Locations
  const nLoc = raw.lId.length;
  const lIds = raw.lId.finish();
  const locIndex = new IdIndex(lIds, nLoc);
  checkIds(locIndex, loc, r, "location", 4, lIds);
  // pprof leaves a location whose mapping id is unknown without a mapping, silently.
  const lMap = new Int32Array(nLoc);
  mapIndex.resolve(raw.lMapId.data, nLoc, lMap, true);

  const lineStart = raw.lLineStart.finish();
  const nLines = raw.lnFuncId.length;
  const lnFunc = new Int32Array(nLines);
  const badLine = funcIndex.resolve(raw.lnFuncId.data, nLines, lnFunc, false);
  if (badLine >= 0) failLine(r, raw, loc, lineStart, badLine);

  // Samples: ids become rows in place
  const nStack = raw.sStackIds.length;
  // A view, not a copy, unless the pre-sized buffer is much larger than needed:
  // copying here would briefly hold the largest array of the profile twice.
  const ids = raw.sStackIds;
  const stack = ids.data.length <= nStack * 1.5 ? ids.data.subarray(0, nStack) : ids.finish();
  const sStackStart = raw.sStackStart.finish();
  const badFrame = locIndex.resolveInPlace(stack, nStack, raw.sStackBig);
  if (badFrame >= 0) failFrame(r, loc, sStackStart, raw.sStackBig.get(badFrame) ?? stack[badFrame], badFrame);

  const p = new Profile({
    strings,
    functions: {
      length: nFunc,
      id: fIds,
      name: raw.fName.finish(),
      systemName: raw.fSys.finish(),
      filename: raw.fFile.finish(),
      startLine: raw.fStart.finish(),
    },
    locations: {
      length: nLoc,
      id: lIds,
      mapping: lMap,
      address: addresses(raw.lAddr.finish(), nLoc),
      isFolded: raw.lFolded.finish(),
      lineStart,
    },
    lines: { length: nLines, func: lnFunc, line: raw.lnLine.finish(), column: raw.lnCol.finish() },
    samples: {
      length: raw.sCount,
      values: raw.sValues.finish(),
      stackStart: sStackStart,
      stack,
      labelStart: raw.sLabelStart.finish(),
    },
    labels: {
      length: raw.labKey.length,
      key: raw.labKey.finish(),
      str: raw.labStr.finish(),
      num: raw.labNum.finish(),
      unit: raw.labUnit.finish(),
    },
  });
  for (let i = 0; i < nTypes; i++) p.sampleTypes.push(valueType(str, raw.sampleTypes, i));
  p.defaultSampleType = str(raw.defaultSampleType);
  p.periodType = raw.periodType ? valueType(str, raw.periodType, 0) : null;
  p.period = raw.period;
  p.timeNanos = raw.timeNanos;
  p.durationNanos = raw.durationNanos;
  p.dropFrames = str(raw.dropFrames);
  p.keepFrames = str(raw.keepFrames);
  p.comments = raw.comments.map(str);
  p.docUrl = str(raw.docUrl);
  p.mappings = raw.mappings;
  p.extras.sourceFormat = "pprof-proto";
  return p;
}

function valueType(str: (i: number) => string, pairs: number[], i: number): ValueType {
  return { type: str(pairs[2 * i]), unit: str(pairs[2 * i + 1]) };
}

/** CheckValid: every sample carries one value per sample type. */
function checkSampleValues(r: Reader, raw: RawProfile, loc: Locator, nTypes: number): void {
  if (raw.sCount === 0) return;
  if (nTypes === 0) r.fail("missing sample type information", loc.topMessage(2, 0));
  let bad = -1;
  if (raw.firstValueCount !== nTypes) bad = 0;
  else if (raw.badValueSample >= 0) bad = raw.badValueSample;
  if (bad < 0) return;
  const at = loc.topMessage(2, bad);
  const [s, e] = loc.body(at, r.buf.length);
  const n = loc.count(s, e, 2);
  r.fail(`sample has ${n} values but the profile has ${nTypes} sample types`, at);
}

function failFrame(r: Reader, loc: Locator, stackStart: Uint32Array, badId: number, bad: number): never {
  // the sample holding stack entry `bad`: last s with stackStart[s] <= bad
  let lo = 0;
  let hi = stackStart.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (stackStart[mid] <= bad) lo = mid;
    else hi = mid - 1;
  }
  const [s, e] = loc.body(loc.topMessage(2, lo), r.buf.length);
  const at = loc.nthElement(s, e, 1, bad - stackStart[lo]);
  r.fail(`sample references unknown location id ${badId}`, at);
}

function failLine(r: Reader, raw: RawProfile, loc: Locator, lineStart: Uint32Array, bad: number): never {
  let row = 0;
  while (lineStart[row + 1] <= bad) row++;
  const [s, e] = loc.body(loc.topMessage(4, row), r.buf.length);
  const lineAt = loc.nthField(s, e, 4, bad - lineStart[row]);
  const [ls, le] = loc.body(lineAt, e);
  const fnAt = loc.nthField(ls, le, 1, 0);
  const id = raw.lnFuncId.data[bad];
  const detail = id === 0 ? "line without a function id" : `line references unknown function id ${id}`;
  r.fail(`location ${raw.lId.data[row]}: ${detail}`, fnAt >= 0 ? fnAt : lineAt);
}

/** Addresses were collected as (lo, hi) uint32 pairs; reinterpret them as uint64 without BigInt math. */
function addresses(pairs: Uint32Array, n: number): BigUint64Array {
  if (LITTLE_ENDIAN) return new BigUint64Array(pairs.buffer, pairs.byteOffset, n);
  const out = new BigUint64Array(n);
  for (let i = 0; i < n; i++) out[i] = u64Big(pairs[2 * i], pairs[2 * i + 1]);
  return out;
}

// ---------------------------------------------------------------------------
// Public API

/** Decodes an uncompressed profile.proto message into the columnar model. Throws only InputError. */
export function decodeProfile(data: Uint8Array, file: string): Profile {
  if (data.length === 0) throw new InputError(file, "empty input file");
  const r = new Reader(data, file);
  try {
    const raw = new RawProfile(countTop(r));
    decodeTop(r, raw);
    return buildProfile(r, raw);
  } catch (e) {
    if (e instanceof InputError) throw e;
    // A bug or an allocation failure: still report it as an input problem, naming the file.
    throw new InputError(file, `cannot decode profile: ${e instanceof Error ? e.message : String(e)}`, r.pos);
  }
}

/** Gunzips (if needed) and decodes a profile.proto file. */
export function readProfileData(data: Uint8Array, file: string, limits: ReadLimits): Profile {
  if (data.length > limits.maxInputBytes) {
    throw new InputError(file, `input size ${data.length} exceeds ${limits.maxInputBytes} bytes`);
  }
  return decodeProfile(maybeGunzip(data, file, limits), file);
}

// Known top-level fields of profile.proto and their wire types.
const TOP_WIRE: readonly number[] = [-1, LEN, LEN, LEN, LEN, LEN, LEN, VARINT, VARINT, VARINT, VARINT, LEN, VARINT, VARINT, VARINT, VARINT];

/**
 * Heuristic for the format sniffer: does data (already gunzipped, or gzip)
 * look like a profile.proto message? The first field must be a known
 * top-level field with its wire type, and the next few fields must parse.
 */
export function isProbablyProto(data: Uint8Array): boolean {
  if (isGzip(data)) return true;
  if (data.length === 0) return false;
  const r = new Reader(data, "");
  const end = data.length;
  try {
    for (let i = 0; i < 8 && r.pos < end; i++) {
      const at = r.pos;
      const tag = r.varint(end);
      const field = r.hi === 0 ? tag >>> 3 : -1;
      const wire = tag & 7;
      const known = field >= 1 && field < TOP_WIRE.length;
      if (known && wire !== TOP_WIRE[field] && !(field === 13 && wire === LEN)) return false;
      if (!known && (i === 0 || field === 0)) return false;
      r.skip(wire, end, at);
    }
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Mapping clean-up for legacy formats
