// Wait-state classes: why a goroutine is not running. One classifier shared by the
// goroutine dump analysis (which has the runtime's state string), flame graphs and
// the block/mutex/goroutine profiles (which only have frames), and the diagnosis
// rules. Class names follow the seeds' labels.

export const WAIT_CLASSES = [
  "io:wait(net)",
  "sync:mutex",
  "sync:rwmutex",
  "sync:cond",
  "sync:waitgroup",
  "sync:sem",
  "chan:send",
  "chan:recv",
  "select",
  "sleep",
  "syscall",
  "gc",
  "running",
  "runnable",
  "other",
] as const;

export type WaitClass = (typeof WAIT_CLASSES)[number];

/** Classes in which a goroutine waits for another goroutine (not for the outside world or the clock). */
export const BLOCKED_ON_GOROUTINES: ReadonlySet<WaitClass> = new Set<WaitClass>([
  "sync:mutex", "sync:rwmutex", "sync:cond", "sync:waitgroup", "sync:sem", "chan:send", "chan:recv", "select",
]);

export interface StackClass {
  cls: WaitClass;
  /**
   * Index (leaf = 0) of the outermost frame that belongs to the wait, e.g. the
   * `sync.(*Mutex).Lock` frame; frames 0..waitDepth are "the wait", frames above it
   * are the code that waited. -1 when no frame matched.
   */
  waitDepth: number;
}

// Frame rules, most specific first. A rule matches a function name exactly or,
// when it ends in "*", by prefix. The first frame (from the leaf) that matches any
// rule decides, so sync.(*Mutex).Lock wins over the runtime.semacquire1 below it
// only because we look for the outermost match of the same wait (see classifyFrames).
interface FrameRule {
  cls: WaitClass;
  names: string[];
}

const FRAME_RULES: FrameRule[] = [
  {
    cls: "io:wait(net)",
    names: [
      "internal/poll.runtime_pollWait", "runtime.netpollblock", "internal/poll.(*pollDesc).wait",
      "internal/poll.(*pollDesc).waitRead", "internal/poll.(*pollDesc).waitWrite", "internal/poll.(*FD).Read",
      "internal/poll.(*FD).Write", "internal/poll.(*FD).Accept", "internal/poll.(*FD).ReadFrom*",
      "internal/poll.(*FD).WriteTo*", "internal/poll.(*FD).ReadMsg*", "internal/poll.(*FD).WriteMsg*",
      "net.(*netFD).*", "net.(*conn).Read", "net.(*conn).Write", "net.(*TCPListener).accept",
      "net.(*TCPListener).Accept", "net.(*UnixListener).accept", "net.(*UnixListener).Accept",
      "internal/poll.runtime_pollWaitCanceled",
    ],
  },
  {
    cls: "sync:rwmutex",
    names: [
      "sync.(*RWMutex).RLock", "sync.(*RWMutex).Lock", "sync.(*RWMutex).rUnlockSlow",
      "sync.runtime_SemacquireRWMutexR", "sync.runtime_SemacquireRWMutex",
    ],
  },
  {
    cls: "sync:mutex",
    names: [
      "sync.(*Mutex).Lock", "sync.(*Mutex).lockSlow", "sync.runtime_SemacquireMutex",
      "internal/sync.(*Mutex).Lock", "internal/sync.(*Mutex).lockSlow", "internal/sync.runtime_SemacquireMutex",
      "sync.(*Mutex).Unlock", "sync.(*Mutex).unlockSlow", "internal/sync.(*Mutex).Unlock",
      "internal/sync.(*Mutex).unlockSlow", "sync.(*RWMutex).Unlock", "sync.(*RWMutex).RUnlock",
    ],
  },
  { cls: "sync:cond", names: ["sync.(*Cond).Wait", "sync.runtime_notifyListWait", "runtime.notifyListWait"] },
  { cls: "sync:waitgroup", names: ["sync.(*WaitGroup).Wait", "sync.runtime_SemacquireWaitGroup"] },
  {
    cls: "sync:sem",
    names: [
      "sync.runtime_Semacquire", "runtime.semacquire", "runtime.semacquire1", "sync.runtime_notifyListWait",
      "golang.org/x/sync/semaphore.(*Weighted).Acquire", "runtime.sync_runtime_Semacquire",
      "internal/poll.runtime_Semacquire", "internal/poll.(*fdMutex).rwlock", "internal/poll.(*FD).readLock",
      "internal/poll.(*FD).writeLock",
    ],
  },
  { cls: "chan:send", names: ["runtime.chansend", "runtime.chansend1"] },
  { cls: "chan:recv", names: ["runtime.chanrecv", "runtime.chanrecv1", "runtime.chanrecv2"] },
  { cls: "select", names: ["runtime.selectgo", "runtime.block", "reflect.rselect", "reflect.Select"] },
  { cls: "sleep", names: ["time.Sleep", "runtime.timeSleep"] },
  {
    cls: "syscall",
    names: [
      "syscall.Syscall", "syscall.Syscall6", "syscall.RawSyscall", "syscall.RawSyscall6", "syscall.syscall",
      "syscall.rawsyscall", "syscall.rawSyscallNoError", "internal/runtime/syscall.Syscall6",
      "runtime/internal/syscall.Syscall6", "runtime.entersyscall", "runtime.entersyscallblock",
      "runtime.exitsyscall", "runtime.cgocall", "syscall.Syscall9", "os/signal.signal_recv",
      "runtime.notetsleepg",
    ],
  },
  {
    cls: "gc",
    names: [
      "runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge", "runtime.forcegchelper",
      "runtime.runfinq", "runtime.runCleanups", "runtime.gcAssistAlloc", "runtime.gcParkAssist",
      "runtime.GC", "runtime.gcWaitOnMark", "runtime.gcenable", "runtime.unique_runtime_registerUniqueMapCleanup.func*",
    ],
  },
];

const EXACT = new Map<string, WaitClass>();
const PREFIX: Array<[string, WaitClass]> = [];
for (const rule of FRAME_RULES) {
  for (const n of rule.names) {
    if (n.endsWith("*")) PREFIX.push([n.slice(0, -1), rule.cls]);
    else if (!EXACT.has(n)) EXACT.set(n, rule.cls);
  }
}

/** The class a single function implies, or undefined. */
export function frameClass(fn: string): WaitClass | undefined {
  const c = EXACT.get(fn);
  if (c !== undefined) return c;
  for (const [p, cls] of PREFIX) if (fn.startsWith(p)) return cls;
  return undefined;
}

// Frames that are plumbing of every wait and never decide the class themselves.
const PARK_FRAMES = new Set(["runtime.gopark", "runtime.goparkunlock", "runtime.park_m", "runtime.mcall"]);

/** How many leaf frames to inspect: a wait is always near the top of the stack. */
const MAX_WAIT_DEPTH = 12;

/**
 * Classify a stack by its frames alone (leaf first), as for profiles that carry no
 * goroutine state. The innermost matching frame picks the class; the wait extends
 * outwards over consecutive frames of the same class (sync.(*Mutex).Lock above
 * lockSlow above runtime_SemacquireMutex), except that a more specific class above
 * a generic one wins: runtime.semacquire1 under sync.(*WaitGroup).Wait is a WaitGroup
 * wait.
 */
export function classifyFrames(frames: readonly string[]): StackClass {
  const n = Math.min(frames.length, MAX_WAIT_DEPTH);
  let cls: WaitClass | undefined;
  let depth = -1;
  for (let i = 0; i < n; i++) {
    const fn = frames[i]!;
    if (PARK_FRAMES.has(fn)) continue;
    const c = frameClass(fn);
    if (c === undefined) {
      if (cls !== undefined) break; // left the runtime/sync plumbing: the caller waited
      continue;
    }
    if (cls === undefined || c === cls || refines(cls, c)) {
      cls = c;
      depth = i;
    } else {
      break;
    }
  }
  return cls === undefined ? { cls: "other", waitDepth: -1 } : { cls, waitDepth: depth };
}

// A generic semaphore wait is refined by the sync type that used it
// (runtime.semacquire1 under sync.(*WaitGroup).Wait is a WaitGroup wait).
function refines(inner: WaitClass, outer: WaitClass): boolean {
  return inner === "sync:sem" && outer !== "sync:sem" && outer.startsWith("sync:");
}

// The runtime's wait reasons (runtime2.go, waitReasonStrings; Go 1.13-1.26) and
// goroutine statuses that decide the class without looking at frames.
const STATE_CLASSES: Record<string, WaitClass> = {
  running: "running",
  runnable: "runnable",
  preempted: "runnable",
  syscall: "syscall",
  "IO wait": "io:wait(net)",
  "chan receive": "chan:recv",
  "chan receive (nil chan)": "chan:recv",
  "chan receive (durable)": "chan:recv",
  "chan send": "chan:send",
  "chan send (nil chan)": "chan:send",
  "chan send (durable)": "chan:send",
  select: "select",
  "select (no cases)": "select",
  "select (durable)": "select",
  sleep: "sleep",
  "sync.Mutex.Lock": "sync:mutex",
  "sync.RWMutex.RLock": "sync:rwmutex",
  "sync.RWMutex.Lock": "sync:rwmutex",
  "sync.Cond.Wait": "sync:cond",
  "sync.WaitGroup.Wait": "sync:waitgroup",
  "sync.WaitGroup.Wait (durable)": "sync:waitgroup",
  "GC assist marking": "gc",
  "GC assist wait": "gc",
  "GC sweep wait": "gc",
  "GC scavenge wait": "gc",
  "GC worker (idle)": "gc",
  "GC worker (active)": "gc",
  "GC mark termination": "gc",
  "GC weak to strong wait": "gc",
  "garbage collection": "gc",
  "garbage collection scan": "gc",
  "wait for GC cycle": "gc",
  "force gc (idle)": "gc",
  "finalizer wait": "gc",
  "cleanup wait": "gc",
};

/**
 * Classify a goroutine from its dump state (e.g. "semacquire", "IO wait",
 * "chan receive (nil chan)"; durations and "locked to thread" already stripped)
 * and its frames, leaf first. Generic states ("semacquire", "waiting") are refined
 * by the frames; specific ones decide alone.
 */
export function classifyGoroutine(state: string, frames: readonly string[]): StackClass {
  const byFrames = classifyFrames(frames);
  const s = STATE_CLASSES[state];
  if (s !== undefined) {
    // Keep the frame depth when frames agree, so renderers can still mark the wait.
    return { cls: s, waitDepth: byFrames.cls === s ? byFrames.waitDepth : -1 };
  }
  if (state === "semacquire" && byFrames.cls === "other") return { cls: "sync:sem", waitDepth: -1 };
  if (byFrames.cls !== "other") return byFrames;
  return { cls: "other", waitDepth: -1 };
}
