// The Go side of the layered latency report: the handler layer of a packet capture (the
// server's time, last request byte -> first response byte) split by an execution trace of
// the same window, over the handler goroutines (net/http's conn.serve and the like), into:
// scheduler (runnable, waiting for a P, while other goroutines held the Ps); GC (mark
// assists, stack-scan suspensions, and the waits for a P in proportion to the Ps' time the
// GC took: stop-the-world pauses and mark workers leave goroutines runnable); handler CPU
// (running, in Go or in a syscall holding the P, and the waits for a P in proportion to
// the Ps' time the handlers took); blocking (in the handler's own code, or a syscall
// without a P).
//
// The trace has no per-request boundaries, so the split is of the handler goroutines'
// request time over the whole trace, applied to the slow requests' server time: a share,
// not a per-request measurement. The finding says so and states both clocks.

import type { TraceInput } from "../trace-input.js";
import { userFrame } from "../trace-frames.js";
import { HANDLER } from "./trace-scheduler.js";

export type GoLayer = "scheduler" | "gc" | "handler-cpu" | "blocking";

export interface GoLayers {
  /** goroutine-ns per layer, summed over the handler goroutines */
  ns: Record<GoLayer, number>;
  /** of ns.gc: the mark assists; the waits for a P charged to the GC and the stack-scan suspensions */
  assistNs: number;
  gcWaitNs: number;
  total: number;
  handlerGoroutines: number;
  stw: { count: number; totalNs: number; maxNs: number };
  /** 1 - whole-trace utilisation: the share of the Ps' time the GC took */
  gcShareOfPs: number;
  durationNs: number;
  wallStartMs?: number;
}

/**
 * Waits that are not a request's latency: a keep-alive connection's read of the next
 * request ("network"); "" a goroutine blocked since before the trace began, for a reason
 * the trace does not give (an idle connection, a profile fetch already waiting); and the
 * assist's own wait for mark work, which assistWorkNs already counts as GC.
 */
const NOT_LATENCY = new Set(["network", "", "GC mark assist wait for work"]);
/**
 * waitReasonPreempted: a goroutine parked by suspendG, which the GC uses to scan its stack
 * (runtime/preempt.go, preemptPark): the GC's time.
 */
const GC_SUSPEND = "preempted";

export function goLayersOf(t: TraceInput): GoLayers | undefined {
  const r = t.report;
  const handlers = r.groups.filter((g) => HANDLER.test(g.name));
  if (handlers.length === 0) return undefined;
  let exec = 0;
  let sched = 0;
  let blocking = 0;
  let assist = 0;
  let gcSuspend = 0;
  let count = 0;
  for (const g of handlers) {
    count += g.count;
    exec += g.stats.execNs;
    sched += g.stats.schedWaitNs;
    // in a syscall holding its P: the handler's own work in the kernel (writing the response)
    exec += g.stats.syscallNs;
    blocking += g.stats.syscallBlockNs;
    gcSuspend += g.stats.blockNs.get(GC_SUSPEND) ?? 0;
    assist += r.assistWorkNs.get(g.name) ?? 0;
  }
  // Blocked time counts where the handler's code blocked (a user frame on the stack of a
  // handler goroutine): net/http's own waits around a request (the connection's read of
  // the next one, the background read it stops after the response) and net/http/pprof's
  // sleep while godiag fetches a profile or the trace itself are not a request's latency.
  for (const b of t.blocks) {
    if (NOT_LATENCY.has(b.reason) || b.reason === GC_SUSPEND) continue;
    const root = b.stack[b.stack.length - 1]?.func ?? "";
    if (HANDLER.test(root) && userFrame(b.stack)) blocking += b.ns;
  }
  // An assist runs on the goroutine (running) and may wait for mark work (runnable or
  // blocked): take it from running time first, then from runnable, so the shares don't overlap.
  const gc = Math.min(assist, exec + sched);
  const fromExec = Math.min(gc, exec);
  // A wait for a P while the GC holds Ps (mark workers, stop-the-world) is the GC's cost:
  // the trace gives the GC's share of the Ps' time, not which waits overlapped it, so the
  // runnable time is charged to the GC in that proportion (an estimate; the finding says so).
  const runnable = sched - (gc - fromExec);
  const gcShareOfPs = Math.max(0, 1 - r.wholeTraceUtil);
  const gcWait = runnable * gcShareOfPs;
  // The same for the handlers' own share of the Ps (their running time, assists apart, over
  // the window's P-time): a wait behind other requests' work is queueing in the service's
  // own CPU, the handler layer — as the per-request split charges it (trace-requests.ts).
  const pTime = r.summary.durationNs * Math.max(1, r.summary.gomaxprocs);
  const handlerShareOfPs = pTime > 0 ? Math.min(1 - gcShareOfPs, (exec - fromExec) / pTime) : 0;
  const queued = runnable * Math.max(0, handlerShareOfPs);
  const ns: Record<GoLayer, number> = { scheduler: runnable - gcWait - queued, gc: gc + gcWait + gcSuspend, "handler-cpu": exec - fromExec + queued, blocking };
  const total = ns.scheduler + ns.gc + ns["handler-cpu"] + ns.blocking;
  if (total <= 0) return undefined;
  return {
    ns,
    assistNs: gc,
    gcWaitNs: gcWait + gcSuspend,
    total,
    handlerGoroutines: count,
    stw: { count: r.summary.stw.count, totalNs: r.summary.stw.totalNs, maxNs: r.summary.stw.maxNs },
    gcShareOfPs,
    durationNs: r.summary.durationNs,
    ...(t.wallStartMs === undefined ? {} : { wallStartMs: t.wallStartMs }),
  };
}
