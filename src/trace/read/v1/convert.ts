// Converting the ordered v1 events into the Go 1.22+ event model, as Go's reference reader
// does ($(go env GOROOT)/src/internal/trace/tracev1.go): most events map one to one; the
// goroutines and Ps that existed when tracing started become status events; a syscall
// that did not block becomes a 1 ns begin/end pair; GoSysBlock disappears (the syscall's
// begin carries the blocking). The whole trace is one generation: one Sync before the
// first event, one after the last.

import { EventKind, GoState, NO_TASK, ProcState, ResourceKind, type TraceVisitor } from "../../model/event.js";
import { Ev } from "../../wire/spec.js";
import { V1EventError } from "./errors.js";
import type { EventColumns } from "./columns.js";
import { V1Event } from "./event.js";
import type { V1Scan } from "./scan.js";
import type { V1Tables } from "./tables.js";
import { V1, V1_DESCS, stwReason } from "./wire.js";

const G = ResourceKind.Goroutine;
const P = ResourceKind.Proc;
const SYNC = 255;

/** Why a goroutine stopped, by its v1 event (the strings Go's converter uses). */
const BLOCK_REASON = new Map<number, [number, string]>([
  [V1.GoStop, [Ev.GoBlock, "forever"]],
  [V1.GoSched, [Ev.GoStop, "runtime.Gosched"]],
  [V1.GoPreempt, [Ev.GoStop, "preempted"]],
  [V1.GoSleep, [Ev.GoBlock, "sleep"]],
  [V1.GoBlock, [Ev.GoBlock, ""]],
  [V1.GoBlockSend, [Ev.GoBlock, "chan send"]],
  [V1.GoBlockRecv, [Ev.GoBlock, "chan receive"]],
  [V1.GoBlockSelect, [Ev.GoBlock, "select"]],
  [V1.GoBlockSync, [Ev.GoBlock, "sync"]],
  [V1.GoBlockCond, [Ev.GoBlock, "sync.(*Cond).Wait"]],
  [V1.GoBlockNet, [Ev.GoBlock, "network"]],
  [V1.GoBlockGC, [Ev.GoBlock, "GC mark assist wait for work"]],
]);

/** Indices of GoSysCall events whose goroutine's next event is GoSysBlock (Go looks ahead). */
function blockedSyscalls(ev: EventColumns, order: Uint32Array): Set<number> {
  const pending = new Map<number, number>();
  const blocked = new Set<number>();
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const g = ev.g[i];
    const at = pending.get(g);
    if (at !== undefined) {
      if (ev.typ[i] === V1.GoSysBlock) blocked.add(at);
      pending.delete(g);
    }
    if (ev.typ[i] === V1.GoSysCall) pending.set(g, i);
  }
  return blocked;
}

export class V1Converter {
  events = 0;
  /**
   * GOMAXPROCS when tracing started: the first Gomaxprocs event's value. That event only
   * ends the start-up in the converted stream (as in Go's tracev1.go, which drops it), so
   * it is kept here, beside the stream, for the utilisation and the rules.
   */
  startGomaxprocs = 0;
  private lastTs = -1;
  private preInit = true;
  private readonly createdPreInit = new Set<number>();
  private readonly seenProcs = new Set<number>();
  private readonly procMs = new Map<number, number>();
  private readonly tasks = new Map<number, { name: string; parent: number }>();
  private lastStw = "";
  private readonly e = new V1Event();
  private ctxTime = 0;
  private ctxG = 0;
  private ctxP = 0;
  private ctxM = 0;
  /** Reset the event to the current v1 event's context (one function, not one per event). */
  private readonly atFn = (kind: EventKind, wire: number, stack = 0): V1Event =>
    this.e.reset(kind, wire, this.ctxTime, this.ctxG, this.ctxP, this.ctxM, stack);

  constructor(
    private readonly ev: EventColumns,
    /** the events' order: the k-th event is order[k] */
    private readonly order: Uint32Array,
    private readonly scan: V1Scan,
    private readonly inline: readonly string[],
    private readonly tables: V1Tables,
    private readonly version: number,
    private readonly visit: TraceVisitor,
  ) {}

  private str(id: number): string {
    return this.scan.strings.get(id) ?? "";
  }

  private emit(): void {
    const e = this.e;
    if (e.kind !== EventKind.Sync) {
      // Go's converter: times strictly increase (status events can share a time).
      if (e.time <= this.lastTs) e.time = this.lastTs + 1;
      this.lastTs = e.time;
    }
    this.events++;
    this.visit(e, this.tables);
  }

  private sync(time: number, n: number): void {
    this.e.reset(EventKind.Sync, SYNC, time, -1, -1, -1, 0).n0 = n;
    this.emit();
  }

  private transition(kind: ResourceKind, id: number, from: number, to: number, reason = "", tstack = 0): void {
    const e = this.e;
    e.resKind = kind;
    e.resId = id;
    e.n0 = from;
    e.n1 = to;
    e.s0 = reason;
    e.n2 = tstack;
  }

  run(): void {
    const ev = this.ev;
    const order = this.order;
    const blocked = blockedSyscalls(ev, order);
    const n = order.length;
    if (n > 0) this.sync(ev.ts[order[0]] - 1, 1);
    for (let k = 0; k < n; k++) this.convert(order[k], blocked);
    this.sync(this.lastTs + 1, n > 0 ? 2 : 1);
  }

  private convert(i: number, blocked: ReadonlySet<number>): void {
    const ev = this.ev;
    const e = this.e;
    const typ = ev.typ[i];
    const time = ev.ts[i];
    const rawG = ev.g[i];
    const p = ev.p[i];
    const a0 = ev.a0[i];
    const stk = this.tables.id(ev.stk[i]);
    const m = p !== -1 && typ !== V1.CPUSample ? (this.procMs.get(p) ?? -1) : -1;
    const g = rawG === 0 ? -1 : rawG;
    // The default context; a few cases below set their own.
    this.ctxTime = time;
    this.ctxG = g;
    this.ctxP = p;
    this.ctxM = m;
    const at = this.atFn;
    const reason = BLOCK_REASON.get(typ);
    if (reason !== undefined) {
      at(EventKind.StateTransition, reason[0], stk);
      const to = reason[0] === Ev.GoStop ? GoState.Runnable : GoState.Waiting;
      this.transition(G, g, GoState.Running, to, reason[1], stk);
      return this.emit();
    }
    switch (typ) {
      case V1.Gomaxprocs:
        if (this.preInit) {
          // The first Gomaxprocs ends the trace's start-up: goroutines created before it
          // with no other status were runnable.
          this.preInit = false;
          this.startGomaxprocs = a0;
          for (const id of this.createdPreInit) {
            e.reset(EventKind.StateTransition, Ev.GoStatus, time, -1, -1, -1, 0);
            this.transition(G, id, GoState.Undetermined, GoState.Runnable);
            this.emit();
          }
          this.createdPreInit.clear();
          return;
        }
        at(EventKind.Metric, Ev.ProcsChange, stk);
        e.s0 = "/sched/gomaxprocs:threads";
        e.n0 = a0;
        return this.emit();
      case V1.ProcStart: {
        this.procMs.set(p, a0);
        const seen = this.seenProcs.has(p);
        this.seenProcs.add(p);
        e.reset(EventKind.StateTransition, seen ? Ev.ProcStart : Ev.ProcStatus, time, g, p, a0, 0);
        this.transition(P, p, seen ? ProcState.Idle : ProcState.Undetermined, ProcState.Running);
        return this.emit();
      }
      case V1.ProcStop: {
        const seen = this.seenProcs.has(p);
        this.seenProcs.add(p);
        this.procMs.delete(p);
        at(EventKind.StateTransition, seen ? Ev.ProcStop : Ev.ProcStatus);
        this.transition(P, p, seen ? ProcState.Running : ProcState.Undetermined, ProcState.Idle);
        return this.emit();
      }
      case V1.GCStart:
      case V1.GCDone:
        at(typ === V1.GCStart ? EventKind.RangeBegin : EventKind.RangeEnd, typ === V1.GCStart ? Ev.GCBegin : Ev.GCEnd, typ === V1.GCStart ? stk : 0);
        e.s0 = "GC concurrent mark phase";
        return this.emit();
      case V1.STWStart:
      case V1.STWDone:
        if (typ === V1.STWStart) this.lastStw = stwReason(this.version, a0);
        at(typ === V1.STWStart ? EventKind.RangeBegin : EventKind.RangeEnd, typ === V1.STWStart ? Ev.STWBegin : Ev.STWEnd);
        e.s0 = `stop-the-world (${this.lastStw})`;
        e.resKind = G;
        e.resId = g;
        return this.emit();
      case V1.GCSweepStart:
      case V1.GCSweepDone:
        at(typ === V1.GCSweepStart ? EventKind.RangeBegin : EventKind.RangeEnd, typ === V1.GCSweepStart ? Ev.GCSweepBegin : Ev.GCSweepEnd, typ === V1.GCSweepStart ? stk : 0);
        e.s0 = "GC incremental sweep";
        e.resKind = P;
        e.resId = p;
        e.n0 = a0;
        e.n1 = ev.a1[i];
        return this.emit();
      case V1.GCMarkAssistStart:
      case V1.GCMarkAssistDone:
        at(typ === V1.GCMarkAssistStart ? EventKind.RangeBegin : EventKind.RangeEnd, typ === V1.GCMarkAssistStart ? Ev.GCMarkAssistBegin : Ev.GCMarkAssistEnd, typ === V1.GCMarkAssistStart ? stk : 0);
        e.s0 = "GC mark assist";
        e.resKind = G;
        e.resId = g;
        return this.emit();
      case V1.GoCreate:
        if (this.preInit) {
          this.createdPreInit.add(a0);
          return;
        }
        at(EventKind.StateTransition, Ev.GoCreate, stk);
        this.transition(G, a0, GoState.NotExist, GoState.Runnable, "", this.tables.id(ev.a1[i]));
        return this.emit();
      case V1.GoStart:
        if (this.preInit) {
          at(EventKind.StateTransition, Ev.GoStatus);
          this.transition(G, a0, GoState.Undetermined, GoState.Running);
          this.createdPreInit.delete(a0);
        } else {
          at(EventKind.StateTransition, Ev.GoStart);
          this.transition(G, a0, GoState.Runnable, GoState.Running);
        }
        return this.emit();
      case V1.GoStartLabel: {
        // Go's converter: the goroutine id as is and the P's thread, 0 when it has none.
        const m0 = this.procMs.get(p) ?? 0;
        e.reset(EventKind.StateTransition, Ev.GoStart, time, rawG, p, m0, 0);
        this.transition(G, a0, GoState.Runnable, GoState.Running);
        this.emit();
        e.reset(EventKind.Label, Ev.GoLabel, time, rawG, p, m0, 0);
        e.s0 = this.str(ev.a2[i]);
        return this.emit();
      }
      case V1.GoEnd:
        at(EventKind.StateTransition, Ev.GoDestroy);
        this.transition(G, g, GoState.Running, GoState.NotExist);
        return this.emit();
      case V1.GoUnblock:
        at(EventKind.StateTransition, Ev.GoUnblock, stk);
        this.transition(G, a0, GoState.Waiting, GoState.Runnable);
        return this.emit();
      case V1.GoSysCall:
        if (blocked.has(i)) {
          at(EventKind.StateTransition, Ev.GoSyscallBegin, stk);
          this.transition(G, g, GoState.Running, GoState.Syscall, "", stk);
          return this.emit();
        } else {
          // A syscall that did not block: a 1 ns syscall.
          const m0 = this.procMs.get(p) ?? 0;
          e.reset(EventKind.StateTransition, Ev.GoSyscallBegin, time, rawG, p, m0, stk);
          this.transition(G, rawG, GoState.Running, GoState.Syscall, "", stk);
          this.emit();
          e.reset(EventKind.StateTransition, Ev.GoSyscallEnd, time + 1, rawG, p, m0, 0);
          this.transition(G, rawG, GoState.Syscall, GoState.Running);
          return this.emit();
        }
      case V1.GoSysExit:
        at(EventKind.StateTransition, Ev.GoSyscallEndBlocked);
        this.transition(G, g, GoState.Syscall, GoState.Runnable);
        return this.emit();
      case V1.GoSysBlock:
        return;
      case V1.GoWaiting:
      case V1.GoInSyscall:
        at(EventKind.StateTransition, Ev.GoStatus);
        this.transition(G, a0, GoState.Undetermined, typ === V1.GoWaiting ? GoState.Waiting : GoState.Syscall);
        this.createdPreInit.delete(a0);
        return this.emit();
      case V1.HeapAlloc:
      case V1.HeapGoal:
        at(EventKind.Metric, typ === V1.HeapAlloc ? Ev.HeapAlloc : Ev.HeapGoal);
        e.s0 = typ === V1.HeapAlloc ? "/memory/classes/heap/objects:bytes" : "/gc/heap/goal:bytes";
        e.n0 = a0;
        return this.emit();
      case V1.UserTaskCreate: {
        const name = this.str(ev.a2[i]);
        this.tasks.set(a0, { name, parent: ev.a1[i] });
        at(EventKind.TaskBegin, Ev.UserTaskBegin, stk);
        e.n0 = a0;
        e.n1 = ev.a1[i] === 0 ? NO_TASK : ev.a1[i];
        e.s0 = name;
        return this.emit();
      }
      case V1.UserTaskEnd: {
        const t = this.tasks.get(a0);
        this.tasks.delete(a0);
        at(EventKind.TaskEnd, Ev.UserTaskEnd, stk);
        e.n0 = a0;
        // Go's converter passes the begin's parent as it was on the wire (0, not NoTask).
        e.n1 = t === undefined ? NO_TASK : t.parent;
        e.s0 = t === undefined ? "" : t.name;
        return this.emit();
      }
      case V1.UserRegion: {
        const begin = ev.a1[i] === 0;
        at(begin ? EventKind.RegionBegin : EventKind.RegionEnd, begin ? Ev.UserRegionBegin : Ev.UserRegionEnd, stk);
        e.n0 = a0;
        e.s0 = this.str(ev.a2[i]);
        return this.emit();
      }
      case V1.UserLog:
        at(EventKind.Log, Ev.UserLog, stk);
        e.n0 = a0;
        e.s0 = this.str(ev.a1[i]);
        e.s1 = this.inline[ev.a2[i]] ?? "";
        return this.emit();
      case V1.CPUSample:
        at(EventKind.StackSample, Ev.CPUSample, stk);
        return this.emit();
      default:
        throw new V1EventError(`unexpected event type ${V1_DESCS[typ]?.name ?? typ}`, i);
    }
  }
}
