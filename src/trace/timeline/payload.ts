// The timeline as the page's embedded data: one gzip'd blob, base64, holding a u32 JSON
// length, the JSON metadata (names, lanes, colours and a list of the columns that follow),
// then the typed-array columns, each starting at a multiple of 8 bytes. The browser
// inflates it with DecompressionStream (viewer/payload.ts) and views the columns in place.

import { gzipSync } from "node:zlib";
import type { TimelineData } from "./model.js";

export interface TimelineSummary {
  gcCycles: number;
  maxGomaxprocs: number;
  goroutinesCreated: number;
  stwCount: number;
}

export interface TimelinePageOptions {
  title?: string;
  subtitle?: string;
  summary?: TimelineSummary;
}

type Column = Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

const TYPE_NAMES: [new (n: number) => Column, string][] = [
  [Float64Array, "f64"],
  [Float32Array, "f32"],
  [Int32Array, "i32"],
  [Uint32Array, "u32"],
  [Uint16Array, "u16"],
  [Uint8Array, "u8"],
];

function typeName(c: Column): string {
  for (const [T, name] of TYPE_NAMES) if (c instanceof T) return name;
  throw new Error("internal error: unknown column type");
}

/** Distinct colours for the user groups with the most run time (a name hash would let two look alike). */
const PALETTE = ["#4e9a06", "#3465a4", "#c4a000", "#75507b", "#06989a", "#cc0000", "#8f5902", "#ad7fa8", "#729fcf", "#73d216"];

const isRuntime = (name: string) => name === "" || name.startsWith("runtime.") || name.startsWith("runtime/");

/** Colours of groups: the busiest user groups from PALETTE, the rest by groupColor. */
export function groupColors(groups: readonly { name: string; execNs: number }[]): string[] {
  const colors = groups.map((g) => groupColor(g.name));
  const user = groups
    .map((g, i) => ({ g, i }))
    .filter(({ g }) => g.execNs > 0 && !isRuntime(g.name))
    .sort((a, b) => b.g.execNs - a.g.execNs || a.i - b.i);
  user.slice(0, PALETTE.length).forEach(({ i }, k) => (colors[i] = PALETTE[k]));
  return colors;
}

/** A colour per goroutine group: runtime goroutines in muted tones, the GC's in orange, others by name hash. */
export function groupColor(name: string): string {
  if (name.startsWith("runtime.gcBgMarkWorker")) return "#e8891c";
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  const hue = (h >>> 0) % 360;
  if (isRuntime(name)) return `hsl(${hue},12%,62%)`;
  return `hsl(${hue},62%,${52 + ((h >>> 9) % 14)}%)`;
}

const CATEGORY_COLORS: Record<string, string> = {
  running: "#2e9d4a",
  runnable: "#f0c419",
  syscall: "#8c5cc4",
};

function categoryColor(name: string, i: number): string {
  return CATEGORY_COLORS[name] ?? `hsl(${(200 + i * 37) % 360},45%,${58 + (i % 3) * 8}%)`;
}

export function encodeTimelinePayload(d: TimelineData, opts: TimelinePageOptions = {}): string {
  const cols: [string, Column][] = [];
  d.procs.forEach((p, i) => {
    for (const k of ["start", "end", "goroutine", "group", "frame", "runs", "busy"] as const) cols.push([`p${i}.${k}`, p[k]]);
  });
  for (const [b, name] of [[d.gc, "gc"], [d.stw, "stw"]] as const) {
    for (const k of ["start", "end", "name", "before"] as const) cols.push([`${name}.${k}`, b[k]]);
  }
  d.groupLanes.forEach((l, i) => cols.push([`lane${i}.counts`, l.counts]));
  for (const [v, name] of [[d.tasks, "tasks"], [d.regions, "regions"]] as const) {
    for (const k of ["start", "end", "id", "type", "row"] as const) cols.push([`${name}.${k}`, v[k]]);
  }
  const colors = groupColors(d.groups);
  const meta = {
    title: opts.title ?? "execution trace timeline",
    subtitle: opts.subtitle ?? "",
    summary: opts.summary ?? null,
    durationNs: d.durationNs,
    originNs: d.originNs,
    resolutionNs: d.resolutionNs,
    procs: d.procs.map((p) => p.proc),
    groups: d.groups.map((g, i) => ({ ...g, color: colors[i] })),
    categories: d.categories,
    categoryColors: d.categories.map(categoryColor),
    bucketNs: d.bucketNs,
    buckets: d.buckets,
    groupLanes: d.groupLanes.map((l) => ({ group: l.group, cats: l.cats, max: l.max })),
    gcNames: d.gc.names,
    stwNames: d.stw.names,
    tasks: { rows: d.tasks.rows, types: d.tasks.types, dropped: d.tasks.dropped },
    regions: { rows: d.regions.rows, types: d.regions.types, dropped: d.regions.dropped },
    frames: d.frames,
    columns: cols.map(([name, c]) => [name, typeName(c), c.length]),
  };
  const json = Buffer.from(JSON.stringify(meta), "utf8");
  const parts: Uint8Array[] = [];
  let size = 0;
  const pad = () => {
    const k = (8 - (size % 8)) % 8;
    if (k > 0) {
      parts.push(new Uint8Array(k));
      size += k;
    }
  };
  const head = Buffer.alloc(4);
  head.writeUInt32LE(json.length, 0);
  parts.push(head, json);
  size = 4 + json.length;
  pad();
  for (const [, c] of cols) {
    parts.push(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    size += c.byteLength;
    pad();
  }
  const raw = Buffer.concat(parts);
  // Level 1 on big payloads: several times faster than 6 for a little more size.
  return gzipSync(raw, { level: raw.length > 4 << 20 ? 1 : 6 }).toString("base64");
}
