// Runs that delay everyone: a goroutine that keeps its P for a long stretch while other
// goroutines wait runnable, and goroutines that a stop-the-world had to wait for (a STW
// cannot finish stopping until every running goroutine reaches a preemption point).

import { EventKind, GoState, ResourceKind, type StateTransition, type TraceEvent } from "../model/event.js";
import { GoroutineTable, type GoRecord } from "./goroutine-table.js";

export interface LongRun {
  goroutine: number;
  /** its start function (filled in from the goroutine summary) */
  name: string;
  startNs: number;
  durationNs: number;
  /** goroutine-nanoseconds others spent runnable during the run */
  othersRunnableNs: number;
  /** most goroutines runnable at once during the run */
  maxRunnable: number;
  /** the stack where the run ended (where it was preempted or blocked), 0 if none */
  endStack: number;
}

export interface StwDelay {
  reason: string;
  startNs: number;
  /** from the STW's start until the last goroutine running at that start stopped */
  waitedNs: number;
  /** that last goroutine */
  goroutine: number;
  name: string;
  endStack: number;
}

export interface LongRunReport {
  thresholdNs: number;
  runs: LongRun[];
  stwDelays: StwDelay[];
}

const MAX_KEPT = 20;
/**
 * The long runs (and STW delays) kept while reading are cut back to the best MAX_KEPT whenever they reach
 * this many, so memory does not grow with the trace's length. The result is the same as
 * sorting all of them: the sort is stable and a run outside a prefix's best MAX_KEPT
 * cannot be in the whole trace's.
 */
const PRUNE_AT = 4 * MAX_KEPT;

const byHarm = (a: LongRun, b: LongRun) => b.othersRunnableNs - a.othersRunnableNs || b.durationNs - a.durationNs;

/** Removes list[i] by moving the last one into its place; keeps the records' indexes right. */
function removeAt(list: GoRecord[], i: number, running: boolean): void {
  const gone = list[i];
  const last = list[list.length - 1];
  list[i] = last;
  list.pop();
  if (running) {
    last.lrRunIdx = i;
    gone.lrRunIdx = -1;
  } else {
    last.lrOpen = i;
    gone.lrOpen = -1;
  }
}

const byWait = (a: StwDelay, b: StwDelay) => b.waitedNs - a.waitedNs;

function pruneRuns(runs: LongRun[]): void {
  runs.sort(byHarm);
  runs.length = MAX_KEPT;
}

export class LongRunAnalyzer {
  /**
   * Goroutines with a run in progress (at most GOMAXPROCS): every new runnable goroutine
   * raises each one's maximum. The run itself lives in the goroutine's record (lr* fields),
   * which knows its place here, so ending a run is no search.
   */
  private readonly open: GoRecord[] = [];
  /**
   * every goroutine in state Running, including those first seen running (about
   * GOMAXPROCS; read only at a STW); each record knows its index
   */
  private readonly running: GoRecord[] = [];
  private runnable = 0;
  private integral = 0;
  private lastT = NaN;
  private readonly runs: LongRun[] = [];
  /** open STWs: the goroutines running at their start that have not stopped yet */
  private readonly stws = new Map<number, { reason: string; start: number; waiting: Set<number>; delay: StwDelay | null }>();
  private readonly delays: StwDelay[] = [];

  /** table: the goroutine records shared with the other analyses of the pass (report.ts) */
  constructor(
    readonly thresholdNs: number,
    private readonly table: GoroutineTable = new GoroutineTable(),
  ) {}

  private tick(t: number): void {
    if (!Number.isNaN(this.lastT)) this.integral += this.runnable * (t - this.lastT);
    this.lastT = t;
  }

  event(ev: TraceEvent): void {
    if (ev.kind === EventKind.StateTransition) {
      const st = ev.stateTransition();
      if (st.resource.kind === ResourceKind.Goroutine) this.goTransition(ev, st, this.table.at(st.resource.id));
      else this.tick(ev.time);
      return;
    }
    const t = ev.time;
    this.tick(t);
    if (ev.kind === EventKind.RangeBegin) {
      const r = ev.range();
      if (r.name.startsWith("stop-the-world (") && r.scope.kind === ResourceKind.Goroutine) {
        const waiting = new Set<number>();
        for (const g of this.running) if (g.id !== r.scope.id) waiting.add(g.id);
        this.stws.set(r.scope.id, { reason: r.name.slice(16, -1), start: t, waiting, delay: null });
      }
    } else if (ev.kind === EventKind.RangeEnd) {
      const r = ev.range();
      const s = r.name.startsWith("stop-the-world (") ? this.stws.get(r.scope.id) : undefined;
      if (s) {
        // Stopping the world normally takes microseconds; list the waits a tenth of a long run or more.
        if (s.delay && s.delay.waitedNs >= this.thresholdNs / 10) {
          this.delays.push(s.delay);
          if (this.delays.length >= PRUNE_AT) this.delays.sort(byWait).length = MAX_KEPT;
        }
        this.stws.delete(r.scope.id);
      }
    }
  }

  /** A goroutine's transition; rec is its record (the shared table's). */
  goTransition(ev: TraceEvent, st: StateTransition, rec: GoRecord): void {
    const t = ev.time;
    this.tick(t);
    const from = st.from;
    const to = st.to;
    if (from === to) return;
    if (from === GoState.Runnable) this.runnable--;
    if (to === GoState.Runnable) this.runnable++;
    if (this.runnable < 0) this.runnable = 0; // runnable before the trace began
    // Only a new runnable goroutine can raise the maximum (runs in progress: at most GOMAXPROCS).
    if (to === GoState.Runnable) {
      const n = this.runnable;
      const open = this.open;
      for (let i = 0; i < open.length; i++) if (open[i].lrMaxRunnable < n) open[i].lrMaxRunnable = n;
    }
    if (to === GoState.Running && rec.lrRunIdx < 0) {
      rec.lrRunIdx = this.running.length;
      this.running.push(rec);
    }
    if (from === GoState.Running) {
      if (rec.lrRunIdx >= 0) removeAt(this.running, rec.lrRunIdx, true);
      if (rec.lrOpen >= 0) {
        const d = t - rec.lrStart;
        if (d >= this.thresholdNs) {
          this.runs.push({
            goroutine: rec.id,
            name: "",
            startNs: rec.lrStart,
            durationNs: d,
            othersRunnableNs: this.integral - rec.lrIntegral,
            maxRunnable: rec.lrMaxRunnable,
            endStack: st.stack,
          });
          if (this.runs.length >= PRUNE_AT) pruneRuns(this.runs);
        }
        removeAt(this.open, rec.lrOpen, false);
      }
      if (this.stws.size > 0) this.stoppedForStw(ev, rec.id, st.stack);
    }
    // A run's start is known only from an observed transition into Running.
    if (to === GoState.Running && from !== GoState.Undetermined) {
      // A run never seen to end (not expected) is replaced.
      if (rec.lrOpen < 0) {
        rec.lrOpen = this.open.length;
        this.open.push(rec);
      }
      rec.lrStart = t;
      rec.lrIntegral = this.integral;
      rec.lrMaxRunnable = this.runnable;
    }
  }

  /**
   * g stopped running while STWs wait. Its own method: a closure in goTransition made V8
   * allocate a context for the variables it captures on every call (measured: ~70 bytes
   * an event, half of what `godiag trace` allocated).
   */
  private stoppedForStw(ev: TraceEvent, g: number, stack: number): void {
    const t = ev.time;
    for (const s of this.stws.values()) {
      if (s.waiting.delete(g)) s.delay = { reason: s.reason, startNs: s.start, waitedNs: t - s.start, goroutine: g, name: "", endStack: stack };
    }
  }

  finish(): LongRunReport {
    const runs = this.runs.sort(byHarm).slice(0, MAX_KEPT);
    const stwDelays = this.delays.sort(byWait).slice(0, MAX_KEPT);
    return { thresholdNs: this.thresholdNs, runs, stwDelays };
  }
}
