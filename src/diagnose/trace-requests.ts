// Requests cut from an execution trace, one by one: net/http's conn.serve goroutine reads a
// request (a read syscall in net/http's own code), runs the handler, and writes the first
// response bytes (a write through net/http's checkConnErrorWriter). The span between the
// end of that last read and the start of that first write is the request's server time as
// the goroutine lived it, split by the goroutine's states: running (the handler's CPU, mark
// assists apart), runnable (waiting for a P, charged to whoever held the Ps meanwhile: the
// GC for the time stopped by a stop-the-world plus the Ps' share its mark workers held;
// other requests' handlers for their share — queueing behind the service's own request
// work, which more CPU or cheaper handlers cure; the rest, other goroutines, is the scheduler),
// blocked (by reason; "preempted" is the GC suspending it to scan its stack) and in syscalls.
// The GC's share of the Ps is counted from every goroutine: mark workers and the background
// sweeper running, and any goroutine running inside a mark assist (a client goroutine
// assisting holds a P too).
// Keep-alive requests that were already waiting are read at once, without a network wait:
// the read syscall, not the netpoller, marks the request (measured on Go 1.26 traces).

import { EventKind, GoState, ResourceKind, type TraceEvent, type TraceTables } from "../trace/index.js";
import { userFrame } from "./trace-frames.js";

export interface TraceRequest {
  goroutine: number;
  /**
   * trace ns: the netpoller's wake-up for the request's bytes, when the goroutine waited for
   * them; else the end of net/http's read of the request (a keep-alive request already there)
   */
  start: number;
  /** trace ns: the start of the first response write */
  end: number;
  runningNs: number;
  /** mark assists (running, runnable or waiting for mark work while assisting) */
  assistNs: number;
  /** runnable while the world was stopped, or in the Ps' share running GC work (mark workers, sweeper, assists) */
  gcWaitNs: number;
  /** runnable in the Ps' share other handler goroutines held (running, not GC work) */
  queuedNs: number;
  /** runnable otherwise: waiting for a P other goroutines held */
  runnableNs: number;
  /**
   * blocked by the GC: suspended for a stack scan (wait reason "preempted"), or waiting inside
   * the GC's own functions (an allocation starting a cycle or ending the mark: gcStart,
   * gcMarkDone; measured on gcpressure: 30 % of the slow requests' time, reason "sync")
   */
  gcBlockedNs: number;
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
const F_GC = 32;

/** runtime functions a goroutine blocks in for the GC (runtime/mgc.go, mgcmark.go, proc.go) */
const GC_FUNCS = new Set(["runtime.gcStart", "runtime.gcMarkDone", "runtime.gcAssistAlloc", "runtime.gcParkAssist", "runtime.gcWaitOnMark", "runtime.stopTheWorldGC", "runtime.GC"]);

const B_RUN = 1;
const B_ASSIST = 2;
const B_WORKER = 4;
const isGcWork = (b: number) => (b & B_RUN) !== 0 && (b & (B_ASSIST | B_WORKER)) !== 0;
/** a handler goroutine running its own work (an assist is the GC's) */
const isHandlerWork = (rec: Rec) => rec.g !== null && rec.bits === B_RUN;

const STW = "stop-the-world (";
const ASSIST = "GC mark assist";
const ASSIST_WAIT = "GC mark assist wait for work";
const GC_SUSPEND = "preempted";
/** net/http's own wait for a request's bytes (no user frame on the stack) */
const NET_READ_WAIT = "network\u0000";
/** a wait inside the GC's own functions (F_GC) */
const GC_WAIT = "\u0000gc";

const newAcc = (t: number): Acc => ({ start: t, running: 0, assist: 0, gcWait: 0, queued: 0, runnable: 0, gcBlocked: 0, blocked: 0, syscall: 0, reasons: new Map() });

interface Acc {
  start: number;
  running: number;
  assist: number;
  gcWait: number;
  queued: number;
  runnable: number;
  gcBlocked: number;
  blocked: number;
  syscall: number;
  reasons: Map<string, number>;
}

interface Rec {
  /** B_RUN | B_ASSIST | B_WORKER */
  bits: number;
  /** set for a handler goroutine */
  g: G | null;
}

interface G {
  state: number;
  since: number;
  /** the GC clock's reading at since */
  gcAt: number;
  /** the handlers' clock's reading at since */
  hAt: number;
  inAssist: boolean;
  inRead: boolean;
  /** req was opened when the netpoller woke the goroutine for the request's bytes */
  woke: boolean;
  waitKey: string;
  req: Acc | null;
}

/** the GC clock's breakpoints kept (a hostile trace cannot grow it without bound; later times read the last rate) */
const MAX_POINTS = 4_000_000;

/**
 * The integral over time of the share of the Ps the GC holds (1 during a stop-the-world,
 * else GC-running goroutines / GOMAXPROCS), kept as breakpoints so any interval can be read
 * afterwards — the netpoll delay before a request is only known once the capture is joined.
 */
class GcClock {
  private times: number[] = [0];
  private values: number[] = [0];
  private rates: number[] = [0];

  set(t: number, rate: number): void {
    const i = this.times.length - 1;
    if (this.rates[i] === rate) return;
    if (t < this.times[i]!) t = this.times[i]!;
    const v = this.values[i]! + this.rates[i]! * (t - this.times[i]!);
    if (t === this.times[i]) {
      this.rates[i] = rate;
      return;
    }
    if (this.times.length >= MAX_POINTS) return;
    this.times.push(t);
    this.values.push(v);
    this.rates.push(rate);
  }

  at(t: number): number {
    const ts = this.times;
    let lo = 0;
    let hi = ts.length - 1;
    if (t >= ts[hi]!) lo = hi;
    else
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (ts[mid]! <= t) lo = mid;
        else hi = mid - 1;
      }
    return this.values[lo]! + this.rates[lo]! * Math.max(0, t - ts[lo]!);
  }
}

export class RequestCollector {
  /**
   * the goroutines that matter here — handlers, mark workers, goroutines in a mark assist —
   * and nothing for the others: one lookup per transition (a busy trace has millions)
   */
  private readonly recs = new Map<number, Rec>();
  /** stack id -> its flags + 1 (0: not yet classified); indexed, not hashed: it runs on every transition */
  private stackFlags = new Int8Array(1024);
  private readonly userFuncs = new Map<number, string>();
  private readonly out: TraceRequest[] = [];
  private readonly stws = new Set<number>();
  /** integrals over time: ns stopped by a STW, and P-ns running GC work (mark workers, assists) */
  private readonly gc = new GcClock();
  /** goroutines running GC work now: mark workers, the sweeper, and any goroutine running a mark assist */
  private gcRunning = 0;
  /** P-ns running handler goroutines' own work (no STW, no assist), the same way */
  private readonly handlers = new GcClock();
  private handlersRunning = 0;
  private procs = 1;
  private last = 0;
  dropped = 0;

  event(ev: TraceEvent, tables: TraceTables): void {
    const t = ev.time;
    if (t > this.last) this.last = t;
    switch (ev.kind) {
      case EventKind.Metric: {
        const m = ev.metric();
        if (m.name === "/sched/gomaxprocs:threads" && m.value > 0) {
          this.procs = m.value;
          this.rate(t);
        }
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
          this.rate(t);
        } else if (r.name === ASSIST && r.scope.kind === ResourceKind.Goroutine) {
          const id = r.scope.id;
          let rec = this.recs.get(id);
          if (!rec) {
            if (!begin) return;
            // an assist starts on its own goroutine, running (mallocgc)
            rec = { bits: B_RUN, g: null };
            this.recs.set(id, rec);
          }
          const g = rec.g;
          if (g) this.flush(g, t);
          this.setBits(id, rec, begin ? rec.bits | B_ASSIST : rec.bits & ~B_ASSIST, t);
          if (g) g.inAssist = begin;
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
    const id = st.resource.id;
    let rec = this.recs.get(id);
    if (!rec) {
      if (!(flags & (F_HANDLER | F_WORKER)) || st.to === GoState.NotExist) return;
      rec = { bits: 0, g: null };
      this.recs.set(id, rec);
    }
    if (st.to === GoState.NotExist) {
      this.setBits(id, rec, 0, t);
      this.recs.delete(id);
      return;
    }
    if (flags & F_HANDLER && !rec.g) {
      rec.g = { state: st.from, since: t, gcAt: this.gc.at(t), hAt: this.handlers.at(t), inAssist: (rec.bits & B_ASSIST) !== 0, inRead: false, woke: false, waitKey: "", req: null };
    }
    this.setBits(id, rec, (rec.bits & B_ASSIST) | (flags & F_WORKER || rec.bits & B_WORKER ? B_WORKER : 0) | (st.to === GoState.Running ? B_RUN : 0), t);
    const g = rec.g;
    if (!g) return;
    this.flush(g, t);
    if (st.from === GoState.Undetermined) g.req = null; // met mid-request: its start is not in the trace
    if (st.from === GoState.Waiting && st.to === GoState.Runnable && g.waitKey === NET_READ_WAIT) {
      // the netpoller found the request's bytes: from here on the request waits for a P
      g.req = newAcc(t);
      g.woke = true;
    } else if (st.from === GoState.Syscall && g.inRead) {
      // net/http read the request (or the start of it): the request's time starts now,
      // unless it started when the netpoller woke the goroutine for it
      g.inRead = false;
      if (!g.woke || !g.req) g.req = newAcc(t);
      g.woke = false;
    }
    if (st.to === GoState.Syscall) {
      if (flags & F_WRITE) this.close(id, g, t);
      else if (flags & F_READ) g.inRead = true;
    } else if (st.to === GoState.Waiting) {
      g.waitKey = flags & F_GC ? GC_WAIT : `${st.reason}\u0000${this.userFuncOf(st.stack, tables)}`;
    }
    g.state = st.to;
  }

  /** The share of the Ps the GC holds from t on: all while the world is stopped, else its running goroutines' share. */
  private rate(t: number): void {
    const stopped = this.stws.size > 0;
    this.gc.set(t, stopped ? 1 : Math.min(this.gcRunning, this.procs) / this.procs);
    this.handlers.set(t, stopped ? 0 : Math.min(this.handlersRunning, this.procs - Math.min(this.gcRunning, this.procs)) / this.procs);
  }

  /** The GC's P-time between two trace times, in ns of one goroutine's wait (for the netpoll delay before a request). */
  gcBetween(t0: number, t1: number): number {
    return t1 > t0 ? this.gc.at(t1) - this.gc.at(t0) : 0;
  }

  /** The handlers' P-time between two trace times, the same way (their own work, not GC work). */
  handlersBetween(t0: number, t1: number): number {
    return t1 > t0 ? this.handlers.at(t1) - this.handlers.at(t0) : 0;
  }

  /** Sets a goroutine's GC bits; one no longer a worker, assisting or a handler is forgotten. */
  private setBits(id: number, rec: Rec, bits: number, t: number): void {
    const was = isGcWork(rec.bits);
    const is = isGcWork(bits);
    const wasH = isHandlerWork(rec);
    rec.bits = bits;
    const isH = isHandlerWork(rec);
    if (was !== is || wasH !== isH) {
      this.gcRunning += Number(is) - Number(was);
      this.handlersRunning += Number(isH) - Number(wasH);
      this.rate(t);
    }
    if (!(bits & (B_ASSIST | B_WORKER)) && !rec.g) this.recs.delete(id);
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
      queuedNs: a.queued,
      runnableNs: a.runnable,
      gcBlockedNs: a.gcBlocked,
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
          // share of the Ps running GC work meanwhile (mark workers, other goroutines' assists)
          const gc = Math.min(dt, this.gc.at(t) - g.gcAt);
          const queued = Math.min(dt - gc, this.handlers.at(t) - g.hAt);
          a.gcWait += gc;
          a.queued += queued;
          a.runnable += dt - gc - queued;
          break;
        }
        case GoState.Waiting:
          if (g.waitKey === GC_WAIT || g.waitKey.startsWith(GC_SUSPEND + "\u0000")) a.gcBlocked += dt;
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
    g.gcAt = this.gc.at(t);
    g.hAt = this.handlers.at(t);
  }

  private userFuncOf(stack: number, tables: TraceTables): string {
    let f = this.userFuncs.get(stack);
    if (f === undefined) this.userFuncs.set(stack, (f = userFrame(tables.frames(stack))?.func ?? ""));
    return f;
  }

  private flagsOf(stack: number, tables: TraceTables): number {
    if (stack === 0) return 0;
    if (stack >= this.stackFlags.length) {
      const bigger = new Int8Array(Math.max(stack + 1, this.stackFlags.length * 2));
      bigger.set(this.stackFlags);
      this.stackFlags = bigger;
    }
    const known = this.stackFlags[stack]!;
    if (known !== 0) return known - 1;
    let f = 0;
    const fr = tables.frames(stack);
    let read = false;
    let write = false;
    for (const x of fr) {
      const fn = x.func;
      if (fn === "net/http.(*conn).serve") f |= F_HANDLER;
      // the GC's own goroutines: its mark workers, and its background sweeper (the sweep
      // phase of each cycle, runtime/mgcsweep.go) — on a GC-heavy service a P in ten
      else if (fn === "runtime.gcBgMarkWorker" || fn === "runtime.bgsweep") f |= F_WORKER;
      else if (fn === "net/http.(*connReader).Read") read = true;
      else if (fn === "net/http.checkConnErrorWriter.Write") write = true;
      else if (GC_FUNCS.has(fn)) f |= F_GC;
    }
    const user = userFrame(fr) !== undefined;
    if (user) f |= F_USER;
    // a handler reading the body has its own frame on the stack: not the request's read
    if (read && !user && fr[0]?.func.startsWith("syscall.")) f |= F_READ;
    if (write && fr[0]?.func.startsWith("syscall.")) f |= F_WRITE;
    this.stackFlags[stack] = f + 1;
    return f;
  }
}
