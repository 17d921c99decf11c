// One event view shared by several analyses: the reader decodes a state transition or a
// range into a fresh object on every call, and four analyses asking for the same event's
// would allocate four (most of the GC time of `godiag trace`). This view decodes once.

import type {
  EventKind,
  Label,
  Log,
  Metric,
  Range,
  RangeAttribute,
  Region,
  StateTransition,
  SyncInfo,
  Task,
  TraceEvent,
  ExperimentalEvent,
} from "../model/event.js";

export class MemoEvent implements TraceEvent {
  private ev!: TraceEvent;
  private st: StateTransition | undefined;
  private rg: Range | undefined;

  /** Points the view at the reader's current event; valid during the visitor call only. */
  set(ev: TraceEvent): this {
    this.ev = ev;
    this.st = undefined;
    this.rg = undefined;
    return this;
  }

  get kind(): EventKind {
    return this.ev.kind;
  }
  get time(): number {
    return this.ev.time;
  }
  get goroutine(): number {
    return this.ev.goroutine;
  }
  get proc(): number {
    return this.ev.proc;
  }
  get thread(): number {
    return this.ev.thread;
  }
  get stack(): number {
    return this.ev.stack;
  }
  get wireType(): number {
    return this.ev.wireType;
  }
  stateTransition(): StateTransition {
    return (this.st ??= this.ev.stateTransition());
  }
  range(): Range {
    return (this.rg ??= this.ev.range());
  }
  rangeAttributes(): RangeAttribute[] {
    return this.ev.rangeAttributes();
  }
  task(): Task {
    return this.ev.task();
  }
  region(): Region {
    return this.ev.region();
  }
  log(): Log {
    return this.ev.log();
  }
  metric(): Metric {
    return this.ev.metric();
  }
  label(): Label {
    return this.ev.label();
  }
  sync(): SyncInfo {
    return this.ev.sync();
  }
  experimental(): ExperimentalEvent {
    return this.ev.experimental();
  }
  clone(): TraceEvent {
    return this.ev.clone();
  }
}
