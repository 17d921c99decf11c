// profile.Merge on the columnar model: merge several profiles into a new, compacted one.
//
// Output order is pprof's, because -raw and -traces print in it: samples in
// first-occurrence order, and mappings, locations and functions numbered 1..N in
// the order the merge first touches them (the first source's first mapping first,
// then as samples are walked leaf to root). Deduplication keys are pprof's too,
// including its quirks (see mapLocation).

import { Profile, type Mapping, StringTable } from "../model/index.js";
import { checkCompatible } from "./scale.js";

const U64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** Go's string order (UTF-8 bytes = code points); UTF-16 order differs only around surrogates. */
export function goCompareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** pprof's mapping key: size rounded up to 4 KiB, file offset, and build id (else file name). */
function mappingKey(m: Mapping): string {
  let size = U64(m.limit - m.start);
  size = U64(size + 0xfffn);
  size -= size % 0x1000n;
  return `${size}:${m.offset}:${m.buildId !== "" ? m.buildId : m.file}`;
}

/**
 * Hash index over dense entries 0..n-1: buckets by hash, chained through `next`,
 * so keys are compared as numbers, never built as strings. Walk a chain with
 * head(h) / next[i], skipping entries whose hash[i] differs.
 */
class Chain {
  private buckets = new Int32Array(1024).fill(-1);
  readonly next: number[] = [];
  readonly hash: number[] = [];
  head(h: number): number {
    return this.buckets[h & (this.buckets.length - 1)];
  }
  add(h: number, i: number): void {
    if (i >= this.buckets.length) this.grow();
    const b = h & (this.buckets.length - 1);
    this.next[i] = this.buckets[b];
    this.hash[i] = h;
    this.buckets[b] = i;
  }
  private grow(): void {
    const n = this.hash.length;
    this.buckets = new Int32Array(this.buckets.length * 4).fill(-1);
    const mask = this.buckets.length - 1;
    for (let i = 0; i < n; i++) {
      const b = this.hash[i] & mask;
      this.next[i] = this.buckets[b];
      this.buckets[b] = i;
    }
  }
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return h ^ (h >>> 15);
}
/** Mix an integer-valued float64 (beyond int32 too). */
function mixNum(h: number, x: number): number {
  return mix(mix(h, x | 0), (x / 4294967296) | 0);
}

/** pprof's key slot "" (a line without a function); no int64 equals it. */
const EMPTY = 1e300;

/** Little-endian 32-bit halves of a BigUint64Array (every platform Node runs on). */
function halves(a: BigUint64Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
}

class Merger {
  readonly strings = new StringTable();
  readonly mappings: Mapping[] = [];
  private readonly mappingKeys = new Map<string, number>();
  /** out mapping start, as 32-bit halves */
  private readonly mStartLo: number[] = [];
  private readonly mStartHi: number[] = [];

  private readonly fName: number[] = [];
  private readonly fSys: number[] = [];
  private readonly fFile: number[] = [];
  private readonly fStart: number[] = [];
  private readonly funcChain = new Chain();

  private readonly lMap: number[] = [];
  private readonly lAddr: number[] = []; // lo, hi pairs
  private readonly lFolded: number[] = [];
  private readonly lLineStart: number[] = [0];
  private readonly lnFunc: number[] = [];
  private readonly lnLine: number[] = [];
  private readonly lnCol: number[] = [];
  /** per out location: its key's relative address halves and the 2n+1 meaningful line slots */
  private readonly lRelLo: number[] = [];
  private readonly lRelHi: number[] = [];
  private readonly lSlotStart: number[] = [0];
  private readonly lSlots: number[] = [];
  private readonly locChain = new Chain();

  // Sized for the worst case (no sample merges) up front: the hot loop never grows them.
  private readonly sValues: Float64Array;
  private readonly sStackStart: Uint32Array;
  private readonly sStack: Uint32Array;
  private nStack = 0;
  private readonly sLabelStart: number[] = [0];
  private readonly sLabelKey: (string | null)[] = [];
  private readonly labKey: number[] = [];
  private readonly labStr: number[] = [];
  private readonly labNum: number[] = [];
  private readonly labUnit: number[] = [];
  private readonly sampleChain = new Chain();
  private nSamples = 0;

  // Per-source memo tables (pprof's *ByID maps), indexed by source row.
  private src!: Profile;
  private addr32!: Uint32Array;
  private strMap!: Int32Array;
  private mapRow!: Int32Array;
  private mapOffLo!: Uint32Array;
  private mapOffHi!: Uint32Array;
  private funcRow!: Int32Array;
  private locRow!: Int32Array;
  private readonly slots: number[] = [];
  private rows = new Int32Array(64);

  constructor(
    private readonly nt: number,
    srcs: readonly Profile[],
  ) {
    let ns = 0;
    let nst = 0;
    for (const p of srcs) {
      ns += p.samples.length;
      nst += p.samples.stackStart[p.samples.length];
    }
    this.sValues = new Float64Array(ns * nt);
    this.sStackStart = new Uint32Array(ns + 1);
    this.sStack = new Uint32Array(nst);
  }

  addSource(src: Profile): void {
    this.src = src;
    this.addr32 = halves(src.locations.address);
    this.strMap = new Int32Array(src.strings.length).fill(-1);
    this.mapRow = new Int32Array(src.mappings.length).fill(-1);
    this.mapOffLo = new Uint32Array(src.mappings.length);
    this.mapOffHi = new Uint32Array(src.mappings.length);
    this.funcRow = new Int32Array(src.functions.length).fill(-1);
    this.locRow = new Int32Array(src.locations.length).fill(-1);
    // The first mapping is the main binary: keep it first.
    if (this.mappings.length === 0 && src.mappings.length > 0) this.mapMapping(0);

    const s = src.samples;
    const nt = this.nt;
    const vals = s.values;
    for (let i = 0; i < s.length; i++) {
      let zero = true;
      for (let t = 0; t < nt; t++) {
        if (vals[i * nt + t] !== 0) {
          zero = false;
          break;
        }
      }
      if (!zero) this.mapSample(i);
    }
  }

  private str(i: number): number {
    let o = this.strMap[i];
    if (o < 0) {
      o = this.strings.intern(this.src.strings.get(i));
      this.strMap[i] = o;
    }
    return o;
  }

  private mapMapping(row: number): number {
    const o = this.mapRow[row];
    if (o >= 0) return o;
    const m = this.src.mappings[row];
    const key = mappingKey(m);
    const found = this.mappingKeys.get(key);
    if (found !== undefined) {
      this.mapRow[row] = found;
      // Same binary loaded elsewhere: shift its addresses onto the kept mapping.
      const off = U64(this.mappings[found].start - m.start);
      this.mapOffLo[row] = Number(off & 0xffffffffn);
      this.mapOffHi[row] = Number(off >> 32n);
      return found;
    }
    const idx = this.mappings.length;
    this.mappings.push({ ...m, id: idx + 1 });
    this.mStartLo.push(Number(m.start & 0xffffffffn));
    this.mStartHi.push(Number(m.start >> 32n));
    this.mappingKeys.set(key, idx);
    this.mapRow[row] = idx;
    return idx;
  }

  private mapFunction(row: number): number {
    const o = this.funcRow[row];
    if (o >= 0) return o;
    const f = this.src.functions;
    const name = this.str(f.name[row]);
    const sys = this.str(f.systemName[row]);
    const file = this.str(f.filename[row]);
    const start = f.startLine[row];
    const h = mixNum(mix(mix(mix(0, name), sys), file), start);
    let out = this.funcChain.head(h);
    for (; out >= 0; out = this.funcChain.next[out]) {
      const same =
        this.funcChain.hash[out] === h &&
        this.fName[out] === name &&
        this.fSys[out] === sys &&
        this.fFile[out] === file &&
        this.fStart[out] === start;
      if (same) break;
    }
    if (out < 0) {
      out = this.fName.length;
      this.fName.push(name);
      this.fSys.push(sys);
      this.fFile.push(file);
      this.fStart.push(start);
      this.funcChain.add(h, out);
    }
    this.funcRow[row] = out;
    return out;
  }

  private mapLocation(row: number): number {
    const o = this.locRow[row];
    if (o >= 0) return o;
    const L = this.src.locations;
    const lines = this.src.lines;
    const mi = L.mapping[row];
    const om = mi >= 0 ? this.mapMapping(mi) : -1;
    let lo = this.addr32[row * 2];
    let hi = this.addr32[row * 2 + 1];
    let relLo = lo;
    let relHi = hi;
    if (om >= 0) {
      // address += offset; key address = address - mapping start (mod 2^64)
      const sum = lo + this.mapOffLo[mi];
      lo = sum >>> 0;
      hi = (hi + this.mapOffHi[mi] + (sum > 0xffffffff ? 1 : 0)) >>> 0;
      const diff = lo - this.mStartLo[om];
      relLo = diff >>> 0;
      relHi = (hi - this.mStartHi[om] - (diff < 0 ? 1 : 0)) >>> 0;
    }
    const folded = L.isFolded[row];
    const a = L.lineStart[row];
    const n = L.lineStart[row + 1] - a;
    // pprof's Location.key fills 3n slots at i*2, i*2+1, i*2+2: line i's column
    // is overwritten by line i+1's function id when it has one. Slots past 2n stay "".
    const slots = this.slots;
    slots.length = n > 0 ? 2 * n + 1 : 0;
    for (let i = 0; i < n; i++) {
      const f = lines.func[a + i];
      if (i === 0 || f >= 0) slots[i * 2] = f >= 0 ? this.mapFunction(f) + 1 : EMPTY;
      slots[i * 2 + 1] = lines.line[a + i];
      slots[i * 2 + 2] = lines.column[a + i];
    }
    let h = mix(mix(mix(mix(mix(0, relLo), relHi), om), folded), n);
    for (let i = 0; i < slots.length; i++) h = mixNum(h, slots[i]);

    const chain = this.locChain;
    for (let c = chain.head(h); c >= 0; c = chain.next[c]) {
      const differ =
        chain.hash[c] !== h ||
        this.lRelLo[c] !== relLo ||
        this.lRelHi[c] !== relHi ||
        this.lMap[c] !== om ||
        this.lFolded[c] !== folded;
      if (differ) continue;
      const s0 = this.lSlotStart[c];
      if (this.lSlotStart[c + 1] - s0 !== slots.length) continue;
      let same = true;
      for (let i = 0; i < slots.length && same; i++) same = this.lSlots[s0 + i] === slots[i];
      if (same) {
        this.locRow[row] = c;
        return c;
      }
    }
    const out = this.lMap.length;
    this.lMap.push(om);
    this.lAddr.push(lo, hi);
    this.lFolded.push(folded);
    this.lRelLo.push(relLo);
    this.lRelHi.push(relHi);
    for (let i = 0; i < slots.length; i++) this.lSlots.push(slots[i]);
    this.lSlotStart.push(this.lSlots.length);
    for (let k = a; k < a + n; k++) {
      const f = lines.func[k];
      this.lnFunc.push(f >= 0 ? this.funcRow[f] : -1);
      this.lnLine.push(lines.line[k]);
      this.lnCol.push(lines.column[k]);
    }
    this.lLineStart.push(this.lnFunc.length);
    chain.add(h, out);
    this.locRow[row] = out;
    return out;
  }

  private mapSample(i: number): void {
    const s = this.src.samples;
    const nt = this.nt;
    const k0 = s.stackStart[i];
    const depth = s.stackStart[i + 1] - k0;
    if (this.rows.length < depth) this.rows = new Int32Array(depth * 2);
    const rows = this.rows;
    let h = 0;
    const locRow = this.locRow;
    const stack = s.stack;
    for (let k = 0; k < depth; k++) {
      let r = locRow[stack[k0 + k]];
      if (r < 0) r = this.mapLocation(stack[k0 + k]);
      rows[k] = r;
      h = mix(h, r);
    }
    h = mix(h, depth);
    const la = s.labelStart[i];
    const lb = s.labelStart[i + 1];
    const labels = la === lb ? null : this.canonicalLabels(la, lb);
    const lkey = labels === null || labels.key === "" ? null : labels.key;
    if (lkey !== null) for (let c = 0; c < lkey.length; c++) h = mix(h, lkey.charCodeAt(c));

    const vals = s.values;
    const chain = this.sampleChain;
    for (let c = chain.head(h); c >= 0; c = chain.next[c]) {
      const s0 = this.sStackStart[c];
      if (chain.hash[c] !== h || this.sStackStart[c + 1] - s0 !== depth || this.sLabelKey[c] !== lkey) continue;
      let same = true;
      for (let k = 0; k < depth && same; k++) same = this.sStack[s0 + k] === rows[k];
      if (same) {
        for (let t = 0; t < nt; t++) this.sValues[c * nt + t] += vals[i * nt + t];
        return;
      }
    }
    const n = this.nSamples;
    for (let t = 0; t < nt; t++) this.sValues[n * nt + t] = vals[i * nt + t];
    this.sStack.set(rows.subarray(0, depth), this.nStack);
    this.nStack += depth;
    this.sStackStart[n + 1] = this.nStack;
    if (labels !== null) {
      const lr = labels.rows;
      for (let k = 0; k < lr.length; k += 4) {
        this.labKey.push(lr[k]);
        this.labStr.push(lr[k + 1]);
        this.labNum.push(lr[k + 2]);
        this.labUnit.push(lr[k + 3]);
      }
    }
    this.sLabelStart.push(this.labKey.length);
    this.sLabelKey.push(lkey);
    chain.add(h, this.nSamples++);
  }

  /**
   * A sample's labels as pprof's maps see them: string labels and numeric labels
   * grouped by key, keys sorted, values in order; numeric units kept only if any is set.
   * Returns the identity key and the rows (key, str, num, unit) in that canonical order.
   */
  private canonicalLabels(a: number, b: number): { key: string; rows: number[] } {
    const lab = this.src.labels;
    const strs = new Map<number, number[]>();
    const nums = new Map<number, { nums: number[]; units: number[]; anyUnit: boolean }>();
    for (let r = a; r < b; r++) {
      const k = this.str(lab.key[r]);
      if (lab.str[r] !== 0) {
        const v = strs.get(k);
        if (v) v.push(this.str(lab.str[r]));
        else strs.set(k, [this.str(lab.str[r])]);
      } else {
        if (lab.num[r] === 0 && lab.unit[r] === 0) continue; // pprof never holds these
        let g = nums.get(k);
        if (!g) nums.set(k, (g = { nums: [], units: [], anyUnit: false }));
        g.nums.push(lab.num[r]);
        const u = lab.unit[r] === 0 ? 0 : this.str(lab.unit[r]);
        g.units.push(u);
        if (u !== 0) g.anyUnit = true;
      }
    }
    const order = (m: Map<number, unknown>): number[] =>
      [...m.keys()].sort((x, y) => goCompareStrings(this.strings.get(x), this.strings.get(y)));
    let key = "";
    const rows: number[] = [];
    for (const k of order(strs)) {
      const vs = strs.get(k) as number[];
      key += `s${k}=${vs.join(",")};`;
      for (const v of vs) rows.push(k, v, 0, 0);
    }
    for (const k of order(nums)) {
      const g = nums.get(k) as { nums: number[]; units: number[]; anyUnit: boolean };
      key += `n${k}=${g.nums.join(",")}`;
      if (g.anyUnit) key += `u${g.units.join(",")}`;
      key += ";";
      for (let j = 0; j < g.nums.length; j++) rows.push(k, 0, g.nums[j], g.anyUnit ? g.units[j] : 0);
    }
    return { key, rows };
  }

  /** Whether some merged sample sums to all zeros (e.g. +x and -x). */
  hasZeroSample(): boolean {
    const nt = this.nt;
    const d = this.sValues;
    for (let i = 0; i < this.nSamples; i++) {
      let zero = true;
      for (let t = 0; t < nt && zero; t++) if (d[i * nt + t] !== 0) zero = false;
      if (zero) return true;
    }
    return false;
  }

  build(): Profile {
    const nf = this.fName.length;
    const nl = this.lMap.length;
    const ids = (n: number): Float64Array => {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = i + 1;
      return a;
    };
    const address = new BigUint64Array(nl);
    halves(address).set(this.lAddr);
    const p = new Profile({
      strings: this.strings,
      functions: {
        length: nf,
        id: ids(nf),
        name: Uint32Array.from(this.fName),
        systemName: Uint32Array.from(this.fSys),
        filename: Uint32Array.from(this.fFile),
        startLine: Float64Array.from(this.fStart),
      },
      locations: {
        length: nl,
        id: ids(nl),
        mapping: Int32Array.from(this.lMap),
        address,
        isFolded: Uint8Array.from(this.lFolded),
        lineStart: Uint32Array.from(this.lLineStart),
      },
      lines: {
        length: this.lnFunc.length,
        func: Int32Array.from(this.lnFunc),
        line: Float64Array.from(this.lnLine),
        column: Float64Array.from(this.lnCol),
      },
      samples: {
        length: this.nSamples,
        values: this.sValues.slice(0, this.nSamples * this.nt),
        stackStart: this.sStackStart.slice(0, this.nSamples + 1),
        stack: this.sStack.slice(0, this.nStack),
        labelStart: Uint32Array.from(this.sLabelStart),
      },
      labels: {
        length: this.labKey.length,
        key: Uint32Array.from(this.labKey),
        str: Uint32Array.from(this.labStr),
        num: Float64Array.from(this.labNum),
        unit: Uint32Array.from(this.labUnit),
      },
    });
    p.mappings = this.mappings;
    return p;
  }
}

/** combineHeaders (compatibility already checked): combine the header fields as pprof does. */
function combineHeaders(srcs: readonly Profile[], out: Profile): void {
  const first = srcs[0];
  let timeNanos = 0n;
  let durationNanos = 0;
  let period = 0;
  const comments: string[] = [];
  const seen = new Set<string>();
  let docUrl = "";
  let defaultSampleType = "";
  for (const s of srcs) {
    // Literal pprof: a later zero time resets it ("earliest nonzero" only mostly holds).
    if (timeNanos === 0n || s.timeNanos < timeNanos) timeNanos = s.timeNanos;
    durationNanos += s.durationNanos;
    if (period === 0 || period < s.period) period = s.period;
    for (const c of s.comments) {
      if (!seen.has(c)) {
        comments.push(c);
        seen.add(c);
      }
    }
    if (defaultSampleType === "") defaultSampleType = s.defaultSampleType;
    if (docUrl === "") docUrl = s.docUrl;
  }
  out.sampleTypes = first.sampleTypes.map((t) => ({ ...t }));
  out.dropFrames = first.dropFrames;
  out.keepFrames = first.keepFrames;
  out.timeNanos = timeNanos;
  out.durationNanos = durationNanos;
  out.periodType = first.periodType === null ? null : { ...first.periodType };
  out.period = period;
  out.comments = comments;
  out.defaultSampleType = defaultSampleType;
  out.docUrl = docUrl;
  out.extras = { ...first.extras };
}

/**
 * profile.Merge: a new profile holding all samples of srcs, identical samples
 * summed, all-zero samples dropped, and unused rows gone. Throws pprof's errors
 * for no input or incompatible sample/period types.
 */
export function mergeProfiles(srcs: readonly Profile[]): Profile {
  if (srcs.length === 0) throw new Error("no profiles to merge");
  // Checked before any work, as pprof's combineHeaders does.
  for (const s of srcs.slice(1)) checkCompatible(srcs[0], s);
  const m = new Merger(srcs[0].sampleTypes.length, srcs);
  for (const s of srcs) m.addSource(s);
  const zero = m.hasZeroSample();
  const p = m.build();
  combineHeaders(srcs, p);
  // Samples that summed to zero: merge once more to drop them and their rows.
  return zero ? mergeProfiles([p]) : p;
}

/** profile.Compact: drop unused mappings, locations and functions (a one-profile merge). */
export function compactProfile(p: Profile): Profile {
  return mergeProfiles([p]);
}
