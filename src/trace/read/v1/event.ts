// The event view the v1 reader hands to the visitor: the converted event's details are
// set as plain fields by the converter (there is no wire record to decode them from
// later), with the meaning x/exp/trace's Event accessors give a converted v1 event.

import {
  EventKind,
  NO_STACK,
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
} from "../../model/event.js";
import { Ev } from "../../wire/spec.js";

const NO_EXPERIMENTS = new Map<string, readonly ExperimentalBatch[]>();

export class V1Event implements TraceEvent {
  kind: EventKind = EventKind.Bad;
  time = 0;
  goroutine = -1;
  proc = -1;
  thread = -1;
  stack = NO_STACK;
  /** the Go 1.22+ wire type Go's converter maps the event to */
  wireType = 0;
  /** the resource of a transition, label or range scope */
  resKind: ResourceKind = ResourceKind.None;
  resId = 0;
  /**
   * Transition: from, to, the transition's stack. Metric: value. Range end: bytes swept,
   * reclaimed. Task: id, parent. Region, Log: task. Sync: N.
   */
  n0 = 0;
  n1 = 0;
  n2 = 0;
  /** Transition: reason. Metric, Range: name. Task, Region: type. Log: category, message. Label. */
  s0 = "";
  s1 = "";

  private need(ok: boolean, what: string): void {
    if (!ok) throw new Error(`${what} called on a ${this.kind} event`);
  }

  stateTransition(): StateTransition {
    this.need(this.kind === EventKind.StateTransition, "stateTransition");
    return { resource: { kind: this.resKind, id: this.resId }, from: this.n0, to: this.n1, reason: this.s0, stack: this.n2 };
  }

  range(): Range {
    const k = this.kind;
    this.need(k === EventKind.RangeBegin || k === EventKind.RangeActive || k === EventKind.RangeEnd, "range");
    return { name: this.s0, scope: { kind: this.resKind, id: this.resId } };
  }

  rangeAttributes(): RangeAttribute[] {
    if (this.wireType !== Ev.GCSweepEnd) return [];
    return [
      { name: "bytes swept", value: this.n0 },
      { name: "bytes reclaimed", value: this.n1 },
    ];
  }

  task(): Task {
    this.need(this.kind === EventKind.TaskBegin || this.kind === EventKind.TaskEnd, "task");
    return { id: this.n0, parent: this.n1, type: this.s0 };
  }

  region(): Region {
    this.need(this.kind === EventKind.RegionBegin || this.kind === EventKind.RegionEnd, "region");
    return { task: this.n0, type: this.s0 };
  }

  log(): Log {
    this.need(this.kind === EventKind.Log, "log");
    return { task: this.n0, category: this.s0, message: this.s1 };
  }

  metric(): Metric {
    this.need(this.kind === EventKind.Metric, "metric");
    return { name: this.s0, value: this.n0 };
  }

  label(): Label {
    this.need(this.kind === EventKind.Label, "label");
    return { label: this.s0, resource: { kind: ResourceKind.Goroutine, id: this.goroutine } };
  }

  sync(): SyncInfo {
    this.need(this.kind === EventKind.Sync, "sync");
    // The old format has no clock snapshots and no experiments.
    return { n: this.n0, clockSnapshot: null, experimentalBatches: NO_EXPERIMENTS };
  }

  experimental(): ExperimentalEvent {
    this.need(false, "experimental");
    throw new Error("unreachable");
  }

  clone(): TraceEvent {
    return Object.assign(new V1Event(), this);
  }

  /** Reset to an event of kind on the given context, with no details. */
  reset(kind: EventKind, wireType: number, time: number, g: number, p: number, m: number, stack: number): this {
    this.kind = kind;
    this.wireType = wireType;
    this.time = time;
    this.goroutine = g;
    this.proc = p;
    this.thread = m;
    this.stack = stack;
    this.resKind = ResourceKind.None;
    this.resId = 0;
    this.n0 = 0;
    this.n1 = 0;
    this.n2 = 0;
    this.s0 = "";
    this.s1 = "";
    return this;
  }
}
