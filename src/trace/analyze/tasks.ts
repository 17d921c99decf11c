// User tasks and regions (runtime/trace NewTask, WithRegion/StartRegion): latency per
// type, where each one's time went (the goroutine-time categories), the slowest ones.

import { addStats, emptyStats, nonOverlapping, type ExecStats } from "./exec-stats.js";
import { latency, type Latency } from "./groups.js";
import type { GoroutineSummary, RegionSummary, TaskSummary } from "./summarize.js";

export interface Instance {
  /** task id, or the goroutine of a region */
  id: number;
  startNs: number;
  durationNs: number;
  /** for a task: over its outermost regions; for a region: its goroutine's time inside it */
  split: Map<string, number>;
}

export interface TypeReport {
  type: string;
  /** complete instances: begin and end both in the trace */
  count: number;
  /** seen without a begin or an end */
  incomplete: number;
  /** sum of the complete instances' durations */
  totalNs: number;
  latency: Latency;
  split: Map<string, number>;
  slowest: Instance[];
}

const SLOWEST = 5;

function build<T>(
  items: T[],
  typeOf: (x: T) => string,
  span: (x: T) => { id: number; start: number; end: number },
  stats: (x: T) => ExecStats,
): TypeReport[] {
  const byType = new Map<string, T[]>();
  for (const x of items) {
    let l = byType.get(typeOf(x));
    if (!l) byType.set(typeOf(x), (l = []));
    l.push(x);
  }
  const out: TypeReport[] = [];
  for (const [type, list] of byType) {
    const complete = list.filter((x) => {
      const s = span(x);
      return !Number.isNaN(s.start) && !Number.isNaN(s.end);
    });
    const total = emptyStats();
    const inst: Instance[] = complete.map((x) => {
      const s = span(x);
      const st = stats(x);
      addStats(total, st);
      return { id: s.id, startNs: s.start, durationNs: s.end - s.start, split: withoutZeros(nonOverlapping(st)) };
    });
    inst.sort((a, b) => b.durationNs - a.durationNs || a.startNs - b.startNs);
    out.push({
      type,
      count: complete.length,
      incomplete: list.length - complete.length,
      totalNs: inst.reduce((a, i) => a + i.durationNs, 0),
      latency: latency(inst.map((i) => i.durationNs)),
      split: withoutZeros(nonOverlapping(total)),
      slowest: inst.slice(0, SLOWEST),
    });
  }
  return out.sort((a, b) => b.latency.p99Ns - a.latency.p99Ns || (a.type < b.type ? -1 : 1));
}

function withoutZeros(m: Map<string, number>): Map<string, number> {
  return new Map([...m].filter(([, v]) => v !== 0));
}

/** A task's time: the stats of its regions that are not inside another of its regions. */
function taskStats(t: TaskSummary): ExecStats {
  const s = emptyStats();
  for (const r of t.regions) if (r.outermost && !r.inherited) addStats(s, r.stats);
  return s;
}

export function taskReport(tasks: Iterable<TaskSummary>): TypeReport[] {
  // The background task (id 0) is where regions without a task go; it is not a task.
  const list = [...tasks].filter((t) => t.id !== 0 && t.type !== "");
  return build(list, (t) => t.type, (t) => ({ id: t.id, start: t.startNs, end: t.endNs }), taskStats);
}

export function regionReport(gs: Iterable<GoroutineSummary>): TypeReport[] {
  const list: RegionSummary[] = [];
  for (const g of gs) for (const r of g.regions) if (!r.inherited) list.push(r);
  return build(list, (r) => r.type, (r) => ({ id: r.goroutine, start: r.startNs, end: r.endNs }), (r) => r.stats);
}
