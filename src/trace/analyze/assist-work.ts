// The part of each goroutine's GC mark assists it spent working on them: running,
// runnable, or blocked waiting for mark work to help with. An assist range alone is not
// that: it can stay open while its goroutine is blocked for other reasons (measured: a
// Go 1.19 network service's 34 assists add up to 790 ms, 788 ms of it blocked "sync";
// the Go 1.26 gcheavy workload's, 433 ms of 1779 ms). The ranges are what go tool trace
// and x/exp/trace report, so they stay as they are (ExecStats.rangeNs); this is the share
// diagnose weighs against the goroutine's working time.

import { EventKind, GoState, ResourceKind, type StateTransition, type TraceEvent } from "../model/event.js";
import { GoroutineTable, type GoRecord } from "./goroutine-table.js";

const ASSIST = "GC mark assist";
/** The runtime's block reason for an assist with no mark work yet (gcParkAssist). */
const ASSIST_WAIT = "GC mark assist wait for work";

export class AssistWork {
  /** the goroutines this analysis has seen, in order of first sight (finish's order) */
  private readonly seen: GoRecord[] = [];
  private last = 0;

  /** table: the goroutine records shared with the other analyses of the pass (report.ts) */
  constructor(private readonly table: GoroutineTable = new GoroutineTable()) {}

  private g(id: number): GoRecord {
    const s = this.table.at(id);
    if (!s.awSeen) {
      s.awSeen = true;
      this.seen.push(s);
    }
    return s;
  }

  /** Closes or opens the counted interval after inAssist or working changed at t. */
  private update(s: GoRecord, t: number): void {
    const counting = s.awInAssist && s.awWorking;
    if (!Number.isNaN(s.awSince) && !counting) {
      s.awWorkNs += t - s.awSince;
      s.awSince = NaN;
    } else if (Number.isNaN(s.awSince) && counting) {
      s.awSince = t;
    }
  }

  /** A goroutine's transition; rec is its record (the shared table's). */
  goTransition(ev: TraceEvent, st: StateTransition, rec: GoRecord): void {
    const t = ev.time;
    this.last = t;
    if (!rec.awSeen) {
      rec.awSeen = true;
      this.seen.push(rec);
    }
    const to = st.to;
    rec.awWorking = to === GoState.Running || to === GoState.Runnable || (to === GoState.Waiting && st.reason === ASSIST_WAIT);
    // A goroutine that ends ends its assist (a new one with its id starts fresh).
    if (to === GoState.NotExist) rec.awInAssist = false;
    // update(rec, t), inline: this runs on every goroutine transition.
    const counting = rec.awInAssist && rec.awWorking;
    if (!Number.isNaN(rec.awSince) && !counting) {
      rec.awWorkNs += t - rec.awSince;
      rec.awSince = NaN;
    } else if (Number.isNaN(rec.awSince) && counting) {
      rec.awSince = t;
    }
  }

  event(ev: TraceEvent): void {
    const t = ev.time;
    this.last = t;
    switch (ev.kind) {
      case EventKind.StateTransition: {
        const st = ev.stateTransition();
        if (st.resource.kind !== ResourceKind.Goroutine) return;
        this.goTransition(ev, st, this.table.at(st.resource.id));
        return;
      }
      case EventKind.RangeBegin:
      case EventKind.RangeActive:
      case EventKind.RangeEnd: {
        const r = ev.range();
        if (r.name !== ASSIST || r.scope.kind !== ResourceKind.Goroutine) return;
        const s = this.g(r.scope.id);
        // RangeActive restates an assist at a generation start: open since then, or before the trace.
        s.awInAssist = ev.kind !== EventKind.RangeEnd;
        this.update(s, t);
        return;
      }
    }
  }

  /** The goroutine's assist work so far, up to the last event. */
  workNs(id: number): number {
    const s = this.table.get(id);
    if (!s || !s.awSeen) return 0;
    return s.awWorkNs + (Number.isNaN(s.awSince) ? 0 : this.last - s.awSince);
  }

  /** Assist work by goroutine id; assists still open count up to the last event. */
  finish(): Map<number, number> {
    const out = new Map<number, number>();
    for (const s of this.seen) {
      const ns = this.workNs(s.id);
      if (ns > 0) out.set(s.id, ns);
    }
    return out;
  }
}
