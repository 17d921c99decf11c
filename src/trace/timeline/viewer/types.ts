// The page's data as the viewer holds it: payload.ts (server side) writes it.

export interface GroupMeta {
  name: string;
  execNs: number;
  goroutines: number;
  color: string;
}

export interface Meta {
  title: string;
  subtitle: string;
  summary: { gcCycles: number; maxGomaxprocs: number; goroutinesCreated: number; stwCount: number } | null;
  durationNs: number;
  originNs: number;
  resolutionNs: number;
  procs: number[];
  groups: GroupMeta[];
  categories: string[];
  categoryColors: string[];
  bucketNs: number;
  buckets: number;
  groupLanes: { group: number; cats: number[]; max: number }[];
  gcNames: string[];
  stwNames: string[];
  tasks: { rows: number; types: string[]; dropped: number };
  regions: { rows: number; types: string[]; dropped: number };
  frames: string[];
  columns: [string, string, number][];
}

export type Column = Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

export interface Spans {
  proc: number;
  start: Float64Array;
  end: Float64Array;
  goroutine: Int32Array;
  group: Uint16Array;
  frame: Int32Array;
  runs: Uint32Array;
  busy: Float64Array;
}

export interface BandCols {
  start: Float64Array;
  end: Float64Array;
  name: Uint16Array;
  before: Uint8Array;
}

export interface IntervalCols {
  start: Float64Array;
  end: Float64Array;
  id: Int32Array;
  type: Uint16Array;
  row: Uint8Array;
}

export interface Data {
  meta: Meta;
  procs: Spans[];
  gc: BandCols;
  stw: BandCols;
  lanes: Float32Array[];
  tasks: IntervalCols;
  regions: IntervalCols;
}

export type LaneKind = "gc" | "stw" | "proc" | "tasks" | "regions" | "group";

/** One horizontal strip of the canvas. */
export interface Lane {
  kind: LaneKind;
  label: string;
  y: number;
  h: number;
  /** index of the P (into Data.procs) or of the group lane */
  index: number;
}

/** What the hover found. */
export type Hit =
  | { kind: "proc"; lane: number; i: number }
  | { kind: "gc" | "stw"; i: number }
  | { kind: "group"; lane: number; bucket: number }
  | { kind: "tasks" | "regions"; i: number };
