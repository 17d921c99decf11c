// Legacy heap profiles: Go's heap?debug=1 text ("heap profile: N: M [A: B] @ heap/R"),
// C++ heapz/heapz_v2, growthz and fragmentationz — pprof's parseHeap.
//
// Besides what pprof reads we keep the `# runtime.MemStats` block Go appends
// (pprof skips it as comments) in profile.extras.memStats, and offer
// symbolizeFromComments, which names frames from the `#\t0x...\tfunc+0x..\tfile:line`
// lines. Default parsing stays identical to pprof: addresses only.

import { ProfileBuilder, type LabelInput, type LineInput, type Mapping, type Profile, StringTable } from "../../model/index.js";
import {
  LegacyParseError,
  LineScanner,
  LocationIndex,
  LProfile,
  Unrecognized,
  excerpt,
  idiv,
  isSpaceOrComment,
  parseInt64,
  trimSpace,
  type LLocation,
} from "./common.js";
import { execAtRunStarts, isDigit } from "./regexp.js";
import { isMemoryMapSentinel, parseAdditionalSections } from "./memory-map.js";

const heapHeaderRE = /heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] *@ *(heap[_a-z0-9]*)\/?(\d*)/;
// Unanchored in pprof; tried once per digit run (see execAtRunStarts) to stay linear.
const heapSampleRE = /(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *] @([ x0-9a-f]*)/y;
const growthHeaderRE = /heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] @ growthz?/;
const fragmentationHeaderRE = /heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] @ fragmentationz?/;

export type MemStats = Record<string, number | number[]>;

/**
 * Undo heap sampling: a sample of average size S survives rate R with
 * probability 1-exp(-S/R), so divide by that (pprof's scaleHeapSample).
 */
export function scaleHeapSample(count: number, size: number, rate: number): [number, number] {
  if (count === 0 || size === 0) return [0, 0];
  if (rate <= 1) return [count, size];
  const avgSize = size / count;
  const scale = 1 / (1 - Math.exp(-avgSize / rate));
  return [Math.trunc(count * scale), Math.trunc(size * scale)];
}

interface HeapHeader {
  sampling: "" | "v2";
  period: number;
  hasAlloc: boolean;
}

function parseHeapHeader(h: RegExpExecArray): HeapHeader {
  let period = 0;
  if (h[6].length > 0) {
    const v = parseInt64(h[6]);
    if (v === null) throw new Unrecognized();
    period = v;
  }
  const hasAlloc = (h[3] !== h[1] && h[3] !== "0") || (h[4] !== h[2] && h[4] !== "0");
  switch (h[5]) {
    case "heapz_v2":
    case "heap_v2":
      return { sampling: "v2", period, hasAlloc };
    case "heapprofile":
      return { sampling: "", period: 1, hasAlloc };
    case "heap":
      // Go writes 2*MemProfileRate here, for old C++ pprof's sake.
      return { sampling: "v2", period: idiv(period, 2), hasAlloc };
    default:
      throw new Unrecognized();
  }
}

/** One sample row: values (alloc pair first when present), the block size label, raw addresses. */
function parseHeapSample(
  line: string,
  lineNo: number,
  rate: number,
  sampling: string,
  includeAlloc: boolean,
  locs: LocationIndex,
): { values: number[]; blocksize: number; sloc: LLocation[] } {
  const m = execAtRunStarts(heapSampleRE, line, isDigit, (c) => c === 45 /* - */);
  if (m === null) {
    throw new LegacyParseError(`heap profile: malformed sample line ${excerpt(line)} (want "N: BYTES [N: BYTES] @ 0x...")`, lineNo);
  }
  const values: number[] = [];
  let blocksize = 0;
  const add = (countStr: string, sizeStr: string, label: string): void => {
    let count = parseInt64(countStr);
    let size = parseInt64(sizeStr);
    if (count === null || size === null) {
      throw new LegacyParseError(`heap profile: malformed sample ${excerpt(line)}: value out of range`, lineNo);
    }
    if (count === 0 && size !== 0) {
      throw new LegacyParseError(`heap profile: ${label} count was 0 but ${label} bytes was ${size}`, lineNo);
    }
    if (count !== 0) {
      blocksize = idiv(size, count);
      if (sampling === "v2") [count, size] = scaleHeapSample(count, size, rate);
    }
    values.push(count, size);
  };
  if (includeAlloc) add(m[3], m[4], "allocation");
  add(m[1], m[2], "inuse");
  // Stack addresses are return addresses: step back onto the call.
  const sloc: LLocation[] = [];
  try {
    locs.hexAll(m[5], 1, sloc);
  } catch (e) {
    throw new LegacyParseError(`heap profile: malformed sample ${excerpt(line)}: ${(e as Error).message}`, lineNo);
  }
  return { values, blocksize, sloc };
}

const memStatsLineRE = /^#[\t ]*([A-Za-z_][A-Za-z0-9_]*)[\t ]*=[\t ]*(.*)$/;
// "# Stack = inuse / sys" and friends, under their runtime.MemStats field names.
const PAIR_FIELDS: Record<string, [string, string]> = {
  Stack: ["StackInuse", "StackSys"],
  MSpan: ["MSpanInuse", "MSpanSys"],
  MCache: ["MCacheInuse", "MCacheSys"],
};
const NUM = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Record one `# Name = value` line of the runtime.MemStats block. */
function addMemStat(stats: MemStats, line: string): void {
  const m = memStatsLineRE.exec(line);
  if (m === null) return;
  const [, key, raw] = m;
  const val = trimSpace(raw);
  if (val.startsWith("[") && val.endsWith("]")) {
    const parts = val.slice(1, -1).trim().split(/\s+/).filter((x) => x !== "");
    if (parts.every((x) => NUM.test(x))) stats[key] = parts.map(Number);
    return;
  }
  const pair = /^(\S+)\s*\/\s*(\S+)$/.exec(val);
  if (pair && NUM.test(pair[1]) && NUM.test(pair[2])) {
    const names = PAIR_FIELDS[key];
    if (names) {
      stats[names[0]] = Number(pair[1]);
      stats[names[1]] = Number(pair[2]);
    } else {
      stats[key] = [Number(pair[1]), Number(pair[2])];
    }
    return;
  }
  if (val === "true" || val === "false") stats[key] = val === "true" ? 1 : 0;
  else if (NUM.test(val)) stats[key] = Number(val);
}

/** pprof's parseHeap. src is the input as latin1. */
export function parseHeap(src: string): { profile: LProfile; memStats?: MemStats; truncation?: string } {
  const s = new LineScanner(src);
  if (!s.scan()) {
    s.check();
    throw new Unrecognized();
  }
  const p = new LProfile();
  p.periodType = { type: "space", unit: "bytes" };
  let hdr: HeapHeader = { sampling: "", period: 0, hasAlloc: false };
  const line1 = s.text();
  let h: RegExpExecArray | null;
  if ((h = heapHeaderRE.exec(line1))) {
    hdr = parseHeapHeader(h);
  } else if (growthHeaderRE.test(line1) || fragmentationHeaderRE.test(line1)) {
    hdr.period = 1;
  } else {
    throw new Unrecognized();
  }
  p.period = hdr.period;
  p.sampleTypes = hdr.hasAlloc
    ? [
        // alloc first, so a default report picks inuse_space (the last type).
        { type: "alloc_objects", unit: "count" },
        { type: "alloc_space", unit: "bytes" },
        { type: "inuse_objects", unit: "count" },
        { type: "inuse_space", unit: "bytes" },
      ]
    : [
        { type: "objects", unit: "count" },
        { type: "space", unit: "bytes" },
      ];

  let memStats: MemStats | undefined;
  const locs = new LocationIndex(p);
  while (s.scan()) {
    const line = trimSpace(s.text());
    if (isSpaceOrComment(line)) {
      if (memStats !== undefined) addMemStat(memStats, line);
      else if (line === "# runtime.MemStats") memStats = {};
      continue;
    }
    if (isMemoryMapSentinel(line)) break;
    const { values, blocksize, sloc } = parseHeapSample(line, s.lineNo, p.period, hdr.sampling, hdr.hasAlloc, locs);
    p.samples.push({ locs: sloc, values, numLabels: [["bytes", [blocksize]]] });
  }
  s.check();
  parseAdditionalSections(s, p);
  return { profile: p, memStats, truncation: heapTruncation(src, line1, memStats, s.lineNo) };
}

/**
 * Go's heap?debug=1 (runtime/pprof writeHeapInternal) always ends with the
 * "# runtime.MemStats" block: a Go-format profile without it, or cut mid-line, was
 * truncated (a fetch cut short, a copy from a terminal): its records are a part only.
 */
function heapTruncation(src: string, header: string, memStats: MemStats | undefined, lines: number): string | undefined {
  if (!/@ heap\/\d+/.test(header)) return undefined; // not the Go runtime's format
  const midLine = src.length > 0 && !src.endsWith("\n");
  if (memStats !== undefined && !midLine) return undefined;
  const why = midLine ? "ends mid-line" : "has no # runtime.MemStats block";
  return `truncated: ${why} at byte ${src.length} (line ${lines}); the allocation records are incomplete`;
}

interface CommentFrame {
  name: string;
  file: string;
  line: number;
}

/** "#\t0xPC\tfunc+0xOFF\tfile:line" (tabwriter may double the tabs) -> [pc, frame]. */
function parseFrameComment(line: string): [bigint, CommentFrame] | null {
  const f = line.split(/\t+/);
  if (f.length !== 4 || f[0] !== "#" || !/^0x[0-9a-f]+$/.test(f[1])) return null;
  const plus = f[2].lastIndexOf("+0x");
  const colon = f[3].lastIndexOf(":");
  if (plus < 0 || colon < 0 || !/^[0-9]+$/.test(f[3].slice(colon + 1))) return null;
  return [BigInt(f[1]), { name: f[2].slice(0, plus), file: f[3].slice(0, colon), line: Number(f[3].slice(colon + 1)) }];
}

const HIDDEN_RUNTIME: CommentFrame = { name: "runtime.(hidden)", file: "", line: 0 };
const GOEXIT: CommentFrame = { name: "runtime.goexit", file: "", line: 0 };

/**
 * pc -> frames (innermost first) from the `#\t0x...` lines of Go's debug=1
 * output. Go's printStackRecord leaves out runtime.* frames at the leaf end
 * of a stack (until the first frame it prints) and runtime.goexit at the
 * root; such PCs get "runtime.(hidden)" / "runtime.goexit", so drop_frames
 * (runtime\..*) prunes them as it would with a binary to symbolize from.
 */
function commentFrames(text: string): Map<bigint, CommentFrame[]> {
  const out = new Map<bigint, CommentFrame[]>();
  const inferred = new Map<bigint, CommentFrame[]>();
  // Frames of the current record; a PC listed on consecutive lines is one
  // location with inlined calls (older Go printed inlined frames that way).
  let run: CommentFrame[] = [];
  let runPC: bigint | null = null;
  let stack: bigint[] = [];
  let listed = new Set<bigint>();
  const flush = (): void => {
    if (runPC !== null && !out.has(runPC)) out.set(runPC, run);
    run = [];
    runPC = null;
  };
  const endRecord = (): void => {
    flush();
    const first = stack.findIndex((pc) => listed.has(pc));
    if (first >= 0) {
      stack.forEach((pc, i) => {
        if (listed.has(pc) || inferred.has(pc)) return;
        if (i < first) inferred.set(pc, [HIDDEN_RUNTIME]);
        else if (i === stack.length - 1) inferred.set(pc, [GOEXIT]);
      });
    }
    stack = [];
    listed = new Set();
  };
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.startsWith("#\t")) {
      const m = parseFrameComment(line);
      if (m === null) {
        // "#\t0x..." alone: a frame Go printed but could not name.
        const bare = /^#\t+(0x[0-9a-f]+)[\t ]*$/.exec(line);
        if (bare) listed.add(BigInt(bare[1]));
        flush();
        continue;
      }
      const [pc, frame] = m;
      listed.add(pc);
      if (pc !== runPC) flush();
      runPC = pc;
      run.push(frame);
      continue;
    }
    flush();
    const at = line.indexOf("@");
    if (at > 0 && /^[0-9-]/.test(line)) {
      // A record header: "N: M [A: B] @ 0x...", "N @ 0x...", "C N @ 0x...".
      endRecord();
      stack = (line.slice(at).match(/0x[0-9a-f]+/g) ?? []).map((h) => (BigInt(h) - 1n) & ((1n << 64n) - 1n));
    }
  }
  endRecord();
  for (const [pc, f] of inferred) if (!out.has(pc)) out.set(pc, f);
  return out;
}

/**
 * Opt-in godiag enhancement: give unsymbolized locations the function, file
 * and line that Go's debug=1 text lists for their address in its comment
 * lines. Returns a new Profile. The runtime frames Go leaves out at the leaf
 * end become "runtime.(hidden)" (and the unlisted root runtime.goexit), so the
 * profile's drop_frames prunes them like pprof does after symbolizing from a
 * binary. Other unlisted PCs keep bare addresses. Mappings gain the
 * has_functions/... flags the way pprof's symbolizer sets them.
 */
export function symbolizeFromComments(profile: Profile, text: string | Uint8Array): Profile {
  const str = typeof text === "string" ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString("utf8");
  const frames = commentFrames(str);
  const p = profile;
  const b = new ProfileBuilder(new StringTable([...p.strings.all()]));
  for (let f = 0; f < p.functions.length; f++) {
    b.addFunction(
      p.str(p.functions.name[f]),
      p.str(p.functions.systemName[f]),
      p.str(p.functions.filename[f]),
      p.functions.startLine[f],
      p.functions.id[f],
    );
  }
  let nextFnId = 1;
  for (let f = 0; f < p.functions.length; f++) nextFnId = Math.max(nextFnId, p.functions.id[f] + 1);
  const fnKey = new Map<string, number>();
  const internFn = (name: string, file: string): number => {
    const key = `${name}\u0000${file}`;
    let row = fnKey.get(key);
    if (row === undefined) {
      row = b.addFunction(name, name, file, 0, nextFnId++);
      fnKey.set(key, row);
    }
    return row;
  };
  const mappings: Mapping[] = p.mappings.map((m) => ({ ...m }));
  const L = p.locations;
  for (let i = 0; i < L.length; i++) {
    const start = L.lineStart[i];
    const end = L.lineStart[i + 1];
    let lines: LineInput[] = [];
    for (let j = start; j < end; j++) {
      lines.push({ func: p.lines.func[j], line: p.lines.line[j], column: p.lines.column[j] });
    }
    const fr = end === start ? frames.get(L.address[i]) : undefined;
    if (fr !== undefined) {
      lines = fr.map((x) => ({ func: internFn(x.name, x.file), line: x.line }));
      const m = L.mapping[i] >= 0 ? mappings[L.mapping[i]] : undefined;
      if (m) {
        for (const x of fr) {
          if (x.name !== "") m.hasFunctions = true;
          if (x.file !== "") m.hasFilenames = true;
          if (x.line !== 0) m.hasLineNumbers = true;
        }
        m.hasInlineFrames = true;
      }
    }
    b.addLocation(lines, L.address[i], L.mapping[i], L.isFolded[i] !== 0, L.id[i]);
  }
  const S = p.samples;
  const nv = p.sampleTypes.length;
  for (let i = 0; i < S.length; i++) {
    const labels: LabelInput[] = [];
    for (let j = S.labelStart[i]; j < S.labelStart[i + 1]; j++) {
      const key = p.str(p.labels.key[j]);
      if (p.labels.str[j] !== 0) labels.push({ key, str: p.str(p.labels.str[j]) });
      else labels.push({ key, num: p.labels.num[j], unit: p.labels.unit[j] ? p.str(p.labels.unit[j]) : undefined });
    }
    b.addSample(S.stack.subarray(S.stackStart[i], S.stackStart[i + 1]), S.values.subarray(i * nv, (i + 1) * nv), labels);
  }
  b.sampleTypes = p.sampleTypes.map((t) => ({ ...t }));
  b.defaultSampleType = p.defaultSampleType;
  b.periodType = p.periodType ? { ...p.periodType } : null;
  b.period = p.period;
  b.timeNanos = p.timeNanos;
  b.durationNanos = p.durationNanos;
  b.dropFrames = p.dropFrames;
  b.keepFrames = p.keepFrames;
  b.comments = [...p.comments];
  b.docUrl = p.docUrl;
  b.mappings = mappings;
  const out = b.build();
  out.extras = { ...p.extras };
  return out;
}
