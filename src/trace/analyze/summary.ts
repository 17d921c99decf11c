// Trace-wide counts and durations: how long, how many goroutines came and went, GC
// cycles, stop-the-world pauses, mark assists, GC worker time, scheduler latency and
// how busy the Ps were over time. Each is defined in docs/TRACE.md ("Definitions") the
// way testdata/trace/oracle's stats mode computes it from x/exp/trace.

import { EventKind, GoState, ResourceKind, type StateTransition, type TraceEvent } from "../model/event.js";
import { GoroutineTable, type GoRecord } from "./goroutine-table.js";
import { TimeBins } from "./timebins.js";

export interface DurStats {
  count: number;
  totalNs: number;
  maxNs: number;
}

export function emptyDur(): DurStats {
  return { count: 0, totalNs: 0, maxNs: 0 };
}

export function addDur(d: DurStats, ns: number): void {
  d.count++;
  d.totalNs += ns;
  if (ns > d.maxNs) d.maxNs = ns;
}

export interface UtilBucket {
  /** bucket start, ns since the first event */
  startNs: number;
  /** mean number of goroutines running, divided by GOMAXPROCS (0..1) */
  busy: number;
}

export interface TraceSummary {
  startNs: number;
  durationNs: number;
  goroutinesCreated: number;
  goroutinesEnded: number;
  gcCycles: number;
  stw: DurStats;
  stwByReason: Map<string, DurStats>;
  markAssist: DurStats;
  /** running time of GC mark workers by kind: dedicated, fractional, idle */
  gcWorkerNs: Map<string, number>;
  schedLatency: DurStats;
  logs: number;
  /** the largest /sched/gomaxprocs metric: the event stream's (x/exp/trace's stats), 0 in the old format */
  maxGomaxprocs: number;
  /**
   * GOMAXPROCS as far as the trace tells: the metric's largest, or in the old format (no
   * metric until GOMAXPROCS changes) the value its first EvGomaxprocs gave at the start.
   */
  gomaxprocs: number;
  utilisation: UtilBucket[];
}

const MARK_PHASE = "GC concurrent mark phase";
const STW_PREFIX = "stop-the-world (";
const UTIL_BUCKETS = 50;

export class SummaryAnalyzer {
  private first = NaN;
  private last = NaN;
  private readonly s: TraceSummary = {
    startNs: 0,
    durationNs: 0,
    goroutinesCreated: 0,
    goroutinesEnded: 0,
    gcCycles: 0,
    stw: emptyDur(),
    stwByReason: new Map(),
    markAssist: emptyDur(),
    gcWorkerNs: new Map(),
    schedLatency: emptyDur(),
    logs: 0,
    maxGomaxprocs: 0,
    gomaxprocs: 0,
    utilisation: [],
  };
  private readonly rangeStart = new Map<string, number>();
  private readonly worker = new Map<number, { kind: string; since: number }>();
  /** running goroutines and GOMAXPROCS over time, for the utilisation buckets (bounded memory) */
  private running = 0;
  private readonly runBins = new TimeBins();
  private readonly procBins = new TimeBins();
  /** when the first /sched/gomaxprocs metric came (NaN: none) */
  private firstProcsMetric = NaN;

  /** table: the goroutine records shared with the other analyses of the pass (report.ts) */
  constructor(private readonly table: GoroutineTable = new GoroutineTable()) {}

  event(ev: TraceEvent): void {
    if (ev.kind === EventKind.StateTransition) {
      const st = ev.stateTransition();
      if (st.resource.kind === ResourceKind.Goroutine) this.goTransition(ev, st, this.table.at(st.resource.id));
      else this.tick(ev.time);
      return;
    }
    const t = ev.time;
    if (Number.isNaN(this.first)) this.first = t;
    this.last = t;
    const s = this.s;
    switch (ev.kind) {
      case EventKind.Metric: {
        const m = ev.metric();
        if (m.name === "/sched/gomaxprocs:threads") {
          s.maxGomaxprocs = Math.max(s.maxGomaxprocs, m.value);
          if (Number.isNaN(this.firstProcsMetric)) this.firstProcsMetric = t;
          this.procBins.set(t, m.value);
        }
        break;
      }
      case EventKind.RangeBegin: {
        const r = ev.range();
        this.rangeStart.set(`${r.name}\u0000${r.scope.kind}\u0000${r.scope.id}`, t);
        if (r.name === MARK_PHASE) s.gcCycles++;
        break;
      }
      case EventKind.RangeEnd: {
        const r = ev.range();
        const key = `${r.name}\u0000${r.scope.kind}\u0000${r.scope.id}`;
        const t0 = this.rangeStart.get(key);
        if (t0 === undefined) break; // begun before the trace
        this.rangeStart.delete(key);
        if (r.name.startsWith(STW_PREFIX)) {
          const reason = r.name.slice(STW_PREFIX.length, r.name.endsWith(")") ? -1 : undefined);
          addDur(s.stw, t - t0);
          let d = s.stwByReason.get(reason);
          if (!d) s.stwByReason.set(reason, (d = emptyDur()));
          addDur(d, t - t0);
        } else if (r.name === "GC mark assist") {
          addDur(s.markAssist, t - t0);
        }
        break;
      }
      case EventKind.Label: {
        const l = ev.label().label;
        if (l.startsWith("GC (") && ev.goroutine >= 0) {
          this.worker.set(ev.goroutine, { kind: l.slice(4, l.endsWith(")") ? -1 : undefined), since: t });
          this.table.at(ev.goroutine).sumWorker = true;
        }
        break;
      }
      case EventKind.Log:
        s.logs++;
        break;
    }
  }

  private tick(t: number): void {
    if (Number.isNaN(this.first)) this.first = t;
    this.last = t;
  }

  /** A goroutine's transition; rec is its record (the shared table's). */
  goTransition(ev: TraceEvent, st: StateTransition, rec: GoRecord): void {
    const t = ev.time;
    if (Number.isNaN(this.first)) this.first = t;
    this.last = t;
    const from = st.from;
    const to = st.to;
    if (from === to) return;
    const s = this.s;
    if (from === GoState.NotExist) s.goroutinesCreated++;
    if (to === GoState.NotExist) s.goroutinesEnded++;
    if (from === GoState.Runnable) {
      if (to === GoState.Running && !Number.isNaN(rec.sumRunnableSince)) addDur(s.schedLatency, t - rec.sumRunnableSince);
      rec.sumRunnableSince = NaN;
    }
    if (to === GoState.Runnable && from !== GoState.Undetermined) rec.sumRunnableSince = t;
    if (to === GoState.NotExist) rec.sumRunnableSince = NaN; // as if its record were new
    if (from === GoState.Running) {
      // The record's flag first: a Map lookup on every stop of every goroutine cost more.
      if (rec.sumWorker) {
        rec.sumWorker = false;
        const w = this.worker.get(rec.id);
        if (w) {
          s.gcWorkerNs.set(w.kind, (s.gcWorkerNs.get(w.kind) ?? 0) + (t - w.since));
          this.worker.delete(rec.id);
        }
      }
      this.stepRunning(t, -1);
    }
    if (to === GoState.Running) this.stepRunning(t, +1);
  }

  private stepRunning(t: number, d: number): void {
    this.running += d;
    this.runBins.set(t, this.running);
  }

  /** startGomaxprocs: GOMAXPROCS from the trace's start up to its first metric, when the reader knows it (the old format). */
  finish(startGomaxprocs = 0): TraceSummary {
    const s = this.s;
    s.gomaxprocs = Math.max(s.maxGomaxprocs, startGomaxprocs);
    if (Number.isNaN(this.first)) return s;
    s.startNs = this.first;
    s.durationNs = this.last - this.first;
    for (const w of [...this.worker.values()]) s.gcWorkerNs.set(w.kind, (s.gcWorkerNs.get(w.kind) ?? 0) + (this.last - w.since));
    s.utilisation = this.buckets(startGomaxprocs);
    return s;
  }

  /** Mean running goroutines / GOMAXPROCS in equal buckets across the trace. */
  private buckets(startGomaxprocs: number): UtilBucket[] {
    const dur = this.s.durationNs;
    if (dur <= 0) return [];
    this.runBins.advance(this.last);
    this.procBins.advance(this.last);
    const run = this.runBins.buckets(this.first, dur, UTIL_BUCKETS);
    const cap = this.procBins.buckets(this.first, dur, UTIL_BUCKETS);
    if (startGomaxprocs > 0) {
      // The old format's stream has no metric until GOMAXPROCS changes: before that, the
      // value the trace started with holds.
      const before = new TimeBins();
      before.set(this.first, startGomaxprocs);
      before.set(Number.isNaN(this.firstProcsMetric) ? this.last : this.firstProcsMetric, 0);
      before.advance(this.last);
      before.buckets(this.first, dur, UTIL_BUCKETS).forEach((v, k) => (cap[k] += v));
    }
    const width = dur / UTIL_BUCKETS;
    return run.map((r, k) => ({ startNs: k * width, busy: cap[k] > 0 ? Math.min(1, r / cap[k]) : 0 }));
  }
}
