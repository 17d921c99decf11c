// pprof's -tagroot / -tagleaf (internal/driver/tagroot.go addLabelNodes): pseudo
// frames "value" (file = the label key) at the root or leaf of every sample's stack,
// so a flame graph splits by labels such as service or stage. As in pprof this runs
// before filtering, so --focus and friends can match the pseudo frames.
// The source profile is left untouched: we return a copy with extended tables.

import { Profile, copyHeader } from "../../core/model/index.js";
import { scaledLabel } from "../../core/measure/index.js";

export interface LabelNodesResult {
  profile: Profile;
  rootMatched: boolean;
  leafMatched: boolean;
  /** function rows from here on are the pseudo frames */
  firstLabelFunction: number;
}

export function splitKeys(s: string): string[] {
  return s.split(",").filter((k) => k !== "");
}

export function addLabelNodes(p: Profile, rootKeys: string[], leafKeys: string[], outputUnit: string): LabelNodesResult {
  const nf0 = p.functions.length;
  const nl0 = p.locations.length;
  const nln0 = p.lines.length;
  const newFuncNames: number[] = [];
  const newFuncFiles: number[] = [];
  const locByKey = new Map<string, number>();
  const strings = p.strings;
  const internLoc = (name: string, file: string): number => {
    const key = `${name}\u0000${file}`;
    let loc = locByKey.get(key);
    if (loc === undefined) {
      loc = nl0 + newFuncNames.length;
      newFuncNames.push(strings.intern(name));
      newFuncFiles.push(strings.intern(file));
      locByKey.set(key, loc);
    }
    return loc;
  };
  const values = (sample: number, key: string): string[] => {
    const strs: string[] = [];
    const nums: string[] = [];
    for (let r = p.samples.labelStart[sample]; r < p.samples.labelStart[sample + 1]; r++) {
      if (strings.get(p.labels.key[r]) !== key) continue;
      if (p.labels.str[r] !== 0) strs.push(strings.get(p.labels.str[r]));
      else if (p.labels.unit[r] !== 0) nums.push(scaledLabel(p.labels.num[r], strings.get(p.labels.unit[r]), outputUnit));
      else nums.push(scaledLabel(p.labels.num[r], "", ""));
    }
    return [...strs, ...nums];
  };
  const labelLocs = (sample: number, keys: string[]): { locs: number[]; match: boolean } => {
    const locs: number[] = [];
    let match = false;
    for (let i = keys.length - 1; i >= 0; i--) {
      const vs = values(sample, keys[i]);
      if (vs.length > 0) match = true;
      locs.push(internLoc(vs.join(","), keys[i]));
    }
    return { locs, match };
  };

  let rootMatched = false;
  let leafMatched = false;
  const n = p.samples.length;
  const stackStart = new Uint32Array(n + 1);
  const stack: number[] = [];
  for (let s = 0; s < n; s++) {
    const roots = labelLocs(s, rootKeys);
    const leaves = labelLocs(s, leafKeys);
    rootMatched ||= roots.match;
    leafMatched ||= leaves.match;
    stackStart[s] = stack.length;
    stack.push(...leaves.locs);
    for (let k = p.samples.stackStart[s]; k < p.samples.stackStart[s + 1]; k++) stack.push(p.samples.stack[k]);
    stack.push(...roots.locs);
  }
  stackStart[n] = stack.length;

  const added = newFuncNames.length;
  const grow = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array | BigUint64Array>(a: T, extra: number, make: (n: number) => T): T => {
    const b = make(a.length + extra);
    (b as unknown as { set(x: T): void }).set(a);
    return b;
  };
  const maxFnId = p.functions.id.reduce((m, v) => Math.max(m, v), 0);
  const maxLocId = p.locations.id.reduce((m, v) => Math.max(m, v), 0);
  const fId = grow(p.functions.id, added, (k) => new Float64Array(k));
  const fName = grow(p.functions.name, added, (k) => new Uint32Array(k));
  const fSys = grow(p.functions.systemName, added, (k) => new Uint32Array(k));
  const fFile = grow(p.functions.filename, added, (k) => new Uint32Array(k));
  const fStart = grow(p.functions.startLine, added, (k) => new Float64Array(k));
  const lId = grow(p.locations.id, added, (k) => new Float64Array(k));
  const lMap = grow(p.locations.mapping, added, (k) => new Int32Array(k));
  const lAddr = grow(p.locations.address, added, (k) => new BigUint64Array(k));
  const lFolded = grow(p.locations.isFolded, added, (k) => new Uint8Array(k));
  const lLineStart = grow(p.locations.lineStart, added, (k) => new Uint32Array(k));
  const lnFunc = grow(p.lines.func, added, (k) => new Int32Array(k));
  const lnLine = grow(p.lines.line, added, (k) => new Float64Array(k));
  const lnCol = grow(p.lines.column, added, (k) => new Float64Array(k));
  for (let i = 0; i < added; i++) {
    const f = nf0 + i;
    fId[f] = maxFnId + 1 + i;
    fName[f] = newFuncNames[i];
    fSys[f] = 0;
    fFile[f] = newFuncFiles[i];
    const l = nl0 + i;
    lId[l] = maxLocId + 1 + i;
    lMap[l] = -1;
    lLineStart[l] = nln0 + i;
    lLineStart[l + 1] = nln0 + i + 1;
    lnFunc[nln0 + i] = f;
  }
  const out = new Profile({
    strings,
    functions: { length: nf0 + added, id: fId, name: fName, systemName: fSys, filename: fFile, startLine: fStart },
    locations: {
      length: nl0 + added,
      id: lId,
      mapping: lMap,
      address: lAddr,
      isFolded: lFolded,
      lineStart: lLineStart.subarray(0, nl0 + added + 1),
    },
    lines: { length: nln0 + added, func: lnFunc, line: lnLine, column: lnCol },
    samples: {
      length: n,
      values: p.samples.values,
      stackStart,
      stack: Uint32Array.from(stack),
      labelStart: p.samples.labelStart,
    },
    labels: p.labels,
  });
  copyHeader(out, p);
  out.extras = p.extras;
  return { profile: out, rootMatched, leafMatched, firstLabelFunction: nf0 };
}
