// The Go side of the layered latency report: the handler layer of a packet capture (the
// server's time, last request byte -> first response byte) split by an execution trace of
// the same window into the scheduler (handler goroutines runnable, waiting for a P), GC
// (mark assists on handler goroutines), handler CPU (their other running time) and
// blocking (their blocked and syscall time, except network waits: between keep-alive
// requests a connection's goroutine waits in a network read, which is idle, not latency).
// Stop-the-world pauses leave goroutines runnable, so they are in the scheduler share; the
// finding quotes them beside it.
//
// The trace has no per-request boundaries, so the split is of the handler goroutines'
// request time over the whole trace, applied to the slow requests' server time: a share,
// not a per-request measurement. The finding says so and states both clocks.

import type { TraceInput } from "../trace-input.js";
import { HANDLER } from "./trace-scheduler.js";

export type GoLayer = "scheduler" | "gc" | "handler-cpu" | "blocking";

export interface GoLayers {
  /** goroutine-ns per layer, summed over the handler goroutines */
  ns: Record<GoLayer, number>;
  total: number;
  handlerGoroutines: number;
  stw: { count: number; totalNs: number; maxNs: number };
  /** 1 - whole-trace utilisation: the share of the Ps' time the GC took */
  gcShareOfPs: number;
  durationNs: number;
  wallStartMs?: number;
}

/** Waits that are not the request's: a keep-alive connection's read of the next request. */
const IDLE_BLOCK = new Set(["network"]);

export function goLayersOf(t: TraceInput): GoLayers | undefined {
  const r = t.report;
  const handlers = r.groups.filter((g) => HANDLER.test(g.name));
  if (handlers.length === 0) return undefined;
  let exec = 0;
  let sched = 0;
  let blocking = 0;
  let assist = 0;
  let count = 0;
  for (const g of handlers) {
    count += g.count;
    exec += g.stats.execNs;
    sched += g.stats.schedWaitNs;
    blocking += g.stats.syscallNs + g.stats.syscallBlockNs;
    for (const [reason, ns] of g.stats.blockNs) if (!IDLE_BLOCK.has(reason)) blocking += ns;
    assist += r.assistWorkNs.get(g.name) ?? 0;
  }
  // An assist runs on the goroutine (running) and may wait for mark work (runnable or
  // blocked): take it from running time first, then from runnable, so the shares don't overlap.
  const gc = Math.min(assist, exec + sched);
  const fromExec = Math.min(gc, exec);
  const ns: Record<GoLayer, number> = { scheduler: sched - (gc - fromExec), gc, "handler-cpu": exec - fromExec, blocking };
  const total = ns.scheduler + ns.gc + ns["handler-cpu"] + ns.blocking;
  if (total <= 0) return undefined;
  return {
    ns,
    total,
    handlerGoroutines: count,
    stw: { count: r.summary.stw.count, totalNs: r.summary.stw.totalNs, maxNs: r.summary.stw.maxNs },
    gcShareOfPs: Math.max(0, 1 - r.wholeTraceUtil),
    durationNs: r.summary.durationNs,
    ...(t.wallStartMs === undefined ? {} : { wallStartMs: t.wallStartMs }),
  };
}
