// runtime.MemStats, from either place a Go service exposes it: the
// "# runtime.MemStats" block at the end of heap?debug=1 (read by the legacy heap
// parser into profile.extras.memStats, which we reuse) or the "memstats" object
// of /debug/vars (src/formats/expvar.ts). Both give the same field names.
//
// Precision: PauseEnd and LastGC are ns since 1970 (~1.8e18), beyond 2^53, so they
// are read as float64 and carry up to ±256 ns error; fine for GC intervals.

import type { Profile } from "../../core/model/index.js";

export type MemStatsSource = "heap-debug1" | "expvar";

export interface MemStats {
  source: MemStatsSource;
  /** bytes */
  heapAlloc: number;
  heapInuse: number;
  heapIdle: number;
  heapSys: number;
  heapReleased: number;
  heapObjects: number;
  totalAlloc: number;
  sys: number;
  stackInuse: number;
  nextGC: number;
  mallocs: number;
  frees: number;
  numGC: number;
  numForcedGC: number;
  gcCpuFraction: number;
  pauseTotalNs: number;
  /** last GC end, ns since 1970 */
  lastGC: number;
  /** recorded pauses, oldest first: PauseNs[(n-1) % 256] for the last min(NumGC, 256) cycles */
  pauseNs: number[];
  /** their end times (ns since 1970), same order */
  pauseEnd: number[];
  /** GC number of pauseNs[0] (1-based) */
  firstPauseGC: number;
  /** every field as read */
  raw: Record<string, number | number[]>;
}

function num(r: Record<string, number | number[]>, k: string): number {
  const v = r[k];
  return typeof v === "number" ? v : 0;
}

function arr(r: Record<string, number | number[]>, k: string): number[] {
  const v = r[k];
  return Array.isArray(v) ? v : [];
}

/** Typed MemStats from a name -> value record; null when it has no MemStats fields. */
export function memStatsFromRecord(r: Record<string, number | number[]>, source: MemStatsSource): MemStats | null {
  if (!("NumGC" in r) || !("HeapAlloc" in r)) return null;
  const numGC = num(r, "NumGC");
  const ringNs = arr(r, "PauseNs");
  const ringEnd = arr(r, "PauseEnd");
  const size = ringNs.length || 256;
  // The loop counts entries, not GC numbers: NumGC comes from the input, and from 2^53 on
  // n++ no longer changes n (a loop from NumGC-k+1 to NumGC would never end).
  const k = Number.isFinite(numGC) ? Math.max(0, Math.min(Math.floor(numGC), size)) : 0;
  const first = numGC - k + 1;
  const pauseNs: number[] = [];
  const pauseEnd: number[] = [];
  for (let i = 0; i < k; i++) {
    const slot = (((first + i - 1) % size) + size) % size;
    pauseNs.push(ringNs[slot] ?? 0);
    pauseEnd.push(ringEnd[slot] ?? 0);
  }
  return {
    source,
    heapAlloc: num(r, "HeapAlloc"),
    heapInuse: num(r, "HeapInuse"),
    heapIdle: num(r, "HeapIdle"),
    heapSys: num(r, "HeapSys"),
    heapReleased: num(r, "HeapReleased"),
    heapObjects: num(r, "HeapObjects"),
    totalAlloc: num(r, "TotalAlloc"),
    sys: num(r, "Sys"),
    stackInuse: num(r, "StackInuse"),
    nextGC: num(r, "NextGC"),
    mallocs: num(r, "Mallocs"),
    frees: num(r, "Frees"),
    numGC,
    numForcedGC: num(r, "NumForcedGC"),
    gcCpuFraction: num(r, "GCCPUFraction"),
    pauseTotalNs: num(r, "PauseTotalNs"),
    lastGC: num(r, "LastGC"),
    pauseNs,
    pauseEnd,
    firstPauseGC: first,
    raw: r,
  };
}

/** MemStats of a profile read from heap?debug=1, or null (proto heap profiles have none). */
export function memStatsFromProfile(p: Profile): MemStats | null {
  const r = p.extras.memStats;
  return r ? memStatsFromRecord(r, "heap-debug1") : null;
}
