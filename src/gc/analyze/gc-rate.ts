// GC cycles per second without gctrace or MemStats, from two heap-family profiles
// (heap, allocs) taken at different times — what a folder fetched with curl holds when
// the service runs without GODEBUG=gctrace=1 and serves no /debug/vars.
//
// The runtime paces a cycle by its goal: the live heap of the last mark plus GOGC % of it
// (plus GOGC % of stacks and globals, left out here), never below the minimum heap of
// 4 MB x GOGC/100 (runtime/mgcpacer.go: heapMinimum). alloc_space only grows (bytes
// allocated since the start, as of the last completed cycle) and inuse_space is the live
// heap of that cycle: the two profiles' alloc_space difference over their time difference
// is the allocation rate, and that over (goal - live) the cycles. The estimate is low
// rather than high: the pacer starts a cycle 70-95 % of the way to the goal and counts
// what the mark allocates as live, so cycles come more often than once per (goal - live);
// leaving stacks and globals out errs the other way, by less. test/gc-rate.test.ts holds
// it against gctrace's count: 0.72-1.07 of it.

import { sampleTypeIndex, type Profile } from "../../core/model/index.js";

const MiB = 1 << 20;
/** runtime/mgcpacer.go: heapMinimum = defaultHeapMinimum (4 MB) x GOGC/100 */
const HEAP_MINIMUM = 4 * MiB;
/**
 * Each profile's figures stop at its last completed cycle, so the difference can be off
 * by about one cycle at each end: at least this many cycles between the two keep that
 * error within 20 %.
 */
export const MIN_ESTIMATED_CYCLES = 10;

export interface GcRateEstimate {
  gcPerSec: number;
  /** cycles between the two profiles */
  cycles: number;
  allocBytesPerSec: number;
  liveBytes: number;
  intervalSeconds: number;
  gogc: number;
  /** the earlier and the later profile */
  files: [string, string];
}

interface Snapshot {
  file: string;
  timeNanos: bigint;
  allocBytes: number;
  inuseBytes: number;
}

function snapshot(file: string, p: Profile): Snapshot | undefined {
  const a = sampleTypeIndex(p, "alloc_space");
  const u = sampleTypeIndex(p, "inuse_space");
  if (a < 0 || u < 0 || p.timeNanos <= 0n) return undefined;
  let allocBytes = 0;
  let inuseBytes = 0;
  for (let s = 0; s < p.samples.length; s++) {
    allocBytes += p.sampleValue(s, a);
    inuseBytes += p.sampleValue(s, u);
  }
  return { file, timeNanos: p.timeNanos, allocBytes, inuseBytes };
}

/** The estimate from the earliest and the latest heap-family profile, or undefined when they cannot give one. */
export function estimateGcRate(profiles: Array<{ file: string; profile: Profile }>, gogc = 100): GcRateEstimate | undefined {
  if (!(gogc > 0)) return undefined;
  const snaps = profiles.flatMap((p) => snapshot(p.file, p.profile) ?? []).sort((x, y) => (x.timeNanos < y.timeNanos ? -1 : x.timeNanos > y.timeNanos ? 1 : 0));
  if (snaps.length < 2) return undefined;
  const first = snaps[0]!;
  const last = snaps[snaps.length - 1]!;
  const intervalSeconds = Number(last.timeNanos - first.timeNanos) / 1e9;
  const allocated = last.allocBytes - first.allocBytes;
  // The same cycle's figures (no cycle ended between the two fetches), or a restarted process.
  if (intervalSeconds <= 0 || allocated <= 0) return undefined;
  const g = gogc / 100;
  const liveBytes = last.inuseBytes;
  const perCycle = Math.max(liveBytes * g, HEAP_MINIMUM * g - liveBytes);
  const cycles = allocated / perCycle;
  if (cycles < MIN_ESTIMATED_CYCLES) return undefined;
  return {
    gcPerSec: cycles / intervalSeconds,
    cycles,
    allocBytesPerSec: allocated / intervalSeconds,
    liveBytes,
    intervalSeconds,
    gogc,
    files: [first.file, last.file],
  };
}
