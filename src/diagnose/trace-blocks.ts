// Blocked time by the stack a goroutine blocked at, from an execution trace: what the
// trace's per-group totals cannot tell — whether a wait was in the user's code (a
// handler waiting on a lock or a channel) or in the library around it (net/http's own
// bookkeeping after the response, net/http/pprof's sleep while a profile is fetched).

import { EventKind, GoState, ResourceKind, type StackFrame, type TraceEvent, type TraceTables } from "../trace/index.js";

export interface BlockSite {
  /** innermost first */
  stack: readonly StackFrame[];
  reason: string;
  ns: number;
}

/** distinct (stack, reason) pairs kept: a hostile trace cannot grow this without bound */
const MAX_SITES = 8192;

export class BlockCollector {
  private readonly open = new Map<number, { t: number; stack: number; reason: string }>();
  private readonly sites = new Map<string, { stack: number; reason: string; ns: number }>();

  event(ev: TraceEvent): void {
    if (ev.kind !== EventKind.StateTransition) return;
    const st = ev.stateTransition();
    if (st.resource.kind !== ResourceKind.Goroutine) return;
    const g = st.resource.id;
    if (st.to === GoState.Waiting) {
      this.open.set(g, { t: ev.time, stack: st.stack, reason: st.reason });
      return;
    }
    const o = this.open.get(g);
    if (!o || st.from !== GoState.Waiting) return;
    this.open.delete(g);
    const key = `${o.stack}/${o.reason}`;
    let s = this.sites.get(key);
    if (!s) {
      if (this.sites.size >= MAX_SITES) return;
      this.sites.set(key, (s = { stack: o.stack, reason: o.reason, ns: 0 }));
    }
    s.ns += ev.time - o.t;
  }

  /** Waits that ended in the trace (a wait begun before it has no stack to judge). */
  finish(tables: TraceTables): BlockSite[] {
    return [...this.sites.values()].map((s) => ({ stack: tables.frames(s.stack), reason: s.reason, ns: s.ns }));
  }
}
