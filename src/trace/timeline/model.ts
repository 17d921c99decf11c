// What the timeline page draws, as the server builds it: compact columns, times in ns
// since the trace's first event. The browser receives this through payload.ts.

/** Spans on the P lanes: which goroutine ran on a P when (or a merged run of short ones). */
export interface ProcSpans {
  /** the P's id */
  proc: number;
  start: Float64Array;
  end: Float64Array;
  /** the goroutine, or -1 for a merged span (several runs narrower than the resolution) */
  goroutine: Int32Array;
  /** index into TimelineData.groups (for a merged span: the group with the most run time) */
  group: Uint16Array;
  /** index into TimelineData.frames of the stack top where the run ended, -1 none */
  frame: Int32Array;
  /** runs in the span: 1, or how many were merged */
  runs: Uint32Array;
  /** ns of actual running inside the span (less than end-start for a merged span) */
  busy: Float64Array;
}

/** Global ranges: GC mark phases and stop-the-world pauses. */
export interface Bands {
  start: Float64Array;
  end: Float64Array;
  /** index into `names` (the STW reason, or the range name) */
  name: Uint16Array;
  /** 1 when the range had begun before the trace (seen as active at a generation start) */
  before: Uint8Array;
  names: string[];
}

/** Mean number of a group's goroutines in each state, per time bucket. */
export interface GroupLane {
  group: number;
  /** state category ids (index into TimelineData.categories) present in this lane */
  cats: number[];
  /** buckets x cats, bucket-major: counts[b * cats.length + k] */
  counts: Float32Array;
  /** most goroutines of the group counted in one bucket (for the lane's scale) */
  max: number;
}

/** Tasks or regions laid out in rows. */
export interface Intervals {
  start: Float64Array;
  end: Float64Array;
  /** task id, or the goroutine of a region */
  id: Int32Array;
  /** index into `types` */
  type: Uint16Array;
  row: Uint8Array;
  rows: number;
  types: string[];
  /** left out to keep the page small (the shortest ones) */
  dropped: number;
}

export interface GroupInfo {
  name: string;
  /** run time on Ps, ns */
  execNs: number;
  goroutines: number;
}

export interface TimelineData {
  durationNs: number;
  /** absolute trace time of t = 0 (ns, Go's trace.Time) */
  originNs: number;
  /** spans shorter than this were merged (ns) */
  resolutionNs: number;
  procs: ProcSpans[];
  gc: Bands;
  stw: Bands;
  groups: GroupInfo[];
  /** state categories of the group lanes: running, runnable, syscall, then block reasons */
  categories: string[];
  bucketNs: number;
  buckets: number;
  groupLanes: GroupLane[];
  tasks: Intervals;
  regions: Intervals;
  /** "func file:line" of stack tops */
  frames: string[];
}
