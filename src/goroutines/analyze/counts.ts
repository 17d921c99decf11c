// Goroutine snapshots without states: goroutine?debug=1 text and goroutine profiles
// (what `curl .../goroutine?debug=1` and `go tool pprof .../goroutine` save). They
// hold the same stacks as a debug=2 dump, with a count per stack instead of one
// record per goroutine: no ids, no wait reasons, no wait minutes, no creator. The
// wait still follows from the leaf frames (runtime.selectgo, chanrecv1, chansend1,
// sync.(*Mutex).Lock, netpoll), so buckets and growth between two snapshots mean
// what they mean in dumps; what needs ids (the same goroutine still there) or
// minutes does not exist, and a single snapshot can only say what counts prove.

import type { Profile } from "../../core/model/index.js";
import { BLOCKED_ON_GOROUTINES, classifyFrames, originOf } from "../../core/go/index.js";
import type { GoFrame, Goroutine, GoroutineDump } from "../model.js";
import { representativeFrame, type Bucket } from "./buckets.js";
import { leakAdvice, type Suspect } from "./suspects.js";

/**
 * Goroutines parked at one user frame, outside any request, in one count-only
 * snapshot: below this, a worker pool or a fan-out in flight looks the same.
 * (Tuning half of the corpus: leaks of 94-720 goroutines in one heavy-load snapshot;
 * no service of either half has a detached bucket of more than 26 that is not a leak.)
 */
export const COUNT_ONLY_PARKED = 50;
/** ... and more than this many times the requests being served at that instant. */
const PER_REQUEST = 2;

/** Address (pc-1, as a profile's locations record it) -> the frames there, leaf first, from a goroutine profile. */
export function protoSymbols(p: Profile): Map<number, GoFrame[]> {
  const out = new Map<number, GoFrame[]>();
  const L = p.locations;
  for (let loc = 0; loc < L.address.length; loc++) {
    const frames: GoFrame[] = [];
    for (let j = L.lineStart[loc]!; j < L.lineStart[loc + 1]!; j++) {
      const fn = p.lines.func[j]!;
      if (fn < 0) continue;
      frames.push({ func: p.str(p.functions.name[fn]!), args: "", file: p.str(p.functions.filename[fn]!), line: p.lines.line[j]!, offset: -1 });
    }
    if (frames.length > 0) out.set(Number(L.address[loc]!), frames);
  }
  return out;
}

/** Functions implemented in the runtime whose caller is printed: the hidden leaf above them is runtime.gopark. */
const PARKS_DIRECTLY = new Set([
  "internal/poll.runtime_pollWait",
  "time.Sleep",
  "sync.runtime_notifyListWait",
  "sync.runtime_SemacquireMutex",
  "internal/sync.runtime_SemacquireMutex",
  "sync.runtime_SemacquireRWMutexR",
  "sync.runtime_SemacquireRWMutex",
  "sync.runtime_SemacquireWaitGroup",
  "sync.runtime_Semacquire",
]);

const frame = (func: string): GoFrame => ({ func, args: "", file: "", line: 0, offset: -1 });

/**
 * A debug=1 snapshot with the runtime frames it leaves out put back, so its stacks
 * classify like a dump's. From a goroutine profile of the same binary when there is
 * one (same addresses: its locations name them). Else by shape: the leaf address
 * shared by the stacks whose first printed frame parks directly (netpoll, time.Sleep,
 * sync's semaphores) is runtime.gopark; a printed frame right under gopark plus one
 * hidden frame called runtime.selectgo (or block: select{}), under two hidden frames
 * a channel operation (chanrecv1 -> chanrecv, chansend1 -> chansend). The direction is
 * not in the text: it is given as a receive, and said in the dump's warnings.
 */
export function restoreHiddenFrames(d: GoroutineDump, symbols?: Map<number, GoFrame[]>): GoroutineDump {
  if (d.format !== "goroutine-debug1") return d;
  const counts = new Map<number, number>();
  for (const g of d.goroutines) {
    if (g.hiddenPcs && g.frames[0] && PARKS_DIRECTLY.has(g.frames[0].func)) {
      counts.set(g.hiddenPcs[0]!, (counts.get(g.hiddenPcs[0]!) ?? 0) + g.count);
    }
  }
  let gopark = -1;
  for (const [pc, n] of counts) if (gopark < 0 || n > counts.get(gopark)!) gopark = pc;
  let guessed = 0;
  const goroutines = d.goroutines.map((g): Goroutine => {
    const hidden = g.hiddenPcs;
    if (!hidden || hidden.length === 0) return g;
    if (symbols) {
      const restored = hidden.flatMap((pc) => symbols.get(pc - 1) ?? []);
      if (restored.length > 0) return { ...g, frames: [...restored, ...g.frames] };
    }
    // Only a stack its printed frames do not already classify (a sync or netpoll wait prints its own frame).
    if (hidden[0] !== gopark || originOf(g.frames[0]?.func ?? "runtime.") === "runtime") return g;
    if (classifyFrames(g.frames.slice(0, 12).map((f) => f.func)).cls !== "other") return g;
    if (hidden.length === 2) return { ...g, frames: [frame("runtime.gopark"), frame("runtime.selectgo"), ...g.frames] };
    if (hidden.length === 3) {
      guessed += g.count;
      return { ...g, frames: [frame("runtime.gopark"), frame("runtime.chanrecv"), frame("runtime.chanrecv1"), ...g.frames] };
    }
    return g;
  });
  const warnings = [...d.warnings];
  if (guessed > 0) {
    warnings.push(`${guessed} goroutines parked in a channel operation the debug=1 text does not name: shown as receives (a goroutine profile of the same process names them)`);
  }
  return { ...d, goroutines, warnings };
}

const inRequest = (b: Bucket) => b.frames.some((f) => f.func === "net/http.(*conn).serve");
const serving = (b: Bucket) => b.frames.some((f) => f.func === "net/http.serverHandler.ServeHTTP");

/** The user function a bucket waits in: the frame right above its wait, when it is user code. */
export function parkedIn(b: Bucket): GoFrame | undefined {
  if (b.waitDepth < 0) return undefined;
  const f = b.frames[b.waitDepth + 1];
  return f && originOf(f.func) === "user" ? f : undefined;
}

/** Blocked on other goroutines in a user function, outside any request (locks are contention, not leaks). */
export function detachedParked(b: Bucket): boolean {
  return BLOCKED_ON_GOROUTINES.has(b.cls) && b.cls !== "sync:mutex" && b.cls !== "sync:rwmutex" && !inRequest(b) && parkedIn(b) !== undefined;
}

/**
 * One count-only snapshot: many goroutines parked at one user frame outside any
 * request, more than the requests being served could own (PER_REQUEST each). A
 * request-scoped goroutine that outlived its request stays there; a pool started at
 * start-up looks the same, hence the count.
 */
export function parkedBeyondRequests(buckets: Bucket[]): Suspect[] {
  let inflight = 0;
  for (const b of buckets) if (serving(b)) inflight += b.count;
  const out: Suspect[] = [];
  for (const b of buckets) {
    if (!detachedParked(b) || b.count < COUNT_ONLY_PARKED || b.count <= PER_REQUEST * inflight) continue;
    const where = representativeFrame(b);
    out.push({
      kind: "leak",
      title: `${b.cls} ${parkedIn(b)!.func}`,
      bucket: b,
      cls: b.cls,
      count: b.count,
      delta: null,
      perMinute: null,
      persisted: 0,
      maxWaitMinutes: 0,
      where,
      reason:
        `${b.count} goroutines parked at one place outside any request while ${inflight} requests were being served ` +
        `(a snapshot without states or ids: counts only); blocked in ${b.cls}, which only another goroutine can end`,
      advice: leakAdvice(b.cls, where),
    });
  }
  return out.sort((x, y) => y.count - x.count);
}
