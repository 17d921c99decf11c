// GC pause time reduction ratio: (pause_old − pause_new) / pause_old
// over two gctrace logs, where a cycle's pause is its stop-the-world time
// (sweep termination + mark termination wall clock, gctrace's stwPauseMs).
// Sums depend on how long each run was, so the p99 pause, the pause per
// second of run and their ratios are reported beside it.

import { type GcTrace, stwPauseMs } from "../read/gctrace.js";
import { quantileSorted } from "../../core/stats/index.js";

export interface PauseStats {
  file: string;
  cycles: number;
  /** sum of STW pauses, ms */
  sumMs: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** seconds from the first to the last cycle's start (0 with one cycle) */
  spanSec: number;
  /** sumMs / spanSec, or null when the span is 0 */
  msPerSec: number | null;
}

export interface PauseReduction {
  old: PauseStats;
  new: PauseStats;
  /** (old − new) / old; null when old is 0 */
  sumReduction: number | null;
  p99Reduction: number | null;
  msPerSecReduction: number | null;
}

export function pauseStats(t: GcTrace): PauseStats {
  const pauses = t.cycles.map(stwPauseMs);
  const xs = [...pauses].sort((a, b) => a - b);
  let sum = 0;
  for (const x of xs) sum += x;
  const span = t.cycles.length > 1 ? t.cycles[t.cycles.length - 1].atSec - t.cycles[0].atSec : 0;
  return {
    file: t.file,
    cycles: xs.length,
    sumMs: sum,
    meanMs: sum / xs.length,
    p50Ms: quantileSorted(xs, 0.5),
    p99Ms: quantileSorted(xs, 0.99),
    maxMs: xs[xs.length - 1],
    spanSec: span,
    msPerSec: span > 0 ? sum / span : null,
  };
}

const reduction = (o: number | null, n: number | null) => (o === null || n === null || o === 0 ? null : (o - n) / o);

export function pauseReduction(oldT: GcTrace, newT: GcTrace): PauseReduction {
  const o = pauseStats(oldT);
  const n = pauseStats(newT);
  return {
    old: o,
    new: n,
    sumReduction: reduction(o.sumMs, n.sumMs),
    p99Reduction: reduction(o.p99Ms, n.p99Ms),
    msPerSecReduction: reduction(o.msPerSec, n.msPerSec),
  };
}
