// A decoded profile into storage rows: every function, mapping, location and stack
// named by a content id (hash.ts), samples summed per (stack, labels) — what
// pprof's merge would sum too — so that storing a row twice is a no-op and the
// store keeps each stack once.

import { basename } from "node:path";
import type { Profile } from "../core/model/index.js";
import { contentId, locationNumber, resetStackCacheIfFull, stackContentId } from "./hash.js";
import type { FunctionRow, LocationRow, MappingRow, NormalizedProfile, SampleRow, StackRow } from "./types.js";

export function normalizeProfile(p: Profile): NormalizedProfile {
  // Between profiles only: a profile's short stack keys must all use one numbering.
  resetStackCacheIfFull();
  const s = (i: number): string => p.strings.get(i);
  const functions: FunctionRow[] = [];
  const fnIds: bigint[] = [];
  const fnIdText: string[] = [];
  for (let i = 0; i < p.functions.length; i++) {
    const row = { name: s(p.functions.name[i]), systemName: s(p.functions.systemName[i]), filename: s(p.functions.filename[i]), startLine: p.functions.startLine[i] };
    const id = contentId(`f\0${row.name}\0${row.systemName}\0${row.filename}\0${row.startLine}`);
    fnIds.push(id);
    fnIdText.push(String(id));
    functions.push({ id, ...row });
  }
  const mappings: MappingRow[] = p.mappings.map((m) => {
    const flags = (m.hasFunctions ? 1 : 0) | (m.hasFilenames ? 2 : 0) | (m.hasLineNumbers ? 4 : 0) | (m.hasInlineFrames ? 8 : 0);
    const id = contentId(`m\0${m.start}\0${m.limit}\0${m.offset}\0${m.file}\0${m.buildId}\0${flags}`);
    return { id, start: m.start, limit: m.limit, offset: m.offset, file: m.file, buildId: m.buildId, flags };
  });
  const locations: LocationRow[] = [];
  const locIds: bigint[] = [];
  // The ids as text once per location: a stack's key joins them (bigint to text per frame was slow).
  const locIdText: string[] = [];
  const locNo: number[] = [];
  const locLeaf: string[] = [];
  const L = p.locations;
  for (let i = 0; i < L.length; i++) {
    const mapping = L.mapping[i] >= 0 ? mappings[L.mapping[i]]!.id : 0n;
    const lineFunctions: bigint[] = [];
    const lineNumbers: number[] = [];
    let fnText = "";
    for (let k = L.lineStart[i]; k < L.lineStart[i + 1]; k++) {
      const f = p.lines.func[k];
      lineFunctions.push(f >= 0 ? fnIds[f]! : 0n);
      fnText += (k > L.lineStart[i] ? "," : "") + (f >= 0 ? fnIdText[f]! : "0");
      lineNumbers.push(p.lines.line[k]);
    }
    const id = contentId(`l\0${mapping}\0${L.address[i]}\0${L.isFolded[i]}\0${fnText}\0${lineNumbers.join(",")}`);
    locIds.push(id);
    locIdText.push(String(id));
    locNo.push(locationNumber(id));
    const first = L.lineStart[i] < L.lineStart[i + 1] ? p.lines.func[L.lineStart[i]] : -1;
    // runtime/pprof writes a frame it could not name (a PC in the vdso, in cgo) as a
    // function named "": pprof names that row as it names a location with no function.
    const name = first >= 0 ? functions[first]!.name : "";
    locLeaf.push(name !== "" ? name : unsymbolizedName(L.mapping[i] >= 0 ? mappings[L.mapping[i]]!.file : ""));
    locations.push({ id, mapping, address: L.address[i], isFolded: L.isFolded[i] === 1, lineFunctions, lineNumbers });
  }
  const stacks = new Map<bigint, StackRow>();
  const samples = new Map<string, SampleRow>();
  const S = p.samples;
  const nv = p.sampleTypes.length;
  for (let i = 0; i < S.length; i++) {
    const from = S.stackStart[i];
    const to = S.stackStart[i + 1];
    // The short key (hash.ts): location numbers, a few digits a frame instead of 20.
    let stackKey = "";
    for (let k = from; k < to; k++) stackKey += (k > from ? "," : "") + locNo[S.stack[k]]!;
    const stackId = stackContentId(stackKey, () => {
      let text = "s\0";
      for (let k = from; k < to; k++) text += (k > from ? "," : "") + locIdText[S.stack[k]]!;
      return text;
    });
    if (!stacks.has(stackId)) stacks.set(stackId, { id: stackId, locations: stackLocations(locIds, S.stack, S.stackStart[i], S.stackStart[i + 1]), leaf: S.stackStart[i] < S.stackStart[i + 1] ? locLeaf[S.stack[S.stackStart[i]]]! : "" });
    const labels = labelsJson(p, S.labelStart[i], S.labelStart[i + 1]);
    const key = labels === "" ? stackKey : `${stackKey}|${labels}`;
    let row = samples.get(key);
    if (!row) {
      row = { stack: stackId, labels, values: new Array<number>(nv).fill(0) };
      samples.set(key, row);
    }
    for (let t = 0; t < nv; t++) row.values[t]! += S.values[i * nv + t];
  }
  return {
    header: {
      sampleTypes: p.sampleTypes.map((t) => ({ type: t.type, unit: t.unit })),
      defaultSampleType: p.defaultSampleType,
      periodType: p.periodType ? { type: p.periodType.type, unit: p.periodType.unit } : null,
      period: p.period,
      timeNanos: p.timeNanos,
      durationNanos: p.durationNanos,
      dropFrames: p.dropFrames,
      keepFrames: p.keepFrames,
      comments: p.comments,
      docUrl: p.docUrl,
      mainMapping: mappings.length > 0 ? mappings[0]!.id : 0n,
    },
    functions,
    mappings,
    locations,
    stacks: [...stacks.values()],
    samples: [...samples.values()],
  };
}

/**
 * A location with no function, or a function with no name (an address in the vdso or
 * another unsymbolized object),
 * named as go tool pprof -top names it at function granularity (addresses dropped):
 * the object's base name in brackets, else <unknown>.
 */
function unsymbolizedName(file: string): string {
  return file !== "" ? `[${basename(file)}]` : "<unknown>";
}

function stackLocations(locIds: bigint[], stack: ArrayLike<number>, from: number, to: number): bigint[] {
  const out: bigint[] = [];
  for (let k = from; k < to; k++) out.push(locIds[stack[k]!]!);
  return out;
}

/** A sample's labels as sorted [key, str, num, unit] tuples in JSON ("" for none). */
function labelsJson(p: Profile, from: number, to: number): string {
  if (from === to) return "";
  const out: Array<[string, string | null, number | null, string]> = [];
  for (let k = from; k < to; k++) {
    const key = p.strings.get(p.labels.key[k]);
    if (p.labels.str[k] !== 0) out.push([key, p.strings.get(p.labels.str[k]), null, ""]);
    else out.push([key, null, p.labels.num[k], p.strings.get(p.labels.unit[k])]);
  }
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : String(a[1] ?? a[2]).localeCompare(String(b[1] ?? b[2]))));
  return JSON.stringify(out);
}

/** A sample row's identity (stack, labels); most have no labels: the stack id alone, no text. */
const rowKey = (r: SampleRow): bigint | string => (r.labels === "" ? r.stack : `${r.stack}|${r.labels}`);

/**
 * The delta of a cumulative profile (allocs, block, mutex) against the previous
 * scrape of the same target: per (stack, labels), current minus previous; rows
 * that did not change are dropped. A counter that went down means the process
 * restarted: the current values are then the delta (pprof -base would go negative).
 */
export function deltaSamples(cur: SampleRow[], prev: SampleRow[] | undefined): SampleRow[] {
  if (!prev) return [];
  const before = new Map<bigint | string, number[]>();
  for (const r of prev) before.set(rowKey(r), r.values);
  let reset = false;
  const out: SampleRow[] = [];
  for (const r of cur) {
    const b = before.get(rowKey(r));
    const values = b ? r.values.map((v, t) => v - (b[t] ?? 0)) : r.values.slice();
    if (values.some((v) => v < 0)) reset = true;
    if (values.some((v) => v !== 0)) out.push({ stack: r.stack, labels: r.labels, values });
  }
  return reset ? cur.filter((r) => r.values.some((v) => v !== 0)) : out;
}
