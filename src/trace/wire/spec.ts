// The wire format of Go 1.22+ execution traces: event types and their arguments, as
// described by $(go env GOROOT)/src/internal/trace/tracev2/events.go and spec.go.
// Numbers are the wire bytes; arg counts include the timestamp delta of timed events.

export const Ev = {
  None: 0,
  EventBatch: 1,
  Stacks: 2,
  Stack: 3,
  Strings: 4,
  String: 5,
  CPUSamples: 6,
  CPUSample: 7,
  Frequency: 8,
  ProcsChange: 9,
  ProcStart: 10,
  ProcStop: 11,
  ProcSteal: 12,
  ProcStatus: 13,
  GoCreate: 14,
  GoCreateSyscall: 15,
  GoStart: 16,
  GoDestroy: 17,
  GoDestroySyscall: 18,
  GoStop: 19,
  GoBlock: 20,
  GoUnblock: 21,
  GoSyscallBegin: 22,
  GoSyscallEnd: 23,
  GoSyscallEndBlocked: 24,
  GoStatus: 25,
  STWBegin: 26,
  STWEnd: 27,
  GCActive: 28,
  GCBegin: 29,
  GCEnd: 30,
  GCSweepActive: 31,
  GCSweepBegin: 32,
  GCSweepEnd: 33,
  GCMarkAssistActive: 34,
  GCMarkAssistBegin: 35,
  GCMarkAssistEnd: 36,
  HeapAlloc: 37,
  HeapGoal: 38,
  GoLabel: 39,
  UserTaskBegin: 40,
  UserTaskEnd: 41,
  UserRegionBegin: 42,
  UserRegionEnd: 43,
  UserLog: 44,
  GoSwitch: 45,
  GoSwitchDestroy: 46,
  GoCreateBlocked: 47,
  GoStatusStack: 48,
  ExperimentalBatch: 49,
  Sync: 50,
  ClockSnapshot: 51,
  EndOfGeneration: 52,
  // Experimental (AllocFree) events, after MaxEvent = 127.
  Span: 128,
  SpanAlloc: 129,
  SpanFree: 130,
  HeapObject: 131,
  HeapObjectAlloc: 132,
  HeapObjectFree: 133,
  GoroutineStack: 134,
  GoroutineStackAlloc: 135,
  GoroutineStackFree: 136,
} as const;

/** Our marker for the Sync events the reader makes (Go uses ^EventType(0) too). */
export const EV_SYNC = 255;

/** Go's tracev2.MaxBatchSize, MaxFramesPerStack, MaxEventTrailerDataSize. */
export const MAX_BATCH_SIZE = 64 << 10;
export const MAX_FRAMES_PER_STACK = 128;
export const MAX_STRING_SIZE = 1 << 10;

/** Wire goroutine statuses (tracev2.GoStatus). */
export const WireGo = { Bad: 0, Runnable: 1, Running: 2, Syscall: 3, Waiting: 4 } as const;
/** Wire proc statuses (tracev2.ProcStatus). */
export const WireProc = { Bad: 0, Running: 1, Idle: 2, Syscall: 3, SyscallAbandoned: 4 } as const;
export const WIRE_GO_NAMES = ["Bad", "Runnable", "Running", "Syscall", "Waiting"];
export const WIRE_PROC_NAMES = ["Bad", "Running", "Idle", "Syscall", "Bad"];

export interface EvSpec {
  name: string;
  /** argument names, timestamp delta first for timed events */
  args: readonly string[];
  timed: boolean;
  /** indices into args (so 1-based past dt) of stack ids; the first is "the" stack */
  stackArgs: readonly number[];
  stringArgs: readonly number[];
  /** the Begin event a End/Active event belongs to (0: none) */
  startEv: number;
  experiment: number;
}

function spec(name: string, args: string[], o: Partial<EvSpec> = {}): EvSpec {
  return { name, args, timed: args[0] === "dt", stackArgs: [], stringArgs: [], startEv: 0, experiment: 0, ...o };
}

/** Specs indexed by wire type; undefined for unused bytes. */
export const SPECS: readonly (EvSpec | undefined)[] = (() => {
  const s: (EvSpec | undefined)[] = new Array(256).fill(undefined);
  s[Ev.EventBatch] = spec("EventBatch", ["gen", "m", "time", "size"]);
  s[Ev.Stacks] = spec("Stacks", []);
  s[Ev.Stack] = spec("Stack", ["id", "nframes"]);
  s[Ev.Strings] = spec("Strings", []);
  s[Ev.String] = spec("String", ["id"]);
  s[Ev.CPUSamples] = spec("CPUSamples", []);
  s[Ev.CPUSample] = spec("CPUSample", ["time", "m", "p", "g", "stack"], { stackArgs: [4] });
  s[Ev.Frequency] = spec("Frequency", ["freq"]);
  s[Ev.ExperimentalBatch] = spec("ExperimentalBatch", ["exp", "gen", "m", "time"]);
  s[Ev.Sync] = spec("Sync", []);
  s[Ev.EndOfGeneration] = spec("EndOfGeneration", []);
  s[Ev.ProcsChange] = spec("ProcsChange", ["dt", "procs_value", "stack"], { stackArgs: [2] });
  s[Ev.ProcStart] = spec("ProcStart", ["dt", "p", "p_seq"]);
  s[Ev.ProcStop] = spec("ProcStop", ["dt"]);
  s[Ev.ProcSteal] = spec("ProcSteal", ["dt", "p", "p_seq", "m"]);
  s[Ev.ProcStatus] = spec("ProcStatus", ["dt", "p", "pstatus"]);
  s[Ev.GoCreate] = spec("GoCreate", ["dt", "new_g", "new_stack", "stack"], { stackArgs: [3, 2] });
  s[Ev.GoCreateSyscall] = spec("GoCreateSyscall", ["dt", "new_g"]);
  s[Ev.GoStart] = spec("GoStart", ["dt", "g", "g_seq"]);
  s[Ev.GoDestroy] = spec("GoDestroy", ["dt"]);
  s[Ev.GoDestroySyscall] = spec("GoDestroySyscall", ["dt"]);
  s[Ev.GoStop] = spec("GoStop", ["dt", "reason_string", "stack"], { stackArgs: [2], stringArgs: [1] });
  s[Ev.GoBlock] = spec("GoBlock", ["dt", "reason_string", "stack"], { stackArgs: [2], stringArgs: [1] });
  s[Ev.GoUnblock] = spec("GoUnblock", ["dt", "g", "g_seq", "stack"], { stackArgs: [3] });
  s[Ev.GoSyscallBegin] = spec("GoSyscallBegin", ["dt", "p_seq", "stack"], { stackArgs: [2] });
  s[Ev.GoSyscallEnd] = spec("GoSyscallEnd", ["dt"], { startEv: Ev.GoSyscallBegin });
  s[Ev.GoSyscallEndBlocked] = spec("GoSyscallEndBlocked", ["dt"], { startEv: Ev.GoSyscallBegin });
  s[Ev.GoStatus] = spec("GoStatus", ["dt", "g", "m", "gstatus"]);
  s[Ev.STWBegin] = spec("STWBegin", ["dt", "kind_string", "stack"], { stackArgs: [2], stringArgs: [1] });
  s[Ev.STWEnd] = spec("STWEnd", ["dt"], { startEv: Ev.STWBegin });
  s[Ev.GCActive] = spec("GCActive", ["dt", "gc_seq"], { startEv: Ev.GCBegin });
  s[Ev.GCBegin] = spec("GCBegin", ["dt", "gc_seq", "stack"], { stackArgs: [2] });
  s[Ev.GCEnd] = spec("GCEnd", ["dt", "gc_seq"], { startEv: Ev.GCBegin });
  s[Ev.GCSweepActive] = spec("GCSweepActive", ["dt", "p"], { startEv: Ev.GCSweepBegin });
  s[Ev.GCSweepBegin] = spec("GCSweepBegin", ["dt", "stack"], { stackArgs: [1] });
  s[Ev.GCSweepEnd] = spec("GCSweepEnd", ["dt", "swept_value", "reclaimed_value"], { startEv: Ev.GCSweepBegin });
  s[Ev.GCMarkAssistActive] = spec("GCMarkAssistActive", ["dt", "g"], { startEv: Ev.GCMarkAssistBegin });
  s[Ev.GCMarkAssistBegin] = spec("GCMarkAssistBegin", ["dt", "stack"], { stackArgs: [1] });
  s[Ev.GCMarkAssistEnd] = spec("GCMarkAssistEnd", ["dt"], { startEv: Ev.GCMarkAssistBegin });
  s[Ev.HeapAlloc] = spec("HeapAlloc", ["dt", "heapalloc_value"]);
  s[Ev.HeapGoal] = spec("HeapGoal", ["dt", "heapgoal_value"]);
  s[Ev.GoLabel] = spec("GoLabel", ["dt", "label_string"], { stringArgs: [1] });
  s[Ev.UserTaskBegin] = spec("UserTaskBegin", ["dt", "task", "parent_task", "name_string", "stack"], { stackArgs: [4], stringArgs: [3] });
  s[Ev.UserTaskEnd] = spec("UserTaskEnd", ["dt", "task", "stack"], { stackArgs: [2] });
  s[Ev.UserRegionBegin] = spec("UserRegionBegin", ["dt", "task", "name_string", "stack"], { stackArgs: [3], stringArgs: [2] });
  s[Ev.UserRegionEnd] = spec("UserRegionEnd", ["dt", "task", "name_string", "stack"], {
    stackArgs: [3],
    stringArgs: [2],
    startEv: Ev.UserRegionBegin,
  });
  s[Ev.UserLog] = spec("UserLog", ["dt", "task", "key_string", "value_string", "stack"], { stackArgs: [4], stringArgs: [2, 3] });
  s[Ev.GoSwitch] = spec("GoSwitch", ["dt", "g", "g_seq"]);
  s[Ev.GoSwitchDestroy] = spec("GoSwitchDestroy", ["dt", "g", "g_seq"]);
  s[Ev.GoCreateBlocked] = spec("GoCreateBlocked", ["dt", "new_g", "new_stack", "stack"], { stackArgs: [3, 2] });
  s[Ev.GoStatusStack] = spec("GoStatusStack", ["dt", "g", "m", "gstatus", "stack"], { stackArgs: [4] });
  s[Ev.ClockSnapshot] = spec("ClockSnapshot", ["dt", "mono", "sec", "nsec"]);
  const af = { experiment: 1 };
  s[Ev.Span] = spec("Span", ["dt", "id", "npages_value", "kindclass"], af);
  s[Ev.SpanAlloc] = spec("SpanAlloc", ["dt", "id", "npages_value", "kindclass"], af);
  s[Ev.SpanFree] = spec("SpanFree", ["dt", "id"], af);
  s[Ev.HeapObject] = spec("HeapObject", ["dt", "id", "type"], af);
  s[Ev.HeapObjectAlloc] = spec("HeapObjectAlloc", ["dt", "id", "type"], af);
  s[Ev.HeapObjectFree] = spec("HeapObjectFree", ["dt", "id"], af);
  s[Ev.GoroutineStack] = spec("GoroutineStack", ["dt", "id", "order"], af);
  s[Ev.GoroutineStackAlloc] = spec("GoroutineStackAlloc", ["dt", "id", "order"], af);
  s[Ev.GoroutineStackFree] = spec("GoroutineStackFree", ["dt", "id"], af);
  return s;
})();

/** Experiment names by id (tracev2.Experiments()). */
export const EXPERIMENTS = ["None", "AllocFree"];

/** Go's name for a wire type in a version, for error messages (version.EventName). */
export function eventName(typ: number): string {
  return SPECS[typ]?.name ?? `Invalid(${typ})`;
}

/** Per wire type: the number of args after dt a timed event has (-1: not a timed event). */
export const TIMED_ARGS: Int8Array = (() => {
  const a = new Int8Array(256).fill(-1);
  SPECS.forEach((s, i) => {
    if (s && s.timed) a[i] = s.args.length - 1;
  });
  return a;
})();

/** Per wire type, up to two argument slots (0-based past dt) holding stack ids / string ids, -1: none. */
function slots(pick: (s: EvSpec) => readonly number[], n: number): Int8Array {
  const a = new Int8Array(256).fill(-1);
  SPECS.forEach((s, i) => {
    if (s && s.timed) {
      const ids = pick(s);
      if (ids.length > n) a[i] = ids[n] - 1;
    }
  });
  return a;
}
export const STACK_SLOT_1 = slots((s) => s.stackArgs, 0);
export const STACK_SLOT_2 = slots((s) => s.stackArgs, 1);
export const STRING_SLOT_1 = slots((s) => s.stringArgs, 0);
export const STRING_SLOT_2 = slots((s) => s.stringArgs, 1);
