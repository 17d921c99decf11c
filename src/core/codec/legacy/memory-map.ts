// The memory-map section of legacy profiles (/proc/self/maps lines, or the
// brief "start-end: file" form), and the renumbering pprof does right after
// reading it (ParseMemoryMapFromScanner): merge split mappings, move the main
// binary first, then give locations, functions and mappings fresh ids in
// first-use order and attach every location to a mapping.

import { GuardedRegExp } from "./regexp.js";
import { type LineScanner, MASK64, S, type LLocation, type LMapping, type LFunction, type LProfile, trimSpace } from "./common.js";

const HEX = "[0-9A-Fa-f]";
const cHex = `(?:0x)?(${HEX}+)`;
const cHexRange = `${S}*${cHex}[\\t\\n\\f\\r -]?${S}*${cHex}:?`;
const cPerm = `(?:${S}+([-rwxp]+))?`;
const cSpaceHex = `(?:${S}+(${HEX}+))?`;
const hexPair = `${S}+${HEX}+:${HEX}+`;
const spaceDigits = `${S}+[0-9]+`;
const cSpaceString = `(?:${S}+([^\\t\\n\\f\\r ]+))?`;
const cSpaceAtOffset = `(?:${S}+\\(@(${HEX}+)\\))?`;

// Both backtrack quadratically on long hex runs; long lines go to the linear matcher.
const procMapsSrc = `^${cHexRange}${cPerm}${cSpaceHex}${hexPair}${spaceDigits}${cSpaceString}`;
const briefMapsSrc = `^${cHexRange}${cPerm}${cSpaceString}${cSpaceAtOffset}${cSpaceHex}`;
const procMapsRE = new GuardedRegExp(new RegExp(procMapsSrc), procMapsSrc);
const briefMapsRE = new GuardedRegExp(new RegExp(briefMapsSrc), briefMapsSrc);
// glog prefix "... file.cc:123] "
const logInfoRE = /^[^[\]]+:[0-9]+\][\t\n\f\r ]/;
const libRx = /([.]so$|[.]so[._][0-9]+)/;

const SENTINELS = ["--- Memory map: ---", "MAPPED_LIBRARIES:"];

export function isMemoryMapSentinel(line: string): boolean {
  return SENTINELS.some((s) => line.includes(s));
}

function newMapping(start: bigint, limit: bigint, offset: bigint, file: string, buildId: string): LMapping {
  return {
    id: 0,
    start,
    limit,
    offset,
    file,
    buildId,
    hasFunctions: false,
    hasFilenames: false,
    hasLineNumbers: false,
    hasInlineFrames: false,
  };
}

function parseHex64(s: string): bigint | null {
  const v = BigInt("0x" + s);
  return v >> 64n === 0n ? v : null;
}

/** One map line: a mapping, null for a non-executable entry, undefined if not a map line. */
export function parseMappingEntry(l: string): LMapping | null | undefined {
  let start: string, end: string, perm: string, file: string, offset: string, buildId = "";
  let me = procMapsRE.exec(l);
  if (me) {
    [start, end, perm, offset, file] = [me[1]!, me[2]!, me[3] ?? "", me[4] ?? "", me[5] ?? ""];
  } else if ((me = briefMapsRE.exec(l))) {
    [start, end, perm, file, offset, buildId] = [me[1]!, me[2]!, me[3] ?? "", me[4] ?? "", me[5] ?? "", me[6] ?? ""];
  } else {
    return undefined;
  }
  if (perm !== "" && !perm.includes("x")) return null;
  const s = parseHex64(start);
  const e = parseHex64(end);
  if (s === null || e === null) return undefined;
  let off = 0n;
  if (offset !== "") {
    const o = parseHex64(offset);
    if (o === null) return undefined;
    off = o;
  }
  return newMapping(s, e, off, file, buildId);
}

/** strings.NewReplacer(old1, new1, ...).Replace: leftmost position, first listed pair wins. */
function replaceAll(s: string, pairs: string[]): string {
  if (pairs.length === 0) return s;
  let out = "";
  let i = 0;
  outer: while (i <= s.length) {
    for (let k = 0; k < pairs.length; k += 2) {
      const old = pairs[k];
      if (s.startsWith(old, i)) {
        out += pairs[k + 1];
        if (old.length === 0) {
          if (i < s.length) out += s[i];
          i++;
        } else {
          i += old.length;
        }
        continue outer;
      }
    }
    if (i < s.length) out += s[i];
    i++;
  }
  return out;
}

/** parseProcMapsFromScanner: the mappings in the rest of s; `attr=value` lines define $attr. */
export function parseProcMaps(s: LineScanner): LMapping[] {
  const mappings: LMapping[] = [];
  const attrs: string[] = [];
  while (s.scan()) {
    let line = s.text();
    const li = logInfoRE.exec(line);
    if (li) line = line.slice(li[0].length);
    line = replaceAll(line, attrs);
    const m = parseMappingEntry(line);
    if (m === undefined) {
      const eq = line.indexOf("=");
      if (eq >= 0) {
        attrs.push("$" + trimSpace(line.slice(0, eq)), trimSpace(line.slice(eq + 1)));
      }
      continue;
    }
    if (m !== null) mappings.push(m);
  }
  s.check();
  return mappings;
}

/** Whether m2 continues m1 (a mapping split in two). */
function adjacent(m1: LMapping, m2: LMapping): boolean {
  if (m1.file !== "" && m2.file !== "" && m1.file !== m2.file) return false;
  if (m1.buildId !== "" && m2.buildId !== "" && m1.buildId !== m2.buildId) return false;
  if (m1.limit !== m2.start) return false;
  if (m1.offset !== 0n && m2.offset !== 0n) {
    const offset = (m1.offset + (m1.limit - m1.start)) & MASK64;
    if (offset !== m2.offset) return false;
  }
  return true;
}

/** massageMappings: merge adjacent pieces, guess the main binary and put it first. */
export function massageMappings(p: LProfile): void {
  if (p.mappings.length > 1) {
    const merged: LMapping[] = [p.mappings[0]];
    for (const m of p.mappings.slice(1)) {
      const lm = merged[merged.length - 1];
      if (adjacent(lm, m)) {
        lm.limit = m.limit;
        if (m.file !== "") lm.file = m.file;
        if (m.buildId !== "") lm.buildId = m.buildId;
        for (const l of p.locations) if (l.mapping === m) l.mapping = lm;
        continue;
      }
      merged.push(m);
    }
    p.mappings = merged;
  }
  for (let i = 0; i < p.mappings.length; i++) {
    const file = trimSpace(p.mappings[i].file.split("(deleted)").join(""));
    if (file.length === 0 || libRx.test(file) || file[0] === "[") continue;
    [p.mappings[0], p.mappings[i]] = [p.mappings[i], p.mappings[0]];
    break;
  }
  p.mappings.forEach((m, i) => (m.id = i + 1));
}

let markEpoch = 0;

/** Keep only locations samples use, numbered in first-use order. */
export function remapLocationIDs(p: LProfile): void {
  const mark = ++markEpoch;
  const locs: LLocation[] = [];
  for (const s of p.samples) {
    for (const l of s.locs) {
      if (l.mark === mark) continue;
      l.mark = mark;
      l.id = locs.length + 1;
      locs.push(l);
    }
  }
  p.locations = locs;
}

export function remapFunctionIDs(p: LProfile): void {
  const seen = new Set<LFunction>();
  const fns: LFunction[] = [];
  for (const l of p.locations) {
    for (const ln of l.lines) {
      const fn = ln.fn;
      if (fn === null || seen.has(fn)) continue;
      fn.id = fns.length + 1;
      fns.push(fn);
      seen.add(fn);
    }
  }
  p.functions = fns;
}

/** Attach each location to the mapping holding its address, or to one fake all-covering mapping. */
export function remapMappingIDs(p: LProfile): void {
  if (p.mappings.length > 0) {
    const m = p.mappings[0];
    if (m.file.startsWith("/anon_hugepage") && p.mappings.length > 1 && m.limit === p.mappings[1].start) {
      p.mappings = p.mappings.slice(1);
    }
  }
  if (p.mappings.length > 0) {
    const m = p.mappings[0];
    if (((m.start - m.offset) & MASK64) === 0x400000n) {
      m.start = 0x400000n;
      m.offset = 0n;
    }
  }
  let fake: LMapping | null = null;
  next: for (const l of p.locations) {
    const a = l.address;
    if (l.mapping !== null || a === 0n) continue;
    for (const m of p.mappings) {
      if (m.start <= a && a < m.limit) {
        l.mapping = m;
        continue next;
      }
    }
    // Legacy handlers sometimes lose the first part of a split mapping.
    for (const m of p.mappings) {
      if (m.offset !== 0n && ((m.start - m.offset) & MASK64) <= a && a < m.start) {
        m.start = (m.start - m.offset) & MASK64;
        m.offset = 0n;
        l.mapping = m;
        continue next;
      }
    }
    if (fake === null) {
      fake = newMapping(0n, MASK64, 0n, "", "");
      p.mappings.push(fake);
    }
    l.mapping = fake;
  }
  p.mappings.forEach((m, i) => (m.id = i + 1));
}

/** ParseMemoryMapFromScanner: read the map from the rest of s, then renumber everything. */
export function parseMemoryMap(p: LProfile, s: LineScanner): void {
  p.mappings.push(...parseProcMaps(s));
  massageMappings(p);
  remapLocationIDs(p);
  remapFunctionIDs(p);
  remapMappingIDs(p);
}

/** parseAdditionalSections: skip to the memory-map sentinel (if any), then parse the map. */
export function parseAdditionalSections(s: LineScanner, p: LProfile): void {
  while (!isMemoryMapSentinel(s.text()) && s.scan()) {
    // skip unknown sections
  }
  s.check();
  parseMemoryMap(p, s);
}
