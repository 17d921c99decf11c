// What a lock's holder waits for while it holds the lock. The mutex profile names the
// function that released a contended lock and the line of its Unlock; the block
// profile (or a goroutine dump) the lines where goroutines queued in Lock in that same
// function. A goroutine of that function stopped at a line between the two is inside
// the critical section: blocked there in an HTTP round trip or a channel (block
// profile), or in network I/O, a system call or a sleep (dumps), it holds the lock
// across a wait, and everyone queued behind it waits that long too, whatever the load.

import { originOf } from "../../core/go/index.js";
import { sampleTypeIndex } from "../../core/model/index.js";
import { analyzeDump, type Bucket } from "../../goroutines/index.js";
import type { DiagnoseContext, ProfileInput } from "../context.js";
import { releasedByLibrary } from "./lock-owner.js";

/** The runtime and sync frames a lock wait starts with (Lock, RLock, their semaphores). */
const LOCK_FRAME = /^(sync\.\(\*(RW)?Mutex\)\.R?Lock|internal\/sync\.\(\*Mutex\)\.Lock|sync\.runtime_Semacquire\w*|internal\/sync\.runtime_Semacquire\w*)$/;

export interface HeldAcross {
  /** "an HTTP call", "network I/O", ...: what the holder waits for inside the section */
  what: string;
  /** the callee it waits in (net/http.(*persistConn).roundTrip, a system call) */
  waitsIn: string;
  /** file the proof comes from, and its kind */
  source: string;
  kind: "block profile" | "goroutine dump";
  /** block profile: nanoseconds the holder spent blocked inside the section */
  blockedNs?: number;
  /** dumps: goroutines caught inside the section waiting */
  goroutines?: number;
  /** the holder's lines: Lock calls and Unlock calls */
  lockLines: number[];
  unlockLines: number[];
}

/** Lines of `fn` in the samples of a profile that pass `keep` (leaf-first frames). */
function linesOf(p: ProfileInput, fn: string, keep: (names: string[]) => boolean): number[] {
  const ti = sampleTypeIndex(p.profile, "delay");
  const out = new Set<number>();
  for (let s = 0; s < p.profile.samples.length; s++) {
    if (ti >= 0 && p.profile.sampleValue(s, ti) === 0) continue;
    if (!keep(p.frames.names(s))) continue;
    const f = p.frames.frames(s).find((x) => x.name === fn);
    if (f && f.line > 0) out.add(f.line);
  }
  return [...out];
}

/** Inside a section: after a Lock line and no later than the first Unlock line after it. */
function inside(line: number, locks: number[], unlocks: number[]): boolean {
  return locks.some((a) => {
    const b = Math.min(...unlocks.filter((u) => u > a));
    return Number.isFinite(b) && a < line && line <= b;
  });
}

/** sync.Cond.Wait releases the lock while it waits: not a wait under the lock. */
const releasesLock = (names: string[]) => names.includes("sync.(*Cond).Wait");

const HTTP_CLIENT = /^net\/http\.\(\*(Client|Transport|persistConn)\)/;

function describe(names: string[]): string {
  if (names.some((n) => HTTP_CLIENT.test(n))) return "an HTTP call";
  if (names.some((n) => n === "runtime.selectgo" || n === "runtime.chanrecv" || n === "runtime.chansend")) return "a channel operation";
  return "a blocking call";
}

/**
 * Proof that `holder` waits on something else while holding the lock it releases:
 * undefined without a mutex profile line for its Unlock and a Lock line for it.
 */
export function heldAcross(ctx: DiagnoseContext, mutex: ProfileInput, holder: string): HeldAcross | undefined {
  const unlockLines = linesOf(mutex, holder, (names) => !releasedByLibrary(names));
  const block = ctx.profile("block");
  const lockWait = (names: string[]) => names.slice(0, 6).some((n) => LOCK_FRAME.test(n));
  const lockLines = new Set(block ? linesOf(block, holder, lockWait) : []);
  const dumps = ctx.goroutineDumps().map(({ file, dump }) => ({ file, buckets: analyzeDump(dump, file.path).buckets }));
  for (const d of dumps) {
    for (const b of d.buckets) {
      if (!isLockWaiter(b)) continue;
      const f = b.frames.find((x) => x.func === holder);
      if (f) lockLines.add(f.line);
    }
  }
  const locks = [...lockLines];
  if (unlockLines.length === 0 || locks.length === 0) return undefined;
  const base = { lockLines: locks, unlockLines };
  // The block profile: the holder blocked (not on the lock) at a line inside the section.
  if (block) {
    const ti = sampleTypeIndex(block.profile, "delay");
    let ns = 0;
    let example: string[] | undefined;
    for (let s = 0; ti >= 0 && s < block.profile.samples.length; s++) {
      const v = block.profile.sampleValue(s, ti);
      const names = block.frames.names(s);
      if (v === 0 || lockWait(names) || releasesLock(names)) continue;
      const f = block.frames.frames(s).find((x) => x.name === holder);
      if (!f || !inside(f.line, locks, unlockLines)) continue;
      ns += v;
      example ??= names;
    }
    if (example) {
      const waitsIn = example.find((n) => HTTP_CLIENT.test(n)) ?? example.find((n) => !n.startsWith("runtime.")) ?? example[0]!;
      return { ...base, what: describe(example), waitsIn, source: block.file.path, kind: "block profile", blockedNs: ns };
    }
  }
  // A dump: a goroutine of the holder inside the section, in I/O, a system call or a sleep.
  for (const d of dumps) {
    let n = 0;
    let what = "";
    let waitsIn = "";
    for (const b of d.buckets) {
      if (isLockWaiter(b) || releasesLock(b.frames.map((x) => x.func))) continue;
      const f = b.frames.find((x) => x.func === holder);
      if (!f || !inside(f.line, locks, unlockLines)) continue;
      const w = waitOf(b);
      if (!w) continue;
      n += b.count;
      what = w;
      waitsIn = b.frames.find((x) => HTTP_CLIENT.test(x.func))?.func ?? b.frames.find((x) => originOf(x.func) !== "runtime")?.func ?? "";
    }
    if (n > 0) return { ...base, what, waitsIn, source: d.file.path, kind: "goroutine dump", goroutines: n };
  }
  return undefined;
}

const isLockWaiter = (b: Bucket) => b.cls === "sync:mutex" || b.cls === "sync:rwmutex";

function waitOf(b: Bucket): string | undefined {
  if (b.frames.some((f) => HTTP_CLIENT.test(f.func))) return "an HTTP call";
  if (b.cls.startsWith("io:")) return "network I/O";
  if (b.cls === "syscall") return "a system call";
  if (b.cls === "sleep") return "a sleep";
  return undefined;
}
