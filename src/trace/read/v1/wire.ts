// The Go 1.11–1.21 ("v1") execution-trace wire format: event types and their arguments,
// as described by $(go env GOROOT)/src/internal/trace/internal/tracev1/parser.go (and
// runtime/trace.go of those Go versions). Each event starts with one byte: the type in
// the low 6 bits, the number of inline arguments minus one in the top 2 (3 = the
// arguments are prefixed by their byte length).

export const V1 = {
  None: 0,
  Batch: 1,
  Frequency: 2,
  Stack: 3,
  Gomaxprocs: 4,
  ProcStart: 5,
  ProcStop: 6,
  GCStart: 7,
  GCDone: 8,
  STWStart: 9,
  STWDone: 10,
  GCSweepStart: 11,
  GCSweepDone: 12,
  GoCreate: 13,
  GoStart: 14,
  GoEnd: 15,
  GoStop: 16,
  GoSched: 17,
  GoPreempt: 18,
  GoSleep: 19,
  GoBlock: 20,
  GoUnblock: 21,
  GoBlockSend: 22,
  GoBlockRecv: 23,
  GoBlockSelect: 24,
  GoBlockSync: 25,
  GoBlockCond: 26,
  GoBlockNet: 27,
  GoSysCall: 28,
  GoSysExit: 29,
  GoSysBlock: 30,
  GoWaiting: 31,
  GoInSyscall: 32,
  HeapAlloc: 33,
  HeapGoal: 34,
  TimerGoroutine: 35,
  FutileWakeup: 36,
  String: 37,
  GoStartLocal: 38,
  GoUnblockLocal: 39,
  GoSysExitLocal: 40,
  GoStartLabel: 41,
  GoBlockGC: 42,
  GCMarkAssistStart: 43,
  GCMarkAssistDone: 44,
  UserTaskCreate: 45,
  UserTaskEnd: 46,
  UserRegion: 47,
  UserLog: 48,
  CPUSample: 49,
  Count: 50,
} as const;

interface Desc {
  name: string;
  /** the first format version (go 1.N) that has the event */
  minVersion: number;
  /** the last argument is a stack id */
  stack: boolean;
  /** named arguments, not counting the timestamp or the stack */
  args: number;
}

const d = (name: string, minVersion: number, stack: boolean, args: number): Desc => ({ name, minVersion, stack, args });

/** Indexed by type; undefined for None and unknown types. */
export const V1_DESCS: readonly (Desc | undefined)[] = [
  undefined,
  d("Batch", 5, false, 2),
  d("Frequency", 5, false, 1),
  d("Stack", 5, false, 2),
  d("Gomaxprocs", 5, true, 1),
  d("ProcStart", 5, false, 1),
  d("ProcStop", 5, false, 0),
  d("GCStart", 5, true, 1),
  d("GCDone", 5, false, 0),
  d("GCSTWStart", 5, false, 1),
  d("GCSTWDone", 5, false, 0),
  d("GCSweepStart", 5, true, 0),
  d("GCSweepDone", 5, false, 2),
  d("GoCreate", 5, true, 2),
  d("GoStart", 5, false, 2),
  d("GoEnd", 5, false, 0),
  d("GoStop", 5, true, 0),
  d("GoSched", 5, true, 0),
  d("GoPreempt", 5, true, 0),
  d("GoSleep", 5, true, 0),
  d("GoBlock", 5, true, 0),
  d("GoUnblock", 5, true, 2),
  d("GoBlockSend", 5, true, 0),
  d("GoBlockRecv", 5, true, 0),
  d("GoBlockSelect", 5, true, 0),
  d("GoBlockSync", 5, true, 0),
  d("GoBlockCond", 5, true, 0),
  d("GoBlockNet", 5, true, 0),
  d("GoSysCall", 5, true, 0),
  d("GoSysExit", 5, false, 3),
  d("GoSysBlock", 5, false, 0),
  d("GoWaiting", 5, false, 1),
  d("GoInSyscall", 5, false, 1),
  d("HeapAlloc", 5, false, 1),
  d("HeapGoal", 5, false, 1),
  d("TimerGoroutine", 5, false, 1),
  d("FutileWakeup", 5, false, 0),
  d("String", 7, false, 0),
  d("GoStartLocal", 7, false, 1),
  d("GoUnblockLocal", 7, true, 1),
  d("GoSysExitLocal", 7, false, 2),
  d("GoStartLabel", 8, false, 3),
  d("GoBlockGC", 8, true, 0),
  d("GCMarkAssistStart", 9, true, 0),
  d("GCMarkAssistDone", 9, false, 0),
  d("UserTaskCreate", 11, true, 3),
  d("UserTaskEnd", 11, true, 1),
  d("UserRegion", 11, true, 3),
  d("UserLog", 11, true, 2),
  d("CPUSample", 19, true, 3),
];

/**
 * The number of values an event carries on the wire (Go's argNum): its named arguments,
 * its stack, and a timestamp delta first for all but Batch, Frequency and TimerGoroutine.
 */
export function argCount(typ: number): number {
  const desc = V1_DESCS[typ]!;
  const n = desc.args + (desc.stack ? 1 : 0);
  return typ === V1.Batch || typ === V1.Frequency || typ === V1.TimerGoroutine ? n : n + 1;
}

/** Per type, for the decoding loop: argCount, named arguments, has a stack (1/0). */
export const ARG_COUNT = new Uint8Array(64);
export const NAMED_ARGS = new Uint8Array(64);
export const HAS_STACK = new Uint8Array(64);
V1_DESCS.forEach((desc, typ) => {
  if (desc === undefined) return;
  ARG_COUNT[typ] = argCount(typ);
  NAMED_ARGS[typ] = desc.args;
  HAS_STACK[typ] = desc.stack ? 1 : 0;
});

/** Go's special P ids for events that belong to no real P (tracev1's FakeP + n). */
export const TimerP = 1000001;
export const NetpollP = 1000002;
export const SyscallP = 1000003;
export const GCP = 1000004;

/** Largest length prefix of an event's arguments Go accepts (at most 128 seen in 1.19). */
export const MAX_ARGS_BYTES = 2048;
/** Largest string and stack Go accepts. */
export const MAX_STRING_BYTES = 1e6;
export const MAX_STACK_FRAMES = 1000;
/**
 * Most strings, stacks and distinct PCs a trace may define: each is a JS object, so a file of
 * tiny records must not become tens of millions of them. Real traces hold up to ~10^5-10^6
 * (Go's parser notes ~500,000 stacks for a trace of Staticcheck on std).
 */
export const MAX_TABLE_ENTRIES = 1 << 22;

/** Why the world stopped, by the kind id of STWStart (Go 1.21 numbering; older traces only had 0 and 1). */
export const STW_REASONS: readonly string[] = [
  "",
  "GC mark termination",
  "GC sweep termination",
  "write heap dump",
  "goroutine profile",
  "goroutine profile cleanup",
  "all goroutine stack trace",
  "read mem stats",
  "AllThreadsSyscall",
  "GOMAXPROCS",
  "start trace",
  "stop trace",
  "CountPagesInUse (test)",
  "ReadMetricsSlow (test)",
  "ReadMemStatsSlow (test)",
  "PageCachePagesLeaked (test)",
  "ResetDebugLog (test)",
];

/** The STW reason of a kind id: before 1.21 only 0 (mark termination) and 1 (sweep termination) existed. */
export function stwReason(version: number, kind: number): string {
  if (version < 21) return kind === 0 || kind === 1 ? STW_REASONS[kind + 1] : "";
  return kind >= 0 && kind < STW_REASONS.length ? STW_REASONS[kind] : "";
}
