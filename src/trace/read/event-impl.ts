// The reader's event record: the wire event plus the context the ordering gave it. The
// queue reuses these records, and the visitor sees one directly (the reused view the model
// documents). Details are decoded on demand, with x/exp/trace's Event accessors' meaning
// (see $(go env GOROOT)/src/internal/trace/event.go).

import {
  EventKind,
  GoState,
  NO_STACK,
  ProcState,
  ResourceKind,
  type ExperimentalBatch,
  type ExperimentalEvent,
  type Label,
  type Log,
  type Metric,
  type Range,
  type RangeAttribute,
  type Region,
  type StateTransition,
  type SyncInfo,
  type Task,
  type TraceEvent,
} from "../model/event.js";
import { EV_SYNC, EXPERIMENTS, Ev, SPECS, WireProc } from "../wire/spec.js";
import type { Generation } from "./generation.js";

/** Wire type -> EventKind (Go's tracev2Type2Kind); 0 (Bad) for the rest. */
export const KIND_OF: Uint8Array = (() => {
  const k = new Uint8Array(256);
  const set = (kind: number, ...types: number[]) => types.forEach((t) => (k[t] = kind));
  set(EventKind.StackSample, Ev.CPUSample);
  set(EventKind.Metric, Ev.ProcsChange, Ev.HeapAlloc, Ev.HeapGoal);
  set(
    EventKind.StateTransition,
    Ev.ProcStart, Ev.ProcStop, Ev.ProcSteal, Ev.ProcStatus, Ev.GoCreate, Ev.GoCreateSyscall, Ev.GoStart,
    Ev.GoDestroy, Ev.GoDestroySyscall, Ev.GoStop, Ev.GoBlock, Ev.GoUnblock, Ev.GoSyscallBegin, Ev.GoSyscallEnd,
    Ev.GoSyscallEndBlocked, Ev.GoStatus, Ev.GoSwitch, Ev.GoSwitchDestroy, Ev.GoCreateBlocked, Ev.GoStatusStack,
  );
  set(EventKind.RangeBegin, Ev.STWBegin, Ev.GCBegin, Ev.GCSweepBegin, Ev.GCMarkAssistBegin);
  set(EventKind.RangeActive, Ev.GCActive, Ev.GCSweepActive, Ev.GCMarkAssistActive);
  set(EventKind.RangeEnd, Ev.STWEnd, Ev.GCEnd, Ev.GCSweepEnd, Ev.GCMarkAssistEnd);
  set(EventKind.Label, Ev.GoLabel);
  set(EventKind.TaskBegin, Ev.UserTaskBegin);
  set(EventKind.TaskEnd, Ev.UserTaskEnd);
  set(EventKind.RegionBegin, Ev.UserRegionBegin);
  set(EventKind.RegionEnd, Ev.UserRegionEnd);
  set(EventKind.Log, Ev.UserLog);
  set(
    EventKind.Experimental,
    Ev.Span, Ev.SpanAlloc, Ev.SpanFree, Ev.HeapObject, Ev.HeapObjectAlloc, Ev.HeapObjectFree,
    Ev.GoroutineStack, Ev.GoroutineStackAlloc, Ev.GoroutineStackFree,
  );
  set(EventKind.Sync, EV_SYNC);
  return k;
})();

/** Wire goroutine status -> GoState (Go's tracev2GoStatus2GoState). */
const GO_STATE_OF = [GoState.Undetermined, GoState.Runnable, GoState.Running, GoState.Syscall, GoState.Waiting];
/** Wire proc status -> ProcState (Go's tracev2ProcStatus2ProcState). */
const PROC_STATE_OF = [ProcState.Undetermined, ProcState.Running, ProcState.Idle, ProcState.Running, ProcState.Idle];

/** What an event needs to resolve its ids: its generation and the trace-wide stack ids. */
export interface EventContext {
  gen: Generation | null;
  /** the generation's stack id -> trace-wide id */
  stack(id: number): number;
}

const EMPTY_EXP = new Map<string, readonly ExperimentalBatch[]>();

export class EventRecord implements TraceEvent {
  // time starts as a double (-0 === 0): it always holds values past 2^31, and a field that
  // starts as a small integer and later holds a double changes the object's hidden class,
  // so V8 throws away the optimised code of every function that saw the old one. The args
  // stay small integers (ids, sequence numbers): as doubles, each would be boxed when passed
  // to a function (a heap allocation per event); the rare big value costs one deopt.
  wireType = 0;
  kind: EventKind = EventKind.Bad;
  time = -0;
  goroutine = -1;
  proc = -1;
  thread = -1;
  stack = NO_STACK;
  /** wire arguments after the timestamp */
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  /** what the ordering learnt: a transition's old state, a TaskEnd's parent */
  x0 = 0;
  /** a TaskEnd's type, from its TaskBegin */
  str = "";
  /** file offset of the event, for error messages */
  offset = 0;
  ctx: EventContext | null = null;
  /**
   * The object stateTransition() fills and returns: reused like the event view itself (each
   * analysis asks for every transition; two fresh objects per one were a tenth of
   * `godiag trace`'s time). A clone has its own.
   */
  private st: StateTransition | null = null;

  copyFrom(o: EventRecord): void {
    this.wireType = o.wireType;
    this.kind = o.kind;
    this.time = o.time;
    this.goroutine = o.goroutine;
    this.proc = o.proc;
    this.thread = o.thread;
    this.stack = o.stack;
    this.a0 = o.a0;
    this.a1 = o.a1;
    this.a2 = o.a2;
    this.a3 = o.a3;
    this.x0 = o.x0;
    this.str = o.str;
    this.offset = o.offset;
    this.ctx = o.ctx;
  }

  clone(): TraceEvent {
    const e = new EventRecord();
    e.copyFrom(this);
    return e;
  }

  private string(id: number): string {
    return this.ctx?.gen?.getString(id) ?? "";
  }

  private globalStack(id: number): number {
    return id === 0 || this.ctx === null ? NO_STACK : Math.max(NO_STACK, this.ctx.stack(id));
  }

  private need(kind: boolean, what: string): void {
    if (!kind) throw new Error(`${what} called on a ${this.kind} event`);
  }

  metric(): Metric {
    this.need(this.kind === EventKind.Metric, "metric");
    switch (this.wireType) {
      case Ev.ProcsChange:
        return { name: "/sched/gomaxprocs:threads", value: this.a0 };
      case Ev.HeapAlloc:
        return { name: "/memory/classes/heap/objects:bytes", value: this.a0 };
      default:
        return { name: "/gc/heap/goal:bytes", value: this.a0 };
    }
  }

  label(): Label {
    this.need(this.kind === EventKind.Label, "label");
    return { label: this.string(this.a0), resource: { kind: ResourceKind.Goroutine, id: this.goroutine } };
  }

  range(): Range {
    const k = this.kind;
    this.need(k === EventKind.RangeBegin || k === EventKind.RangeActive || k === EventKind.RangeEnd, "range");
    switch (this.wireType) {
      case Ev.STWBegin:
      case Ev.STWEnd:
        return { name: `stop-the-world (${this.string(this.a0)})`, scope: { kind: ResourceKind.Goroutine, id: this.goroutine } };
      case Ev.GCBegin:
      case Ev.GCActive:
      case Ev.GCEnd:
        return { name: "GC concurrent mark phase", scope: { kind: ResourceKind.None, id: 0 } };
      case Ev.GCSweepBegin:
      case Ev.GCSweepActive:
      case Ev.GCSweepEnd:
        return {
          name: "GC incremental sweep",
          scope: { kind: ResourceKind.Proc, id: this.wireType === Ev.GCSweepActive ? this.a0 : this.proc },
        };
      default:
        return {
          name: "GC mark assist",
          scope: { kind: ResourceKind.Goroutine, id: this.wireType === Ev.GCMarkAssistActive ? this.a0 : this.goroutine },
        };
    }
  }

  rangeAttributes(): RangeAttribute[] {
    if (this.wireType !== Ev.GCSweepEnd) return [];
    return [
      { name: "bytes swept", value: this.a0 },
      { name: "bytes reclaimed", value: this.a1 },
    ];
  }

  task(): Task {
    this.need(this.kind === EventKind.TaskBegin || this.kind === EventKind.TaskEnd, "task");
    if (this.wireType === Ev.UserTaskBegin) return { id: this.a0, parent: this.a1, type: this.string(this.a2) };
    return { id: this.a0, parent: this.x0, type: this.str };
  }

  region(): Region {
    this.need(this.kind === EventKind.RegionBegin || this.kind === EventKind.RegionEnd, "region");
    return { task: this.a0, type: this.string(this.a1) };
  }

  log(): Log {
    this.need(this.kind === EventKind.Log, "log");
    return { task: this.a0, category: this.string(this.a1), message: this.string(this.a2) };
  }

  /**
   * Fills the reused transition object. A method, not a closure over this inside
   * stateTransition(): the closure was allocated on every call (measured: most of the bytes
   * `godiag trace` allocated, ~150 a transition).
   */
  private fillTransition(kind: ResourceKind, id: number, from: number, to: number, reason = "", stack = NO_STACK): StateTransition {
    const st = (this.st ??= { resource: { kind: ResourceKind.None, id: 0 }, from: 0, to: 0, reason: "", stack: NO_STACK });
    st.resource.kind = kind;
    st.resource.id = id;
    st.from = from;
    st.to = to;
    st.reason = reason;
    st.stack = stack;
    return st;
  }

  stateTransition(): StateTransition {
    this.need(this.kind === EventKind.StateTransition, "stateTransition");
    const G = ResourceKind.Goroutine;
    const P = ResourceKind.Proc;
    switch (this.wireType) {
      case Ev.ProcStart:
        return this.fillTransition(P, this.a0, ProcState.Idle, ProcState.Running);
      case Ev.ProcStop:
        return this.fillTransition(P, this.proc, ProcState.Running, ProcState.Idle);
      case Ev.ProcSteal:
        return this.fillTransition(P, this.a0, this.x0 === WireProc.SyscallAbandoned ? ProcState.Idle : ProcState.Running, ProcState.Idle);
      case Ev.ProcStatus:
        return this.fillTransition(P, this.a0, this.x0, PROC_STATE_OF[this.a1] ?? ProcState.Undetermined);
      case Ev.GoCreate:
        return this.fillTransition(G, this.a0, GoState.NotExist, GoState.Runnable, "", this.globalStack(this.a1));
      case Ev.GoCreateBlocked:
        return this.fillTransition(G, this.a0, GoState.NotExist, GoState.Waiting, "", this.globalStack(this.a1));
      case Ev.GoCreateSyscall:
        return this.fillTransition(G, this.a0, GoState.NotExist, GoState.Syscall);
      case Ev.GoStart:
        return this.fillTransition(G, this.a0, GoState.Runnable, GoState.Running);
      case Ev.GoDestroy:
        return this.fillTransition(G, this.goroutine, GoState.Running, GoState.NotExist);
      case Ev.GoDestroySyscall:
        return this.fillTransition(G, this.goroutine, GoState.Syscall, GoState.NotExist);
      case Ev.GoStop:
        return this.fillTransition(G, this.goroutine, GoState.Running, GoState.Runnable, this.string(this.a0), this.stack);
      case Ev.GoBlock:
        return this.fillTransition(G, this.goroutine, GoState.Running, GoState.Waiting, this.string(this.a0), this.stack);
      case Ev.GoUnblock:
      case Ev.GoSwitch:
      case Ev.GoSwitchDestroy:
        return this.fillTransition(G, this.a0, GoState.Waiting, GoState.Runnable);
      case Ev.GoSyscallBegin:
        return this.fillTransition(G, this.goroutine, GoState.Running, GoState.Syscall, "", this.stack);
      case Ev.GoSyscallEnd:
        return this.fillTransition(G, this.goroutine, GoState.Syscall, GoState.Running);
      case Ev.GoSyscallEndBlocked:
        return this.fillTransition(G, this.goroutine, GoState.Syscall, GoState.Runnable);
      default: // GoStatus, GoStatusStack
        return this.fillTransition(G, this.a0, this.x0, GO_STATE_OF[this.a2] ?? GoState.Undetermined, "", this.stack);
    }
  }

  sync(): SyncInfo {
    this.need(this.kind === EventKind.Sync, "sync");
    const g = this.ctx?.gen ?? null;
    if (g === null) return { n: this.a0, clockSnapshot: null, experimentalBatches: EMPTY_EXP };
    const exp = new Map<string, readonly ExperimentalBatch[]>();
    for (const [id, batches] of g.expBatches) exp.set(EXPERIMENTS[id] ?? `Experiment(${id})`, batches);
    return {
      n: this.a0,
      clockSnapshot: g.hasClockSnapshot
        ? { trace: g.mul(g.snapTime), wallSec: g.snapSec, wallNsec: g.snapNsec, mono: g.snapMono }
        : null,
      experimentalBatches: exp,
    };
  }

  experimental(): ExperimentalEvent {
    this.need(this.kind === EventKind.Experimental, "experimental");
    const spec = SPECS[this.wireType]!;
    const argNames = spec.args.slice(1);
    const all = [this.a0, this.a1, this.a2, this.a3];
    return {
      name: spec.name,
      experiment: EXPERIMENTS[spec.experiment] ?? "",
      argNames,
      argValues: all.slice(0, argNames.length),
    };
  }
}

