// Requests cut from an execution trace, one by one: net/http's conn.serve goroutine reads a
// request (a read syscall in net/http's own code), runs the handler, and writes the first
// response bytes (a write through net/http's checkConnErrorWriter). The span between the
// end of that last read and the start of that first write is the request's server time as
// the goroutine lived it, split by the goroutine's states: running (the handler's CPU, mark
// assists apart), runnable (waiting for a P: the GC's part is the time stopped by a
// stop-the-world plus the Ps' share its mark workers held; the rest is the scheduler),
// blocked (by reason; "preempted" is the GC suspending it to scan its stack) and in syscalls.
// Keep-alive requests that were already waiting are read at once, without a network wait:
// the read syscall, not the netpoller, marks the request (measured on Go 1.26 traces).

import { EventKind, GoState, ResourceKind, type TraceEvent, type TraceTables } from "../trace/index.js";
import { userFrame } from "./trace-frames.js";

export interface TraceRequest {
  goroutine: number;
  /** trace ns: the end of net/http's read of the request */
  start: number;
  /** trace ns: the start of the first response write */
  end: number;
  runningNs: number;
  /** mark assists (running, runnable or waiting for mark work while assisting) */
  assistNs: number;
  /** runnable while the world was stopped, or in the Ps' share held by GC mark workers */
  gcWaitNs: number;
  /** runnable otherwise: waiting for a P other goroutines held */
  runnableNs: number;
  /** suspended by the GC for a stack scan (wait reason "preempted") */
  gcSuspendNs: number;
  blockedNs: number;
  syscallNs: number;
  /** the reason and innermost user function of the longest wait, "" when none */
  topBlock: { reason: string; func: string; ns: number };
}

/** requests kept from one trace: enough for minutes of a busy service, bounded for a hostile trace */
const MAX_REQUESTS = 500_000;

const F_HANDLER = 1;
const F_WORKER = 2;
const F_READ = 4;
const F_WRITE = 8;
const F_USER = 16;

const STW = "stop-the-world (";
const ASSIST = "GC mark assist";
const ASSIST_WAIT = "GC mark assist wait for work";
const GC_SUSPEND = "preempted";

interface Acc {
  start: number;
  running: number;
  assist: number;
  gcWait: number;
  runnable: number;
  gcSuspend: number;
  blocked: number;
  syscall: number;
  reasons: Map<string, number>;
}

interface G {
  flags: number;
  state: number;
  since: number;
  stwAt: number;
  workAt: number;
  inAssist: boolean;
  inRead: boolean;
  countedRunning: boolean;
  waitKey: string;
  req: Acc | null;
}

export class RequestCollector {
  private readonly gs = new Map<number, G>();
  private readonly stackFlags = new Map<number, number>();
  private readonly userFuncs = new Map<number, string>();
  private readonly out: TraceRequest[] = [];
  private readonly stws = new Set<number>();
  /** integrals over time: ns stopped by a STW, and mark-worker-ns running */
  private stwNs = 0;
  private workerNs = 0;
  private workersRunning = 0;
  private procs = 1;
  private last = 0;
  dropped = 0;

  event(ev: TraceEvent, tables: TraceTables): void {
    const t = ev.time;
    if (t > this.last) {
      const dt = t - this.last;
      if (this.stws.size > 0) this.stwNs += dt;
      this.workerNs += this.workersRunning * dt;
      this.last = t;
    }
    switch (ev.kind) {
      case EventKind.Metric: {
        const m = ev.metric();
        if (m.name === "/sched/gomaxprocs:threads" && m.value > 0) this.procs = m.value;
        return;
      }
      case EventKind.RangeBegin:
      case EventKind.RangeActive:
      case EventKind.RangeEnd: {
        const r = ev.range();
        const begin = ev.kind !== EventKind.RangeEnd;
        if (r.name.startsWith(STW)) {
          if (begin) this.stws.add(r.scope.id);
          else this.stws.delete(r.scope.id);
        } else if (r.name === ASSIST && r.scope.kind === ResourceKind.Goroutine) {
          const g = this.gs.get(r.scope.id);
          if (!g || !(g.flags & F_HANDLER)) return;
          this.flush(g, t);
          g.inAssist = begin;
        }
        return;
      }
      case EventKind.StateTransition:
        break;
      default:
        return;
    }
    const st = ev.stateTransition();
    if (st.resource.kind !== ResourceKind.Goroutine) return;
    const flags = this.flagsOf(st.stack, tables);
    let g = this.gs.get(st.resource.id);
    if (!g) {
      if (!(flags & (F_HANDLER | F_WORKER))) return;
      g = { flags: 0, state: st.from, since: t, stwAt: this.stwNs, workAt: this.workerNs, inAssist: false, inRead: false, countedRunning: false, waitKey: "", req: null };
      this.gs.set(st.resource.id, g);
    }
    g.flags |= flags & (F_HANDLER | F_WORKER);
    if (g.flags & F_WORKER) {
      if (g.countedRunning) this.workersRunning--;
      g.countedRunning = st.to === GoState.Running;
      if (g.countedRunning) this.workersRunning++;
    }
    if (st.to === GoState.NotExist) {
      if (g.countedRunning) this.workersRunning--;
      this.gs.delete(st.resource.id);
      return;
    }
    if (!(g.flags & F_HANDLER)) return;
    this.flush(g, t);
    if (st.from === GoState.Undetermined) g.req = null; // met mid-request: its start is not in the trace
    if (st.from === GoState.Syscall && g.inRead) {
      // net/http read the request (or the start of it): the request's time starts now
      g.inRead = false;
      g.req = { start: t, running: 0, assist: 0, gcWait: 0, runnable: 0, gcSuspend: 0, blocked: 0, syscall: 0, reasons: new Map() };
    }
    if (st.to === GoState.Syscall) {
      if (flags & F_WRITE) this.close(st.resource.id, g, t);
      else if (flags & F_READ) g.inRead = true;
    } else if (st.to === GoState.Waiting) {
      g.waitKey = `${st.reason}\u0000${this.userFuncOf(st.stack, tables)}`;
    }
    g.state = st.to;
  }

  finish(): TraceRequest[] {
    return this.out;
  }

  private close(id: number, g: G, t: number): void {
    const a = g.req;
    if (!a) return;
    g.req = null;
    if (this.out.length >= MAX_REQUESTS) {
      this.dropped++;
      return;
    }
    let top = { reason: "", func: "", ns: 0 };
    for (const [k, ns] of a.reasons) {
      if (ns <= top.ns) continue;
      const [reason, func] = k.split("\u0000") as [string, string];
      top = { reason, func, ns };
    }
    this.out.push({
      goroutine: id,
      start: a.start,
      end: t,
      runningNs: a.running,
      assistNs: a.assist,
      gcWaitNs: a.gcWait,
      runnableNs: a.runnable,
      gcSuspendNs: a.gcSuspend,
      blockedNs: a.blocked,
      syscallNs: a.syscall,
      topBlock: top,
    });
  }

  /** Adds the goroutine's time since its last change to its open request, by state. */
  private flush(g: G, t: number): void {
    const a = g.req;
    const dt = t - g.since;
    if (a && dt > 0) {
      switch (g.state) {
        case GoState.Running:
          if (g.inAssist) a.assist += dt;
          else a.running += dt;
          break;
        case GoState.Runnable: {
          if (g.inAssist) {
            a.assist += dt;
            break;
          }
          // the GC's part of a wait for a P: all of it while the world stood still, and the
          // share of the Ps its mark workers held meanwhile
          const gc = Math.min(dt, this.stwNs - g.stwAt + (this.workerNs - g.workAt) / this.procs);
          a.gcWait += gc;
          a.runnable += dt - gc;
          break;
        }
        case GoState.Waiting:
          if (g.waitKey.startsWith(GC_SUSPEND + "\u0000")) a.gcSuspend += dt;
          else if (g.waitKey.startsWith(ASSIST_WAIT + "\u0000")) a.assist += dt;
          else {
            a.blocked += dt;
            a.reasons.set(g.waitKey, (a.reasons.get(g.waitKey) ?? 0) + dt);
          }
          break;
        case GoState.Syscall:
          a.syscall += dt;
          break;
      }
    }
    g.since = t;
    g.stwAt = this.stwNs;
    g.workAt = this.workerNs;
  }

  private userFuncOf(stack: number, tables: TraceTables): string {
    let f = this.userFuncs.get(stack);
    if (f === undefined) this.userFuncs.set(stack, (f = userFrame(tables.frames(stack))?.func ?? ""));
    return f;
  }

  private flagsOf(stack: number, tables: TraceTables): number {
    if (stack === 0) return 0;
    let f = this.stackFlags.get(stack);
    if (f !== undefined) return f;
    f = 0;
    const fr = tables.frames(stack);
    let read = false;
    let write = false;
    for (const x of fr) {
      const fn = x.func;
      if (fn === "net/http.(*conn).serve") f |= F_HANDLER;
      else if (fn === "runtime.gcBgMarkWorker") f |= F_WORKER;
      else if (fn === "net/http.(*connReader).Read") read = true;
      else if (fn === "net/http.checkConnErrorWriter.Write") write = true;
    }
    const user = userFrame(fr) !== undefined;
    if (user) f |= F_USER;
    // a handler reading the body has its own frame on the stack: not the request's read
    if (read && !user && fr[0]?.func.startsWith("syscall.")) f |= F_READ;
    if (write && fr[0]?.func.startsWith("syscall.")) f |= F_WRITE;
    this.stackFlags.set(stack, f);
    return f;
  }
}
