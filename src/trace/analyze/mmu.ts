// Minimum mutator utilisation, defined as go tool trace's /mmu page defines it
// (internal/trace/gc.go, MutatorUtilizationV2 and MMUCurve; read, not copied): a
// utilisation function of time, 1 where the program runs, lowered while the GC takes a
// P (STW: all Ps; a background mark worker or a mark assist running: its P; sweeping:
// its P), and the MMU for a window w is the lowest mean of that function over any
// interval of length w. "System" averages over GOMAXPROCS Ps; "per-P" gives each P its
// own function and takes the lowest.

import { EventKind, GoState, NO_GOROUTINE, ResourceKind, type StateTransition, type TraceEvent } from "../model/event.js";
import { GoroutineTable, type GoRecord } from "./goroutine-table.js";

export interface UtilFlags {
  /** count stop-the-world pauses that mention GC (go tool trace's "STW") */
  stw: boolean;
  /** count background mark workers ("Background workers") */
  background: boolean;
  /** count mark assists ("Mark assist") */
  assist: boolean;
  /** count incremental sweeping ("Sweep") */
  sweep: boolean;
  /** one function per P ("Per-goroutine" view) instead of one for the system */
  perProc: boolean;
}

/** go tool trace's /mmu defaults: system view, STW + background workers + mark assist. */
export const DEFAULT_UTIL_FLAGS: UtilFlags = { stw: true, background: true, assist: true, sweep: false, perProc: false };

/** A step function: util[i] holds from time[i] until time[i+1]. */
export interface UtilSeries {
  time: number[];
  util: number[];
}

function push(s: UtilSeries, t: number, u: number): void {
  const n = s.time.length;
  if (n > 0) {
    if (s.util[n - 1] === u) return;
    if (s.time[n - 1] === t) {
      // Several changes at one instant: the lowest wins.
      if (u < s.util[n - 1]) s.util[n - 1] = u;
      return;
    }
  }
  s.time.push(t);
  s.util.push(u);
}

const isGcStw = (name: string) => name.startsWith("stop-the-world") && name.includes("GC");
const isAssist = (name: string) => name === "GC mark assist";
const isSweep = (name: string) => name === "GC incremental sweep";
const executing = (s: number | undefined): boolean => s === GoState.Running || s === GoState.Syscall;

/** Builds the utilisation functions from the event stream (one pass). */
export class MutatorUtilisation {
  private readonly out: UtilSeries[] = [];
  /** per P: GC activity depth and the series it writes */
  private ps: { gc: number; series: number }[] = [];
  private stw = 0;
  private readonly procs: { time: number; n: number }[] = [];
  private nSync = 0;
  private lastTime = NaN;
  /** something that sets the utilisation changed since it was last recorded */
  private dirty = true;

  /**
   * table: the goroutine records shared with the other analyses of the pass (report.ts);
   * each goroutine's last state, whether it is in a mark assist or a background mark worker
   */
  constructor(
    readonly flags: UtilFlags,
    private readonly table: GoroutineTable = new GoroutineTable(),
  ) {}

  private p(proc: number): { gc: number } {
    this.dirty = true;
    // Events that change a P's GC depth always carry that P; guard against broken input.
    return this.ps[proc] ?? { gc: 0 };
  }

  event(ev: TraceEvent): void {
    if (ev.kind === EventKind.StateTransition) {
      const st = ev.stateTransition();
      if (st.resource.kind === ResourceKind.Goroutine) this.goTransition(ev, st, this.table.at(st.resource.id));
      else {
        this.lastTime = ev.time;
        if (this.ps.length > 0) this.record(ev.time);
      }
      return;
    }
    const f = this.flags;
    const t = ev.time;
    this.lastTime = t;
    if (ev.kind === EventKind.Sync) this.nSync = ev.sync().n;
    if (ev.kind === EventKind.Metric) {
      const m = ev.metric();
      if (m.name === "/sched/gomaxprocs:threads") this.setProcs(t, m.value);
    }
    if (this.ps.length === 0) return; // nothing is defined before GOMAXPROCS is known
    switch (ev.kind) {
      case EventKind.RangeActive:
      case EventKind.RangeBegin: {
        const r = ev.range();
        if (ev.kind === EventKind.RangeActive && this.nSync <= 1) this.activeAtStart(ev, r.name);
        if (f.stw && isGcStw(r.name)) {
          this.stw++;
          this.dirty = true;
        }
        else if (f.sweep && isSweep(r.name)) this.p(ev.proc).gc++;
        else if (f.assist && isAssist(r.name)) {
          this.p(ev.proc).gc++;
          if (r.scope.kind === ResourceKind.Goroutine && r.scope.id !== NO_GOROUTINE) this.table.at(r.scope.id).mmuInGc = true;
        }
        break;
      }
      case EventKind.RangeEnd: {
        const r = ev.range();
        if (f.stw && isGcStw(r.name)) {
          this.stw--;
          this.dirty = true;
        }
        else if (f.sweep && isSweep(r.name)) this.p(ev.proc).gc--;
        else if (f.assist && isAssist(r.name)) {
          this.p(ev.proc).gc--;
          if (r.scope.kind === ResourceKind.Goroutine) {
            const g = this.table.get(r.scope.id);
            if (g) g.mmuInGc = false;
          }
        }
        break;
      }
      case EventKind.Label: {
        const l = ev.label().label;
        // Dedicated workers empty their P, so per P they delay no goroutine directly.
        if (f.background && l.startsWith("GC ") && l !== "GC (idle)" && !(f.perProc && l === "GC (dedicated)")) {
          this.table.at(ev.goroutine).mmuBgMark = true;
          this.p(ev.proc).gc++;
        }
        break;
      }
    }
    this.record(t);
  }

  /** A goroutine's transition; rec is its record (the shared table's). */
  goTransition(ev: TraceEvent, st: StateTransition, rec: GoRecord): void {
    const t = ev.time;
    this.lastTime = t;
    if (this.ps.length === 0) return; // nothing is defined before GOMAXPROCS is known
    if (rec.mmuInGc || rec.mmuBgMark) {
      if (!executing(st.from) && executing(st.to)) this.p(ev.proc).gc++;
      else if (executing(st.from) && !executing(st.to)) this.p(ev.proc).gc--;
    }
    rec.mmuState = st.to;
    if (this.dirty) this.record(t);
  }

  /** Record the utilisation at t if anything that sets it changed. */
  private record(t: number): void {
    const f = this.flags;
    // Recording an unchanged utilisation is a no-op (push merges equal values), so skip it.
    if (!this.dirty) return;
    this.dirty = false;
    if (!f.perProc) {
      let gcPs = 0;
      if (this.stw > 0) gcPs = this.ps.length;
      else for (const p of this.ps) if (p.gc > 0) gcPs++;
      push(this.out[0], t, 1 - gcPs / this.ps.length);
    } else {
      for (const p of this.ps) push(this.out[p.series], t, this.stw > 0 || p.gc > 0 ? 0 : 1);
    }
  }

  private setProcs(t: number, n: number): void {
    this.dirty = true;
    if (this.ps.length > n) {
      if (this.flags.perProc) for (const p of this.ps.slice(n)) push(this.out[p.series], t, 0);
      this.ps = this.ps.slice(0, n);
    }
    while (this.ps.length < n) {
      let series = 0;
      if (this.flags.perProc || this.out.length === 0) {
        series = this.out.length;
        this.out.push({ time: [t], util: [1] });
      }
      this.ps.push({ gc: 0, series });
    }
    if (this.procs.length === 0 || this.procs[this.procs.length - 1].n !== n) this.procs.push({ time: t, n });
  }

  /**
   * A sweep or a running assist found active in the first generation was active since
   * the trace began: in the system view, take its P's share off everything so far.
   */
  private activeAtStart(ev: TraceEvent, name: string): void {
    this.dirty = true;
    const f = this.flags;
    const counts = (f.sweep && isSweep(name)) || (f.assist && isAssist(name) && executing(this.table.get(ev.goroutine)?.mmuState));
    if (!counts || f.perProc) return;
    const s = this.out[0];
    let pi = 0;
    for (let mi = 0; mi < s.time.length; ) {
      if (pi < this.procs.length - 1 && this.procs[pi + 1].time < s.time[mi]) {
        pi++;
        continue;
      }
      s.util[mi] = Math.max(0, s.util[mi] - 1 / this.procs[pi].n);
      mi++;
    }
  }

  /** The functions, each ending at the last event with utilisation 0. */
  finish(): UtilSeries[] {
    if (Number.isNaN(this.lastTime)) return [];
    for (const p of this.ps) push(this.out[p.series], this.lastTime, 0);
    return this.out;
  }
}

/** Cumulative integral of a series at each of its points. */
function prefixSums(s: UtilSeries): number[] {
  const sums = new Array<number>(s.time.length);
  let sum = 0;
  let prevT = 0;
  let prevU = 0;
  for (let i = 0; i < s.time.length; i++) {
    sum += prevU * (s.time[i] - prevT);
    sums[i] = sum;
    prevT = s.time[i];
    prevU = s.util[i];
  }
  return sums;
}

/** The lowest mean utilisation over any window of `windowNs` in one series, and where. */
function seriesMmu(s: UtilSeries, sums: number[], windowNs: number): { mmu: number; at: number } {
  const n = s.time.length;
  const t0 = s.time[0];
  const tEnd = s.time[n - 1];
  const w = Math.min(windowNs, tEnd - t0);
  // The integral from the start to t; pos only moves forward (t is non-decreasing).
  const integ = (t: number, cur: { pos: number }) => {
    while (cur.pos + 1 < n && s.time[cur.pos + 1] <= t) cur.pos++;
    return sums[cur.pos] + (t !== s.time[cur.pos] ? s.util[cur.pos] * (t - s.time[cur.pos]) : 0);
  };
  const left = { pos: 0 };
  const right = { pos: 0 };
  const last = tEnd - w;
  let best = Infinity;
  let at = t0;
  // The windowed mean is piecewise linear in the window's start, with corners where an
  // edge meets a change of the function: the minimum is at one of those starts.
  let i = 0;
  let j = 0;
  while (j < n && s.time[j] - w < t0) j++;
  for (;;) {
    const a = i < n && s.time[i] <= last ? s.time[i] : Infinity;
    const b = j < n && s.time[j] - w <= last ? s.time[j] - w : Infinity;
    const t = Math.min(a, b);
    if (t === Infinity) break;
    if (t === a) i++;
    if (t === b) j++;
    const mu = (integ(t + w, right) - integ(t, left)) / w;
    if (mu < best) {
      best = mu;
      at = t;
    }
  }
  return { mmu: best === Infinity ? 1 : best, at };
}

export interface MmuPoint {
  windowNs: number;
  mmu: number;
  /** start of a window with that utilisation (ns trace time) */
  worstAtNs: number;
}

/** MMU at each window, over all series (the lowest of them). */
export function mmuCurve(series: readonly UtilSeries[], windowsNs: readonly number[]): MmuPoint[] {
  const usable = series.filter((s) => s.time.length > 1 && s.time[s.time.length - 1] > s.time[0]);
  const sums = usable.map(prefixSums);
  return windowsNs.map((w) => {
    if (w <= 0) return { windowNs: w, mmu: 0, worstAtNs: NaN };
    let best = { mmu: 1, at: NaN };
    usable.forEach((s, k) => {
      const r = seriesMmu(s, sums[k], w);
      if (r.mmu < best.mmu || Number.isNaN(best.at)) best = r;
    });
    return { windowNs: w, mmu: best.mmu, worstAtNs: best.at };
  });
}
