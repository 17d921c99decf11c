// The event model of Go execution traces (Go 1.22+ format), with the same meaning as
// golang.org/x/exp/trace's Event (see $(go env GOROOT)/src/internal/trace/event.go,
// resources.go): one kind per event, the time in nanoseconds, the goroutine/proc/thread
// the event happened on, a stack, and the kind's details.
//
// For speed the reader hands each event to a visitor as one reused TraceEvent view: it is
// valid ONLY during the callback. Keep the numbers you need, or call clone() (which costs
// an allocation) to keep the whole event. Stacks and strings are interned into trace-wide
// tables (TraceTables), so an event carries small integers (a stack id; strings in
// details are shared, interned JS strings).

/** What an event is; the same numbering as x/exp/trace's EventKind. */
export const EventKind = {
  Bad: 0,
  Sync: 1,
  Metric: 2,
  Label: 3,
  StackSample: 4,
  RangeBegin: 5,
  RangeActive: 6,
  RangeEnd: 7,
  TaskBegin: 8,
  TaskEnd: 9,
  RegionBegin: 10,
  RegionEnd: 11,
  Log: 12,
  StateTransition: 13,
  Experimental: 14,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** EventKind's names as Go prints them (EventKind.String()). */
export const EVENT_KIND_NAMES: readonly string[] = [
  "Bad", "Sync", "Metric", "Label", "StackSample", "RangeBegin", "RangeActive", "RangeEnd",
  "TaskBegin", "TaskEnd", "RegionBegin", "RegionEnd", "Log", "StateTransition", "Experimental",
];

/** A goroutine's state; the same numbering as x/exp/trace's GoState. */
export const GoState = {
  Undetermined: 0,
  NotExist: 1,
  Runnable: 2,
  Running: 3,
  Waiting: 4,
  Syscall: 5,
} as const;
export type GoState = (typeof GoState)[keyof typeof GoState];
export const GO_STATE_NAMES: readonly string[] = ["Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall"];

/** A P's state; the same numbering as x/exp/trace's ProcState. */
export const ProcState = {
  Undetermined: 0,
  NotExist: 1,
  Running: 2,
  Idle: 3,
} as const;
export type ProcState = (typeof ProcState)[keyof typeof ProcState];
export const PROC_STATE_NAMES: readonly string[] = ["Undetermined", "NotExist", "Running", "Idle"];

/** What a ResourceID names; the same numbering as x/exp/trace's ResourceKind. */
export const ResourceKind = {
  None: 0,
  Goroutine: 1,
  Proc: 2,
  Thread: 3,
} as const;
export type ResourceKind = (typeof ResourceKind)[keyof typeof ResourceKind];
export const RESOURCE_KIND_NAMES: readonly string[] = ["None", "Goroutine", "Proc", "Thread"];

/** "No such goroutine/proc/thread" (Go's NoGoroutine, NoProc, NoThread are -1 too). */
export const NO_GOROUTINE = -1;
export const NO_PROC = -1;
export const NO_THREAD = -1;
/** Go's NoTask is ^uint64(0); here -1 (print it as 18446744073709551615 to match Go). */
export const NO_TASK = -1;
/** Go's BackgroundTask. */
export const BACKGROUND_TASK = 0;
/** The id of "no stack" in TraceTables (Go's NoStack). */
export const NO_STACK = 0;

export interface ResourceID {
  kind: ResourceKind;
  /** a goroutine, proc or thread id (0 for ResourceKind.None) */
  id: number;
}

/** A goroutine or proc changing state (x/exp/trace's StateTransition). */
export interface StateTransition {
  resource: ResourceID;
  /** GoState for goroutines, ProcState for procs */
  from: number;
  to: number;
  /** why a goroutine stopped or blocked ("" otherwise) */
  reason: string;
  /**
   * The stack of the goroutine the transition is about (Go's StateTransition.Stack): for
   * GoCreate the new goroutine's start stack; for stop/block/syscall the event's stack;
   * NO_STACK when none.
   */
  stack: number;
}

/** A range (GC mark phase, sweep, mark assist, stop-the-world): x/exp/trace's Range. */
export interface Range {
  name: string;
  scope: ResourceID;
}

export interface RangeAttribute {
  name: string;
  value: number;
}

export interface Task {
  id: number;
  /** NO_TASK when unknown (a TaskEnd whose begin was not seen) */
  parent: number;
  type: string;
}

export interface Region {
  task: number;
  type: string;
}

export interface Log {
  task: number;
  category: string;
  message: string;
}

export interface Metric {
  /** "/sched/gomaxprocs:threads", "/memory/classes/heap/objects:bytes" or "/gc/heap/goal:bytes" */
  name: string;
  value: number;
}

export interface Label {
  label: string;
  resource: ResourceID;
}

export interface ClockSnapshot {
  /** the trace time of the snapshot (ns, Go's trace.Time) */
  trace: number;
  /** wall clock: Unix seconds and nanoseconds */
  wallSec: number;
  wallNsec: number;
  /** monotonic clock, ns */
  mono: number;
}

export interface ExperimentalBatch {
  thread: number;
  data: Uint8Array;
}

/** A sync point: the start of a generation, or the end of the trace (x/exp/trace's Sync). */
export interface SyncInfo {
  /** 1 for the first sync of the trace, then counting up */
  n: number;
  clockSnapshot: ClockSnapshot | null;
  /** experiment name -> its batches in this generation */
  experimentalBatches: ReadonlyMap<string, readonly ExperimentalBatch[]>;
}

export interface ExperimentalEvent {
  name: string;
  experiment: string;
  argNames: readonly string[];
  /** raw argument values (names ending in "string" are string-table ids of the generation) */
  argValues: readonly number[];
}

/**
 * One event. From the reader's visitor this is a reused view valid only during the
 * callback; clone() gives a copy that stays valid.
 */
export interface TraceEvent {
  readonly kind: EventKind;
  /** nanoseconds, exactly as Go computes trace.Time (float frequency times ticks, truncated) */
  readonly time: number;
  /** the goroutine/proc/thread the event happened on (-1: none) */
  readonly goroutine: number;
  readonly proc: number;
  readonly thread: number;
  /** the event's stack id in TraceTables (NO_STACK = 0: none) */
  readonly stack: number;
  /** the wire event type (internal/trace/tracev2 numbering; 255 for Sync); for debugging */
  readonly wireType: number;
  /**
   * From the reader's view, the returned object is reused too: it holds this event's
   * transition until the next call (copy its fields to keep them).
   */
  stateTransition(): StateTransition;
  range(): Range;
  /** attributes of a RangeEnd (GC sweep's bytes swept/reclaimed), else [] */
  rangeAttributes(): RangeAttribute[];
  task(): Task;
  region(): Region;
  log(): Log;
  metric(): Metric;
  label(): Label;
  sync(): SyncInfo;
  experimental(): ExperimentalEvent;
  /**
   * A copy that stays valid after the visitor returns. It keeps its generation's decoded
   * string and stack tables alive (not the trace bytes).
   */
  clone(): TraceEvent;
}

export interface StackFrame {
  pc: number;
  func: string;
  file: string;
  line: number;
}

/** Trace-wide interned stacks: ids are small integers, 0 is the empty stack. */
export interface TraceTables {
  /** the frames of a stack, innermost first (empty for NO_STACK) */
  frames(stack: number): readonly StackFrame[];
  /** number of stack ids handed out so far (ids are 1..stackCount) */
  readonly stackCount: number;
}

/** The visitor: called once per event, in Go's order. */
export type TraceVisitor = (ev: TraceEvent, tables: TraceTables) => void;
