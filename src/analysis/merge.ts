// profile.Merge on the columnar model: merge several profiles into a new, compacted one.
//
// Output order is pprof's, because -raw and -traces print in it: samples in
// first-occurrence order, and mappings, locations and functions numbered 1..N in
// the order the merge first touches them (the first source's first mapping first,
// then as samples are walked leaf to root). Deduplication keys are pprof's too,
// including its quirks (see locationKey).

import { F64Column, I32Column, U32Column, U64Column, U8Column } from "../model/columns.js";
import { Profile, type Mapping } from "../model/profile.js";
import { StringTable } from "../model/strings.js";
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

class Merger {
  readonly strings = new StringTable();
  readonly mappings: Mapping[] = [];
  private readonly mappingKeys = new Map<string, number>();

  private readonly fName = new U32Column();
  private readonly fSys = new U32Column();
  private readonly fFile = new U32Column();
  private readonly fStart = new F64Column();
  private readonly funcKeys = new Map<string, number>();

  private readonly lMap = new I32Column();
  private readonly lAddr = new U64Column();
  private readonly lFolded = new U8Column();
  private readonly lLineStart = new U32Column();
  private readonly lnFunc = new I32Column();
  private readonly lnLine = new F64Column();
  private readonly lnCol = new F64Column();
  private readonly locKeys = new Map<string, number>();

  private readonly sValues = new F64Column();
  private readonly sStackStart = new U32Column();
  private readonly sStack = new U32Column();
  private readonly sLabelStart = new U32Column();
  private readonly labKey = new U32Column();
  private readonly labStr = new U32Column();
  private readonly labNum = new F64Column();
  private readonly labUnit = new U32Column();
  private readonly sampleKeys = new Map<string, number>();
  private nSamples = 0;

  // Per-source memo tables (pprof's *ByID maps), indexed by source row.
  private src!: Profile;
  private strMap!: Int32Array;
  private mapRow!: Int32Array;
  private mapOff: bigint[] = [];
  private funcRow!: Int32Array;
  private locRow!: Int32Array;

  constructor(private readonly nt: number) {
    this.lLineStart.push(0);
    this.sStackStart.push(0);
    this.sLabelStart.push(0);
  }

  addSource(src: Profile): void {
    this.src = src;
    this.strMap = new Int32Array(src.strings.length).fill(-1);
    this.mapRow = new Int32Array(src.mappings.length).fill(-1);
    this.mapOff = new Array<bigint>(src.mappings.length).fill(0n);
    this.funcRow = new Int32Array(src.functions.length).fill(-1);
    this.locRow = new Int32Array(src.locations.length).fill(-1);
    // The first mapping is the main binary: keep it first.
    if (this.mappings.length === 0 && src.mappings.length > 0) this.mapMapping(0);

    const s = src.samples;
    const nt = this.nt;
    const vals = s.values;
    const stackRows: number[] = [];
    for (let i = 0; i < s.length; i++) {
      let zero = true;
      for (let t = 0; t < nt; t++) {
        if (vals[i * nt + t] !== 0) {
          zero = false;
          break;
        }
      }
      if (!zero) this.mapSample(i, stackRows);
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
      this.mapOff[row] = U64(this.mappings[found].start - m.start);
      return found;
    }
    const idx = this.mappings.length;
    this.mappings.push({ ...m, id: idx + 1 });
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
    const key = `${name},${sys},${file},${start}`;
    let out = this.funcKeys.get(key);
    if (out === undefined) {
      out = this.fName.length;
      this.fName.push(name);
      this.fSys.push(sys);
      this.fFile.push(file);
      this.fStart.push(start);
      this.funcKeys.set(key, out);
    }
    this.funcRow[row] = out;
    return out;
  }

  private readonly lineFuncs: number[] = [];

  private mapLocation(row: number): number {
    const o = this.locRow[row];
    if (o >= 0) return o;
    const L = this.src.locations;
    const lines = this.src.lines;
    const mi = L.mapping[row];
    const om = mi >= 0 ? this.mapMapping(mi) : -1;
    let addr = L.address[row];
    if (om >= 0) {
      const off = this.mapOff[mi];
      if (off !== 0n) addr = U64(addr + off);
    }
    const a = L.lineStart[row];
    const b = L.lineStart[row + 1];
    const funcs = this.lineFuncs;
    funcs.length = 0;
    for (let k = a; k < b; k++) {
      const f = lines.func[k];
      funcs.push(f >= 0 ? this.mapFunction(f) : -1);
    }
    const key = this.locationKey(om, addr, L.isFolded[row], funcs, a);
    const found = this.locKeys.get(key);
    if (found !== undefined) {
      this.locRow[row] = found;
      return found;
    }
    const out = this.lMap.length;
    this.lMap.push(om);
    this.lAddr.push(addr);
    this.lFolded.push(L.isFolded[row]);
    for (let k = a; k < b; k++) {
      this.lnFunc.push(funcs[k - a]);
      this.lnLine.push(lines.line[k]);
      this.lnCol.push(lines.column[k]);
    }
    this.lLineStart.push(this.lnFunc.length);
    this.locKeys.set(key, out);
    this.locRow[row] = out;
    return out;
  }

  /**
   * pprof's Location.key, quirk included: it fills a 3n-slot list at i*2, i*2+1
   * and i*2+2, so line i's column is overwritten by line i+1's function id
   * (when it has one). Two locations differing only there merge in pprof, so here too.
   */
  private locationKey(om: number, addr: bigint, folded: number, funcs: number[], lineRow: number): string {
    let rel = addr;
    if (om >= 0) rel = U64(addr - this.mappings[om].start);
    const n = funcs.length;
    let lines = "";
    if (n > 0) {
      const slots = new Array<string>(3 * n).fill("");
      const ln = this.src.lines;
      for (let i = 0; i < n; i++) {
        if (funcs[i] >= 0) slots[i * 2] = (funcs[i] + 1).toString(16);
        slots[i * 2 + 1] = ln.line[lineRow + i].toString(16);
        slots[i * 2 + 2] = ln.column[lineRow + i].toString(16);
      }
      lines = slots.join("|");
    }
    return `${rel.toString(16)}:${om + 1}:${folded}:${lines}`;
  }

  private mapSample(i: number, stackRows: number[]): void {
    const s = this.src.samples;
    const nt = this.nt;
    stackRows.length = 0;
    for (let k = s.stackStart[i]; k < s.stackStart[i + 1]; k++) stackRows.push(this.mapLocation(s.stack[k]));
    const la = s.labelStart[i];
    const lb = s.labelStart[i + 1];
    const labels = la === lb ? null : this.canonicalLabels(la, lb);
    let key = stackRows.join(",");
    if (labels !== null) key += "|" + labels.key;

    const found = this.sampleKeys.get(key);
    const vals = s.values;
    if (found !== undefined) {
      const data = this.sValues.data;
      for (let t = 0; t < nt; t++) data[found * nt + t] += vals[i * nt + t];
      return;
    }
    for (let t = 0; t < nt; t++) this.sValues.push(vals[i * nt + t]);
    for (const r of stackRows) this.sStack.push(r);
    this.sStackStart.push(this.sStack.length);
    if (labels !== null) {
      const rows = labels.rows;
      for (let k = 0; k < rows.length; k += 4) {
        this.labKey.push(rows[k]);
        this.labStr.push(rows[k + 1]);
        this.labNum.push(rows[k + 2]);
        this.labUnit.push(rows[k + 3]);
      }
    }
    this.sLabelStart.push(this.labKey.length);
    this.sampleKeys.set(key, this.nSamples++);
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
    const d = this.sValues.data;
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
    const fid = new Float64Array(nf);
    for (let i = 0; i < nf; i++) fid[i] = i + 1;
    const lid = new Float64Array(nl);
    for (let i = 0; i < nl; i++) lid[i] = i + 1;
    const p = new Profile({
      strings: this.strings,
      functions: {
        length: nf,
        id: fid,
        name: this.fName.finish(),
        systemName: this.fSys.finish(),
        filename: this.fFile.finish(),
        startLine: this.fStart.finish(),
      },
      locations: {
        length: nl,
        id: lid,
        mapping: this.lMap.finish(),
        address: this.lAddr.finish(),
        isFolded: this.lFolded.finish(),
        lineStart: this.lLineStart.finish(),
      },
      lines: {
        length: this.lnFunc.length,
        func: this.lnFunc.finish(),
        line: this.lnLine.finish(),
        column: this.lnCol.finish(),
      },
      samples: {
        length: this.nSamples,
        values: this.sValues.finish(),
        stackStart: this.sStackStart.finish(),
        stack: this.sStack.finish(),
        labelStart: this.sLabelStart.finish(),
      },
      labels: {
        length: this.labKey.length,
        key: this.labKey.finish(),
        str: this.labStr.finish(),
        num: this.labNum.finish(),
        unit: this.labUnit.finish(),
      },
    });
    p.mappings = this.mappings;
    return p;
  }
}

/** combineHeaders (compatibility already checked): combine the header fields as pprof does. */
function combineHeaders(srcs: readonly Profile[], out: Profile): void {
  const first = srcs[0];
  let timeNanos = 0;
  let durationNanos = 0;
  let period = 0;
  const comments: string[] = [];
  const seen = new Set<string>();
  let docUrl = "";
  let defaultSampleType = "";
  for (const s of srcs) {
    // Literal pprof: a later zero time resets it ("earliest nonzero" only mostly holds).
    if (timeNanos === 0 || s.timeNanos < timeNanos) timeNanos = s.timeNanos;
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
  const m = new Merger(srcs[0].sampleTypes.length);
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
