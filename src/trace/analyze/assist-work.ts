// The part of each goroutine's GC mark assists it spent working on them: running,
// runnable, or blocked waiting for mark work to help with. An assist range alone is not
// that: it can stay open while its goroutine is blocked for other reasons (measured: a
// Go 1.19 network service's 34 assists add up to 790 ms, 788 ms of it blocked "sync";
// the Go 1.26 gcheavy workload's, 433 ms of 1779 ms). The ranges are what go tool trace
// and x/exp/trace report, so they stay as they are (ExecStats.rangeNs); this is the share
// diagnose weighs against the goroutine's working time.

import { EventKind, GoState, ResourceKind, type TraceEvent } from "../model/event.js";

const ASSIST = "GC mark assist";
/** The runtime's block reason for an assist with no mark work yet (gcParkAssist). */
const ASSIST_WAIT = "GC mark assist wait for work";

interface GAssist {
  /** the goroutine is in an assist range */
  inAssist: boolean;
  /** its state counts as assist work */
  working: boolean;
  /** start of the current assist-and-working interval (NaN: none) */
  since: number;
  workNs: number;
}

export class AssistWork {
  private readonly gs = new Map<number, GAssist>();
  private last = 0;

  private g(id: number): GAssist {
    let s = this.gs.get(id);
    if (!s) this.gs.set(id, (s = { inAssist: false, working: false, since: NaN, workNs: 0 }));
    return s;
  }

  /** Closes or opens the counted interval after inAssist or working changed at t. */
  private update(s: GAssist, t: number): void {
    const counting = s.inAssist && s.working;
    if (!Number.isNaN(s.since) && !counting) {
      s.workNs += t - s.since;
      s.since = NaN;
    } else if (Number.isNaN(s.since) && counting) {
      s.since = t;
    }
  }

  event(ev: TraceEvent): void {
    const t = ev.time;
    this.last = t;
    switch (ev.kind) {
      case EventKind.StateTransition: {
        const st = ev.stateTransition();
        if (st.resource.kind !== ResourceKind.Goroutine) return;
        const s = this.g(st.resource.id);
        s.working = st.to === GoState.Running || st.to === GoState.Runnable || (st.to === GoState.Waiting && st.reason === ASSIST_WAIT);
        // A goroutine that ends ends its assist (a new one with its id starts fresh).
        if (st.to === GoState.NotExist) s.inAssist = false;
        this.update(s, t);
        return;
      }
      case EventKind.RangeBegin:
      case EventKind.RangeActive:
      case EventKind.RangeEnd: {
        const r = ev.range();
        if (r.name !== ASSIST || r.scope.kind !== ResourceKind.Goroutine) return;
        const s = this.g(r.scope.id);
        // RangeActive restates an assist at a generation start: open since then, or before the trace.
        s.inAssist = ev.kind !== EventKind.RangeEnd;
        this.update(s, t);
        return;
      }
    }
  }

  /** The goroutine's assist work so far, up to the last event. */
  workNs(id: number): number {
    const s = this.gs.get(id);
    if (!s) return 0;
    return s.workNs + (Number.isNaN(s.since) ? 0 : this.last - s.since);
  }

  /** Assist work by goroutine id; assists still open count up to the last event. */
  finish(): Map<number, number> {
    const out = new Map<number, number>();
    for (const id of this.gs.keys()) {
      const ns = this.workNs(id);
      if (ns > 0) out.set(id, ns);
    }
    return out;
  }
}
