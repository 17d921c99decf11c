// Goroutine groups as go tool trace's /goroutines page groups them (by start function),
// with godiag's additions: min/avg/max per goroutine and the scheduler-latency
// distribution of each group.

import { addStats, emptyStats, type ExecStats } from "./exec-stats.js";
import { concatF64 } from "./f64-list.js";
import { orderStats } from "../../core/stats/index.js";
import type { GoroutineSummary } from "./summarize.js";

export interface Latency {
  count: number;
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  maxNs: number;
}

export interface MinAvgMax {
  min: number;
  avg: number;
  max: number;
}

export interface GoroutineGroup {
  /** the start function; "" for goroutines never seen with a stack */
  name: string;
  count: number;
  /** totals over the group */
  stats: ExecStats;
  /** per-goroutine execution, scheduler wait and block time */
  exec: MinAvgMax;
  schedWait: MinAvgMax;
  block: MinAvgMax;
  schedLatency: Latency;
}

/** Latency quantiles (Hyndman-Fan type 7, as everywhere in godiag) of ns samples. */
export function latency(samples: readonly number[]): Latency {
  return latencyInPlace(new Float64Array(samples));
}

/**
 * latency() of samples it may reorder. Only seven order statistics are needed, so they are
 * selected (order-stats.ts) instead of sorting: Float64Array.prototype.sort took a quarter
 * of `godiag trace`'s analysis time on a 20 MB trace (1.3 M waits).
 */
export function latencyInPlace(xs: Float64Array): Latency {
  const n = xs.length;
  if (n === 0) return { count: 0, p50Ns: 0, p90Ns: 0, p99Ns: 0, maxNs: 0 };
  // Type 7: h = (n-1)p, x[lo] + (h-lo)(x[lo+1] - x[lo]) in sorted order.
  const ps = [0.5, 0.9, 0.99];
  const ranks: number[] = [n - 1];
  for (const p of ps) {
    const lo = Math.floor((n - 1) * p);
    ranks.push(lo, Math.min(lo + 1, n - 1));
  }
  const v = orderStats(xs, ranks);
  const q = (i: number): number => {
    const h = (n - 1) * ps[i];
    const lo = Math.floor(h);
    const x = v[1 + 2 * i];
    return lo + 1 >= n ? x : x + (h - lo) * (v[2 + 2 * i] - x);
  };
  return { count: n, p50Ns: q(0), p90Ns: q(1), p99Ns: q(2), maxNs: v[0] };
}

function minAvgMax(xs: number[]): MinAvgMax {
  if (xs.length === 0) return { min: 0, avg: 0, max: 0 };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return { min, avg: sum / xs.length, max };
}

export function blockTotal(s: ExecStats): number {
  let b = s.syscallBlockNs;
  for (const v of s.blockNs.values()) b += v;
  return b;
}

/** Groups sorted by total execution time, highest first (as go tool trace sorts them). */
export function groupGoroutines(gs: Iterable<GoroutineSummary>): GoroutineGroup[] {
  const byName = new Map<string, GoroutineSummary[]>();
  for (const g of gs) {
    let list = byName.get(g.name);
    if (!list) byName.set(g.name, (list = []));
    list.push(g);
  }
  const out: GoroutineGroup[] = [];
  for (const [name, list] of byName) {
    const stats = emptyStats();
    for (const g of list) addStats(stats, g.stats);
    out.push({
      name,
      count: list.length,
      stats,
      exec: minAvgMax(list.map((g) => g.stats.execNs)),
      schedWait: minAvgMax(list.map((g) => g.stats.schedWaitNs)),
      block: minAvgMax(list.map((g) => blockTotal(g.stats))),
      schedLatency: latencyInPlace(concatF64(list.map((g) => g.schedWaits))),
    });
  }
  return out.sort((a, b) => b.stats.execNs - a.stats.execNs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
