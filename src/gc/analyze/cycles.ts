// Per-cycle series and a summary of a gctrace log: how often the GC runs, how long
// the world stops, how much CPU marking takes, and how the heap moves.

import { stwPauseMs, type GcCycle, type GcTrace } from "../read/gctrace.js";
import { dist, slope, type Dist } from "../../core/stats/index.js";

/** One cycle with the figures derived from its line. */
export interface CycleRow {
  n: number;
  atSec: number;
  /** seconds since the previous cycle started (undefined for the first) */
  intervalSec?: number;
  /** stop-the-world time: sweep termination + mark termination, ms */
  pauseMs: number;
  markMs: number;
  /** GC CPU of the cycle excluding idle-time marking (which uses otherwise idle Ps), ms */
  gcCpuMs: number;
  assistMs: number;
  heapStartMB: number;
  heapEndMB: number;
  liveMB: number;
  goalMB: number;
  forced: boolean;
}

export interface GcSummary {
  cycles: number;
  forced: number;
  /** seconds from the first to the last cycle start */
  spanSec: number;
  /** cycles per second over the span */
  gcPerSec: number;
  intervalSec: Dist;
  pauseMs: Dist & { total: number };
  markMs: Dist;
  /** the runtime's cumulative GC CPU % (the last line's "#%") */
  lineCpuPercent: number;
  /** from the cpu fields: (sweepTerm + assist + background + markTerm) / (span × procs), % */
  gcCpuPercent: number;
  /** share of mark CPU done by mutator assists, % */
  assistPercent: number;
  procs: number;
  heapStartMB: Dist;
  heapEndMB: Dist;
  liveMB: Dist & { first: number; last: number; slopeMBPerSec: number };
  goalMB: Dist;
  stacksMB?: number;
  globalsMB?: number;
  /** allocation rate estimated from the heap figures, MB/s (see allocatedBetween) */
  allocRateMBps: number;
}

export function cycleGcCpuMs(c: GcCycle): number {
  return c.cpuSweepTermMs + c.cpuAssistMs + c.cpuBackgroundMs + c.cpuMarkTermMs;
}

/**
 * MB allocated from the start of cycle a to the start of the next cycle b: what
 * was allocated while a marked (heapEnd − heapStart), plus the growth from a's
 * marked heap to b's starting heap. The runtime truncates each figure to whole MB,
 * so small heaps carry up to ±2 MB error per cycle.
 */
export function allocatedBetween(a: GcCycle, b: GcCycle): number {
  return Math.max(0, a.heapEndMB - a.heapStartMB) + Math.max(0, b.heapStartMB - a.liveMB);
}

/** The cycles of the last process in the log (gc numbering restarts mark a new one). */
export function lastRun(trace: GcTrace): GcCycle[] {
  const cs = trace.cycles;
  let start = 0;
  for (let i = 1; i < cs.length; i++) if (cs[i].n <= cs[i - 1].n || cs[i].atSec < cs[i - 1].atSec) start = i;
  return cs.slice(start);
}

function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

export function cycleRows(cs: readonly GcCycle[]): CycleRow[] {
  return cs.map((c, i) => ({
    n: c.n,
    atSec: c.atSec,
    // atSec has ms resolution; rounding drops float noise (0.0040000000000000036)
    intervalSec: i > 0 ? round(c.atSec - cs[i - 1].atSec, 3) : undefined,
    pauseMs: round(stwPauseMs(c), 6),
    markMs: c.markMs,
    gcCpuMs: round(cycleGcCpuMs(c), 6),
    assistMs: c.cpuAssistMs,
    heapStartMB: c.heapStartMB,
    heapEndMB: c.heapEndMB,
    liveMB: c.liveMB,
    goalMB: c.goalMB,
    forced: c.forced,
  }));
}

export function summarizeCycles(cs: readonly GcCycle[]): GcSummary | null {
  if (cs.length === 0) return null;
  const first = cs[0];
  const last = cs[cs.length - 1];
  const spanSec = last.atSec - first.atSec;
  const intervals: number[] = [];
  let allocMB = 0;
  for (let i = 1; i < cs.length; i++) {
    intervals.push(cs[i].atSec - cs[i - 1].atSec);
    allocMB += allocatedBetween(cs[i - 1], cs[i]);
  }
  // CPU over the span: every cycle but the last started inside it.
  let gcCpu = 0;
  let markCpu = 0;
  let assist = 0;
  for (const c of cs.slice(0, -1)) gcCpu += cycleGcCpuMs(c);
  for (const c of cs) {
    markCpu += c.cpuAssistMs + c.cpuBackgroundMs;
    assist += c.cpuAssistMs;
  }
  const pauses = cs.map(stwPauseMs);
  const procs = last.procs;
  const live = cs.map((c) => c.liveMB);
  return {
    cycles: cs.length,
    forced: cs.filter((c) => c.forced).length,
    spanSec,
    gcPerSec: spanSec > 0 ? (cs.length - 1) / spanSec : 0,
    intervalSec: dist(intervals),
    pauseMs: { ...dist(pauses), total: pauses.reduce((a, b) => a + b, 0) },
    markMs: dist(cs.map((c) => c.markMs)),
    lineCpuPercent: last.cpuPercent,
    gcCpuPercent: spanSec > 0 ? (100 * gcCpu) / (spanSec * 1000 * procs) : 0,
    assistPercent: markCpu > 0 ? (100 * assist) / markCpu : 0,
    procs,
    heapStartMB: dist(cs.map((c) => c.heapStartMB)),
    heapEndMB: dist(cs.map((c) => c.heapEndMB)),
    liveMB: {
      ...dist(live),
      first: first.liveMB,
      last: last.liveMB,
      slopeMBPerSec: slope(
        cs.map((c) => c.atSec),
        live,
      ),
    },
    goalMB: dist(cs.map((c) => c.goalMB)),
    stacksMB: last.stacksMB,
    globalsMB: last.globalsMB,
    allocRateMBps: spanSec > 0 ? allocMB / spanSec : 0,
  };
}
