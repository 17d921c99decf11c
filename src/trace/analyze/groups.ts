// Goroutine groups as go tool trace's /goroutines page groups them (by start function),
// with godiag's additions: min/avg/max per goroutine and the scheduler-latency
// distribution of each group.

import { quantileSorted } from "../../core/stats/index.js";
import { addStats, emptyStats, type ExecStats } from "./exec-stats.js";
import { concatF64 } from "./f64-list.js";
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

/** latency() of samples it may reorder (it sorts them in place: no copy). */
export function latencyInPlace(samples: Float64Array): Latency {
  const xs = samples.sort();
  const q = (p: number) => (xs.length ? quantileSorted(xs as unknown as number[], p) : 0);
  return { count: xs.length, p50Ns: q(0.5), p90Ns: q(0.9), p99Ns: q(0.99), maxNs: xs.length ? xs[xs.length - 1] : 0 };
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
