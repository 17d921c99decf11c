// Mutex waiters and the evidence that they will never proceed. Waiters are
// goroutines in sync.(*Mutex).Lock (or RWMutex) for at least N minutes, or still
// blocked at the same place in two snapshots taken an interval apart — but being
// parked in two snapshots is not proof (under contention the same goroutines can
// wait again and again). A deadlock is proven only by: waits the runtime prints in
// minutes, a lock-order cycle, or a read lock taken recursively while a writer
// waits (sync.RWMutex forbids that: the writer waits for the reader, the
// reader's second RLock waits for the writer). Grouped by the lock's address (the argument of the runtime's
// lockSlow frame, when the dump prints arguments), and, "if the stacks tell",
// which bucket holds which lock: a function that waits on lock A at one line and
// on lock B at a later line holds A in the goroutines waiting at the later line
// (it passed its A.Lock() before). Two buckets that each hold the lock the other
// waits for are a lock-order inversion: a deadlock.

import type { GoFrame, GoroutineDump } from "../model.js";
import { bucketize, type Bucket } from "./buckets.js";

export interface LockWaiters {
  /** the lock's address ("0xafe390"), "" when the dump has no arguments */
  lock: string;
  count: number;
  buckets: Array<{ bucket: number; count: number; caller: GoFrame | null; maxWaitMinutes: number; heldLocks: string[] }>;
}

export interface LockCycle {
  /** each edge: the bucket (index into buckets) holding `holds` and waiting for `waits` */
  edges: Array<{ bucket: number; caller: GoFrame | null; holds: string; waits: string }>;
}

export interface RecursiveReadLock {
  /** bucket (index) of the goroutines waiting for their second RLock */
  bucket: number;
  count: number;
  /** the frame that holds the first read lock (it waited for RLock at an earlier line) */
  holder: GoFrame;
  /** the frame whose RLock waits */
  waiter: GoFrame;
  /** buckets (indexes) of writers waiting in RWMutex.Lock */
  writers: number[];
}

export interface DeadlockReport {
  /** buckets (indexes) with long-blocked mutex waiters */
  blocked: number[];
  locks: LockWaiters[];
  cycles: LockCycle[];
  recursiveReads: RecursiveReadLock[];
  /** waiters blocked for >= minWaitMinutes as printed by the runtime */
  longWaiters: number;
  /** what proves no progress, or null when nothing does (then it is contention, not a deadlock) */
  proof: "cycle" | "recursive-rlock" | "long-wait" | null;
  /** what made a waiter long-blocked */
  criterion: string;
}

export interface DeadlockOptions {
  minWaitMinutes: number;
  /** an earlier snapshot: goroutines blocked at the same place in both count as long-blocked */
  before?: GoroutineDump;
  intervalSeconds?: number | null;
}

const MUTEX_CLASSES = new Set(["sync:mutex", "sync:rwmutex"]);

/** Frames of a mutex wait that carry the lock's address as first argument (Lock itself is inlined and prints "..."). */
function lockAddress(frames: readonly GoFrame[], waitDepth: number): string {
  for (let i = 0; i <= waitDepth && i < frames.length; i++) {
    const f = frames[i]!;
    if (!/^(internal\/)?sync\.\(\*(RW)?Mutex\)\./.test(f.func)) continue;
    const a = f.args;
    if (a.startsWith("0x")) {
      const end = a.search(/[,?]/);
      return end < 0 ? a : a.slice(0, end);
    }
  }
  return "";
}

export function findDeadlocks(after: GoroutineDump, buckets: Bucket[], o: DeadlockOptions): DeadlockReport {
  // Goroutines blocked in a mutex wait in the earlier snapshot, by id and stack place.
  const stuckBefore = new Map<number, string>();
  if (o.before) {
    for (const b of bucketize(o.before)) {
      if (!MUTEX_CLASSES.has(b.cls)) continue;
      for (const g of b.members) stuckBefore.set(g.id, placeOf(g.frames));
    }
  }
  const blocked: number[] = [];
  let longWaiters = 0;
  const perLock = new Map<string, LockWaiters>();
  // function -> line -> lock waited at that line (every mutex waiter, stuck or not)
  const waitsAt = new Map<string, Map<number, string>>();
  const info: Array<{ bucket: number; lock: string; caller: GoFrame | null }> = [];
  buckets.forEach((b, bi) => {
    if (!MUTEX_CLASSES.has(b.cls)) return;
    const lock = lockAddress(b.frames, b.waitDepth);
    const caller = b.waitDepth + 1 < b.frames.length ? b.frames[b.waitDepth + 1]! : null;
    info.push({ bucket: bi, lock, caller });
    if (caller !== null && lock !== "") {
      let m = waitsAt.get(caller.func);
      if (m === undefined) waitsAt.set(caller.func, (m = new Map()));
      m.set(caller.line, lock);
    }
    let n = 0;
    for (const g of b.members) {
      const long = g.waitMinutes >= o.minWaitMinutes;
      const persisted = g.id !== 0 && stuckBefore.get(g.id) === placeOf(g.frames);
      if (long) longWaiters += g.count;
      if (long || persisted) n += g.count;
    }
    if (n === 0) return;
    blocked.push(bi);
    let lw = perLock.get(lock);
    if (lw === undefined) perLock.set(lock, (lw = { lock, count: 0, buckets: [] }));
    lw.count += n;
    lw.buckets.push({ bucket: bi, count: n, caller, maxWaitMinutes: b.maxWaitMinutes, heldLocks: [] });
  });
  // Held locks, for every frame of a waiter's stack (the lock may have been taken
  // by a caller further out):
  //  - the frame's function is seen waiting directly for another lock at an earlier
  //    line: it passed that Lock, so it holds it here;
  //  - a method whose receiver is the address of another lock that others wait for
  //    (a struct whose first field is its mutex: mu at offset 0, the usual layout)
  //    runs with its own lock held — the guarded-method pattern f.mu.Lock(); defer
  //    f.mu.Unlock(). This one is an inference, used only to close a cycle.
  const waitedLocks = new Set(info.map((x) => x.lock).filter((l) => l !== ""));
  const held = new Map<number, string[]>();
  // the outermost frame that holds a lock: where the order of taking them is decided
  const holderFrame = new Map<number, GoFrame>();
  for (const x of info) {
    if (x.caller === null || x.lock === "") continue;
    const b = buckets[x.bucket]!;
    const h: string[] = [];
    for (let k = b.waitDepth + 1; k < b.frames.length; k++) {
      const f = b.frames[k]!;
      for (const [line, lock] of waitsAt.get(f.func) ?? []) {
        if (line < f.line && lock !== x.lock && !h.includes(lock)) {
          h.push(lock);
          holderFrame.set(x.bucket, f);
        }
      }
      const recv = f.func.includes(").") ? (f.args.split(",")[0]?.trim() ?? "") : "";
      if (k > b.waitDepth + 1 && recv !== x.lock && waitedLocks.has(recv) && !h.includes(recv)) {
        h.push(recv);
        holderFrame.set(x.bucket, f);
      }
    }
    if (h.length > 0) held.set(x.bucket, h);
  }
  for (const lw of perLock.values()) for (const e of lw.buckets) e.heldLocks = held.get(e.bucket) ?? [];
  // Cycles of length 2 (the common inversion): X holds A waits B, Y holds B waits A.
  // Both are waiting now, so neither can proceed: the cycle is the proof by itself.
  const cycles: LockCycle[] = [];
  const byBucket = new Map(info.map((x) => [x.bucket, x]));
  const seen = new Set<string>();
  for (const [bx, hx] of held) {
    const x = byBucket.get(bx)!;
    for (const [by, hy] of held) {
      if (by === bx) continue;
      const y = byBucket.get(by)!;
      if (hx.includes(y.lock) && hy.includes(x.lock)) {
        const id = [bx, by].sort((p, q) => p - q).join(",");
        if (seen.has(id)) continue;
        seen.add(id);
        cycles.push({
          edges: [
            { bucket: bx, caller: holderFrame.get(bx) ?? x.caller, holds: y.lock, waits: x.lock },
            { bucket: by, caller: holderFrame.get(by) ?? y.caller, holds: x.lock, waits: y.lock },
          ],
        });
      }
    }
  }
  const recursiveReads = findRecursiveReads(buckets);
  const locks = [...perLock.values()].sort((a, b) => b.count - a.count || (a.lock < b.lock ? -1 : 1));
  const criterion =
    `blocked >= ${o.minWaitMinutes} min` + (o.before ? ` or blocked at the same place in both snapshots${o.intervalSeconds ? ` (${Math.round(o.intervalSeconds)} s apart)` : ""}` : "");
  const proof = cycles.length > 0 ? "cycle" : recursiveReads.length > 0 ? "recursive-rlock" : longWaiters > 0 ? "long-wait" : null;
  return { blocked, locks, cycles, recursiveReads, longWaiters, proof, criterion };
}

function placeOf(frames: readonly GoFrame[]): string {
  let s = "";
  for (const f of frames) s += `${f.func}:${f.line};`;
  return s;
}

const RLOCK = /^sync\.\(\*RWMutex\)\.RLock$/;
const WLOCK = /^sync\.\(\*RWMutex\)\.Lock$/;

/**
 * Goroutines waiting for an RLock inside a call made by a frame that itself passed
 * an RLock of the same object earlier: other goroutines wait for RLock directly in
 * that frame's function at an earlier line, on the same receiver. With a writer
 * queued in Lock, that second RLock can never be granted.
 */
function findRecursiveReads(buckets: Bucket[]): RecursiveReadLock[] {
  const writers: number[] = [];
  // function -> lines where its goroutines wait for RLock directly, with the receiver printed
  const rlockAt = new Map<string, Array<{ line: number; recv: string }>>();
  buckets.forEach((b, bi) => {
    if (!MUTEX_CLASSES.has(b.cls)) return;
    const at = b.frames.findIndex((f) => RLOCK.test(f.func));
    if (b.frames.some((f) => WLOCK.test(f.func))) writers.push(bi);
    if (at < 0 || at + 1 >= b.frames.length) return;
    const caller = b.frames[at + 1]!;
    let l = rlockAt.get(caller.func);
    if (l === undefined) rlockAt.set(caller.func, (l = []));
    l.push({ line: caller.line, recv: receiver(caller) });
  });
  if (writers.length === 0) return [];
  const out: RecursiveReadLock[] = [];
  buckets.forEach((b, bi) => {
    if (!MUTEX_CLASSES.has(b.cls)) return;
    const at = b.frames.findIndex((f) => RLOCK.test(f.func));
    if (at < 0 || at + 1 >= b.frames.length) return;
    const waiter = b.frames[at + 1]!;
    for (let k = at + 2; k < b.frames.length; k++) {
      const outer = b.frames[k]!;
      const earlier = rlockAt.get(outer.func)?.find(
        (r) => r.line < outer.line && (r.recv === "" || receiver(outer) === "" || r.recv === receiver(outer)),
      );
      if (earlier) {
        out.push({ bucket: bi, count: b.count, holder: outer, waiter, writers });
        return;
      }
    }
  });
  return out;
}

/** The receiver (first argument) a method frame printed, "" when unknown. */
function receiver(f: GoFrame): string {
  if (!f.func.includes(").")) return "";
  const a = f.args.split(",")[0]?.trim() ?? "";
  return /^0x[0-9a-f]+$/.test(a) ? a : "";
}
