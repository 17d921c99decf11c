// go tool trace -pprof=net|sync|syscall|sched: where goroutines spent time in one state
// (blocked on the network, blocked on synchronisation, in syscalls, runnable but not
// running), as a profile of the stacks they entered it with. Semantics of
// $(go env GOROOT)/src/cmd/trace/pprof.go (read, not copied):
//
// - A goroutine is tracked from a transition INTO the state (for a reason the mode cares
//   about) to its next transition OUT of it; transitions that stay in the state change
//   nothing. The sample's stack is the stack of the event that started the interval
//   (Event.Stack: for an unblock, the unblocker's), not the transition's own stack.
// - go tool trace clips each interval to its goroutine's lifetime as the summarizer sees it
//   ([first time it ran, when it ended or the trace's end]; [0, end] if it never ran), and
//   drops intervals that clip to nothing. Consequence: a newly created goroutine's first
//   wait to run, which ends exactly when it starts, never counts in the sched profile.
// - Samples are per distinct stack: a count of intervals and their total time (ns).

import { EventKind, GoState, ResourceKind, type TraceEvent, type TraceTables } from "../model/event.js";
import { buildStackProfile, StackAccumulator } from "./build.js";
import type { Profile } from "../../core/model/index.js";

export type StateMode = "net" | "sync" | "syscall" | "sched";

interface StateRule {
  state: GoState;
  track(reason: string): boolean;
}

const always = (): boolean => true;

/** Which state each mode measures and for which reasons (pprof.go's computePprof*). */
const RULES: Record<StateMode, StateRule> = {
  net: { state: GoState.Waiting, track: (r) => r === "network" },
  sync: { state: GoState.Waiting, track: (r) => r.includes("chan") || r.includes("sync") || r.includes("select") },
  syscall: { state: GoState.Syscall, track: always },
  sched: { state: GoState.Runnable, track: always },
};

/** An interval whose clipping must wait for the goroutine's final lifetime. */
interface Deferred {
  g: number;
  stack: number;
  t0: number;
  t1: number;
  seq: number;
}

export class StateProfiler {
  private readonly rule: StateRule;
  /** tracked goroutine -> [start time, stack of the starting event] */
  private readonly tracking = new Map<number, [number, number]>();
  /** goroutines the summarizer knows (any real state change) */
  private readonly seen = new Set<number>();
  /** goroutine -> first time it ran (the summarizer's StartTime) */
  private readonly started = new Map<number, number>();
  /** goroutine -> when it ended (went away, or blocked "forever") */
  private readonly ended = new Map<number, number>();
  /** [intervals, ns] per stack; null until the first event hands us the tables */
  private acc: StackAccumulator | null = null;
  /** intervals ended so far: the order go tool trace adds them in */
  private seq = 0;
  /**
   * Intervals of goroutines that had not yet run when the interval ended: they count
   * only if the goroutine never runs (go tool trace's lifetime is then [0, end]).
   */
  private readonly deferred: Deferred[] = [];
  private lastTime = 0;

  constructor(readonly mode: StateMode) {
    this.rule = RULES[mode];
  }

  event(ev: TraceEvent, tables: TraceTables): void {
    this.lastTime = ev.time;
    if (ev.kind !== EventKind.StateTransition) return;
    this.acc ??= new StackAccumulator(tables);
    const st = ev.stateTransition();
    if (st.resource.kind !== ResourceKind.Goroutine) return;
    const g = st.resource.id;
    const t = ev.time;
    // The summarizer's view of the goroutine's life, updated before the interval below
    // is clipped: the transition that ends an interval may be the goroutine's first run.
    if (st.from !== st.to) {
      this.seen.add(g);
      if (st.to === GoState.Running && !this.started.has(g)) this.started.set(g, t);
      if (st.to === GoState.NotExist || (st.to === GoState.Waiting && st.reason === "forever")) this.ended.set(g, t);
    }
    const open = this.tracking.get(g);
    if (open === undefined) {
      if (st.to === this.rule.state && this.rule.track(st.reason)) {
        this.tracking.set(g, [t, ev.stack]);
      }
      return;
    }
    if (st.to === this.rule.state) return;
    this.tracking.delete(g);
    const [t0, stack] = open;
    const seq = ++this.seq;
    const s = this.started.get(g);
    const e = this.ended.get(g);
    // Decided now when the goroutine has run (start <= t) and has not ended before t:
    // its final end is then at or after t, so only the start clips the interval.
    if (s === undefined || (e !== undefined && e < t)) this.deferred.push({ g, stack, t0, t1: t, seq });
    else this.add(stack, seq, t - Math.max(s, t0));
  }

  private add(stack: number, seq: number, ns: number): void {
    if (ns > 0) this.acc!.add(stack, seq, [1, ns]);
  }

  /** The profile: samples [contentions, delay ns] per stack, as go tool trace writes them. */
  finish(tables: TraceTables): Profile {
    for (const d of this.deferred) {
      if (!this.seen.has(d.g)) continue;
      const s = this.started.get(d.g) ?? 0;
      const e = this.ended.get(d.g) || this.lastTime;
      if (e < d.t0 || d.t1 < s) continue;
      this.add(d.stack, d.seq, Math.min(e, d.t1) - Math.max(s, d.t0));
    }
    this.deferred.length = 0;
    const records = this.acc?.records() ?? [];
    return buildStackProfile(records, tables, {
      sampleTypes: [
        { type: "contentions", unit: "count" },
        { type: "delay", unit: "nanoseconds" },
      ],
      periodType: { type: "trace", unit: "count" },
      period: 1,
    });
  }
}
