// Storage rows back into one profile: what pprof's merge of the stored scrapes
// gives (profile/merge.go): samples summed per (stack, labels), the earliest time,
// the summed duration, the largest period, comments once each in first-seen order,
// the first scrape's sample types and main mapping first. The engines sum in SQL;
// this only assembles the result.

import { type Profile, ProfileBuilder, emptyMapping, type LabelInput, type Mapping } from "../core/model/index.js";
import type { FunctionRow, LocationRow, MappingRow, ProfileHeaderRow, SampleRow, StackRow } from "./types.js";

export interface MergeParts {
  /** headers of the scrapes in time order */
  headers: ProfileHeaderRow[];
  samples: SampleRow[];
  stacks: Map<bigint, StackRow>;
  locations: Map<bigint, LocationRow>;
  functions: Map<bigint, FunctionRow>;
  mappings: Map<bigint, MappingRow>;
}

/** pprof's combineHeaders over the scrapes' headers. */
export function mergeHeaders(headers: ProfileHeaderRow[]): ProfileHeaderRow {
  const first = headers[0]!;
  let timeNanos = 0n;
  let durationNanos = 0;
  let period = 0;
  const comments: string[] = [];
  const seen = new Set<string>();
  let defaultSampleType = "";
  let docUrl = "";
  for (const h of headers) {
    if (timeNanos === 0n || h.timeNanos < timeNanos) timeNanos = h.timeNanos;
    durationNanos += h.durationNanos;
    if (period === 0 || period < h.period) period = h.period;
    for (const c of h.comments)
      if (!seen.has(c)) {
        seen.add(c);
        comments.push(c);
      }
    if (defaultSampleType === "") defaultSampleType = h.defaultSampleType;
    if (docUrl === "") docUrl = h.docUrl;
  }
  return { ...first, timeNanos, durationNanos, period, comments, defaultSampleType, docUrl };
}

export function rebuildProfile(parts: MergeParts): Profile {
  const h = mergeHeaders(parts.headers);
  const b = new ProfileBuilder();
  b.sampleTypes = h.sampleTypes;
  b.defaultSampleType = h.defaultSampleType;
  b.periodType = h.periodType;
  b.period = h.period;
  b.timeNanos = h.timeNanos;
  b.durationNanos = h.durationNanos;
  b.dropFrames = h.dropFrames;
  b.keepFrames = h.keepFrames;
  b.comments = h.comments;
  b.docUrl = h.docUrl;

  // The main binary's mapping first: pprof names the profile's file after mapping 1.
  const mappingRow = new Map<bigint, number>();
  const mappings: Mapping[] = [];
  const addMapping = (id: bigint): number => {
    let row = mappingRow.get(id);
    if (row !== undefined) return row;
    const m = parts.mappings.get(id);
    if (!m) return -1;
    row = mappings.length;
    mappings.push({
      ...emptyMapping(row + 1),
      start: m.start,
      limit: m.limit,
      offset: m.offset,
      file: m.file,
      buildId: m.buildId,
      hasFunctions: (m.flags & 1) !== 0,
      hasFilenames: (m.flags & 2) !== 0,
      hasLineNumbers: (m.flags & 4) !== 0,
      hasInlineFrames: (m.flags & 8) !== 0,
    });
    mappingRow.set(id, row);
    return row;
  };
  if (h.mainMapping !== 0n) addMapping(h.mainMapping);

  const fnRow = new Map<bigint, number>();
  const fn = (id: bigint): number => {
    let row = fnRow.get(id);
    if (row !== undefined) return row;
    const f = parts.functions.get(id);
    row = f ? b.addFunction(f.name, f.systemName, f.filename, f.startLine) : -1;
    fnRow.set(id, row);
    return row;
  };
  const locRow = new Map<bigint, number>();
  const loc = (id: bigint): number => {
    let row = locRow.get(id);
    if (row !== undefined) return row;
    const l = parts.locations.get(id);
    if (!l) throw new Error(`store: location ${id} is missing`);
    const lines = l.lineFunctions.map((f, k) => ({ func: f === 0n ? -1 : fn(f), line: l.lineNumbers[k]! }));
    row = b.addLocation(lines, l.address, l.mapping === 0n ? -1 : addMapping(l.mapping), l.isFolded);
    locRow.set(id, row);
    return row;
  };
  for (const s of parts.samples) {
    const st = parts.stacks.get(s.stack);
    if (!st) throw new Error(`store: stack ${s.stack} is missing`);
    b.addSample(st.locations.map(loc), s.values, s.labels === "" ? undefined : parseLabels(s.labels));
  }
  b.mappings = mappings;
  return b.build();
}

function parseLabels(json: string): LabelInput[] {
  const tuples = JSON.parse(json) as Array<[string, string | null, number | null, string]>;
  return tuples.map(([key, str, num, unit]) => (str !== null ? { key, str } : { key, num: num ?? 0, unit: unit || undefined }));
}
