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
  // reason -> stack id -> ns: no key string built per event (this runs on every transition)
  private readonly sites = new Map<string, Map<number, number>>();
  private count = 0;

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
    let byStack = this.sites.get(o.reason);
    if (!byStack) this.sites.set(o.reason, (byStack = new Map()));
    const ns = byStack.get(o.stack);
    if (ns === undefined) {
      if (this.count >= MAX_SITES) return;
      this.count++;
    }
    byStack.set(o.stack, (ns ?? 0) + ev.time - o.t);
  }

  /** Waits that ended in the trace (a wait begun before it has no stack to judge). */
  finish(tables: TraceTables): BlockSite[] {
    const out: BlockSite[] = [];
    for (const [reason, byStack] of this.sites) for (const [stack, ns] of byStack) out.push({ stack: tables.frames(stack), reason, ns });
    return out;
  }
}
