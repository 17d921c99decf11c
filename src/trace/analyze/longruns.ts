// Runs that delay everyone: a goroutine that keeps its P for a long stretch while other
// goroutines wait runnable, and goroutines that a stop-the-world had to wait for (a STW
// cannot finish stopping until every running goroutine reaches a preemption point).

import { EventKind, GoState, ResourceKind, type StateTransition, type TraceEvent } from "../model/event.js";

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

const byWait = (a: StwDelay, b: StwDelay) => b.waitedNs - a.waitedNs;

function pruneRuns(runs: LongRun[]): void {
  runs.sort(byHarm);
  runs.length = MAX_KEPT;
}

interface RunStart {
  g: number;
  t: number;
  integral: number;
  maxRunnable: number;
}

export class LongRunAnalyzer {
  /**
   * Runs in progress (at most GOMAXPROCS, so a list: every new runnable goroutine updates
   * each one's maximum, and a Map's forEach with a closure per event cost more than the
   * rest of this analysis).
   */
  private readonly open: RunStart[] = [];
  private readonly free: RunStart[] = [];
  /**
   * every goroutine in state Running, including those first seen running: at most about
   * GOMAXPROCS, so a list (added to and removed from on every run, read only at a STW)
   */
  private readonly running: number[] = [];
  private runnable = 0;
  private integral = 0;
  private lastT = NaN;
  private readonly runs: LongRun[] = [];
  /** open STWs: the goroutines running at their start that have not stopped yet */
  private readonly stws = new Map<number, { reason: string; start: number; waiting: Set<number>; delay: StwDelay | null }>();
  private readonly delays: StwDelay[] = [];

  constructor(readonly thresholdNs: number) {}

  private tick(t: number): void {
    if (!Number.isNaN(this.lastT)) this.integral += this.runnable * (t - this.lastT);
    this.lastT = t;
  }

  event(ev: TraceEvent): void {
    if (ev.kind === EventKind.StateTransition) {
      const st = ev.stateTransition();
      if (st.resource.kind === ResourceKind.Goroutine) this.goTransition(ev, st);
      else this.tick(ev.time);
      return;
    }
    const t = ev.time;
    this.tick(t);
    if (ev.kind === EventKind.RangeBegin) {
      const r = ev.range();
      if (r.name.startsWith("stop-the-world (") && r.scope.kind === ResourceKind.Goroutine) {
        const waiting = new Set<number>();
        for (const g of this.running) if (g !== r.scope.id) waiting.add(g);
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

  /** A goroutine's transition. */
  goTransition(ev: TraceEvent, st: StateTransition): void {
    const t = ev.time;
    this.tick(t);
    if (st.from === st.to) return;
    const g = st.resource.id;
    if (st.from === GoState.Runnable) this.runnable--;
    if (st.to === GoState.Runnable) this.runnable++;
    if (this.runnable < 0) this.runnable = 0; // runnable before the trace began
    // Only a new runnable goroutine can raise the maximum (runs in progress: at most GOMAXPROCS).
    if (st.to === GoState.Runnable) {
      const n = this.runnable;
      const open = this.open;
      for (let i = 0; i < open.length; i++) if (open[i].maxRunnable < n) open[i].maxRunnable = n;
    }
    if (st.to === GoState.Running && !this.running.includes(g)) this.running.push(g);
    if (st.from === GoState.Running) {
      const i = this.running.indexOf(g);
      if (i >= 0) {
        this.running[i] = this.running[this.running.length - 1];
        this.running.pop();
      }
      const r = this.takeRun(g);
      if (r) {
        const d = t - r.t;
        if (d >= this.thresholdNs) {
          this.runs.push({
            goroutine: g,
            name: "",
            startNs: r.t,
            durationNs: d,
            othersRunnableNs: this.integral - r.integral,
            maxRunnable: r.maxRunnable,
            endStack: st.stack,
          });
          if (this.runs.length >= PRUNE_AT) pruneRuns(this.runs);
        }
        this.free.push(r);
      }
      if (this.stws.size > 0) this.stoppedForStw(ev, g, st.stack);
    }
    // A run's start is known only from an observed transition into Running.
    if (st.to === GoState.Running && st.from !== GoState.Undetermined) {
      this.takeRun(g); // a run never seen to end (not expected) is replaced, as a Map would
      // Run starts come and go on every schedule: reuse their records (less GC).
      const r = this.free.pop() ?? { g: 0, t: NaN, integral: NaN, maxRunnable: 0 };
      r.g = g;
      r.t = t;
      r.integral = this.integral;
      r.maxRunnable = this.runnable;
      this.open.push(r);
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

  /** Removes and returns g's run in progress, if any. */
  private takeRun(g: number): RunStart | undefined {
    const open = this.open;
    for (let i = 0; i < open.length; i++) {
      if (open[i].g === g) {
        const r = open[i];
        open[i] = open[open.length - 1];
        open.pop();
        return r;
      }
    }
    return undefined;
  }

  finish(): LongRunReport {
    const runs = this.runs.sort(byHarm).slice(0, MAX_KEPT);
    const stwDelays = this.delays.sort(byWait).slice(0, MAX_KEPT);
    return { thresholdNs: this.thresholdNs, runs, stwDelays };
  }
}
