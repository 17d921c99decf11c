// The ordering state machine: which event of which thread can happen next, given what
// the goroutines, procs and threads are doing. Events of one thread are in order in its
// batches, but threads are only partially ordered with each other, through sequence
// numbers on goroutines and procs and through GC sequence numbers. Learnt from
// $(go env GOROOT)/src/internal/trace/order.go; written anew here.
//
// advance() either accepts the event (pushing it, and any events it implies, to the
// queue) or says "not yet": the reader then tries another thread's next event.

import { GoState, NO_TASK, ProcState } from "../model/event.js";
import { Ev, SPECS, WIRE_GO_NAMES, WIRE_PROC_NAMES, WireGo, WireProc, eventName } from "../wire/spec.js";
import { TraceFormatError } from "./errors.js";
import { IntMap } from "./intmap.js";
import { EventRecord, KIND_OF, type EventContext } from "./event-impl.js";

const NONE = -1;
const MUST_NOT = 0;
const MAY = 1;
const MUST = 2;

interface RangeType {
  typ: number;
  desc: number;
}

class RangeState {
  inFlight: RangeType[] = [];

  has(typ: number, desc: number): boolean {
    for (const r of this.inFlight) if (r.typ === typ && r.desc === desc) return true;
    return false;
  }

  begin(typ: number, desc: number): void {
    if (this.has(typ, desc)) throw new Error(`discovered event already in-flight for when starting event ${eventName(typ)}`);
    this.inFlight.push({ typ, desc });
  }

  active(typ: number, initialGen: boolean): void {
    if (initialGen) {
      if (this.has(typ, 0)) throw new Error(`found named active range already in first gen: ${eventName(typ)}`);
      this.inFlight.push({ typ, desc: 0 });
    } else if (!this.has(typ, 0)) {
      throw new Error(`resource is missing active range: ${eventName(typ)}`);
    }
  }

  /** Ends the range the End event typ belongs to; returns its description string id. */
  end(typ: number): number {
    const st = SPECS[typ]!.startEv;
    const idx = this.inFlight.findIndex((r) => r.typ === st);
    if (idx < 0) throw new Error(`tried to end event ${eventName(st)}, but not in-flight`);
    const desc = this.inFlight[idx].desc;
    this.inFlight[idx] = this.inFlight[this.inFlight.length - 1];
    this.inFlight.pop();
    return desc;
  }
}

class GState extends RangeState {
  regions: { task: number; name: string }[] = [];
  constructor(
    readonly id: number,
    public status: number,
    public seqGen: number,
    public seq: number,
  ) {
    super();
  }
}

class PState extends RangeState {
  constructor(
    readonly id: number,
    public status: number,
    public seqGen: number,
    public seq: number,
  ) {
    super();
  }
}

export interface MState {
  g: number;
  p: number;
}

/** Go's gcState. */
const GC_UNDETERMINED = 0;
const GC_NOT_RUNNING = 1;
const GC_RUNNING = 2;

export class Ordering {
  /**
   * The events the last successful advance() produced, in order (Go's queue): the event
   * itself, with its context filled in, and up to two implied ones. The reader hands them
   * out before it decodes the thread's next event, so no copies are needed.
   */
  readonly out: EventRecord[] = [];
  outLen = 0;
  private readonly made = [new EventRecord(), new EventRecord()];
  private madeLen = 0;
  private readonly gStates = new IntMap<GState>();
  private readonly pStates = new Map<number, PState>();
  private readonly mStates = new Map<number, MState>();
  private readonly activeTasks = new Map<number, { name: string; parent: number }>();
  private gcSeq = 0;
  private gcState = GC_UNDETERMINED;
  private initialGen = 0;

  // The event being advanced and its context (Go's curCtx); set by advance().
  private ev!: EventRecord;
  private ctx!: EventContext;
  private gen = 0;
  private cg = NONE;
  private cp = NONE;
  private cm = NONE;

  /**
   * Try to accept ev, the next event of thread m, in generation gen. Returns false if it
   * cannot happen yet. Throws TraceFormatError when the trace is inconsistent.
   */
  advance(ev: EventRecord, ctx: EventContext, m: number, ms: MState | null, gen: number): boolean {
    if (this.initialGen === 0) this.initialGen = gen;
    this.ev = ev;
    this.ctx = ctx;
    this.gen = gen;
    this.cm = m;
    this.outLen = 0;
    this.madeLen = 0;
    if (ms === null) {
      this.cp = NONE;
      this.cg = NONE;
    } else {
      this.cp = ms.p;
      this.cg = ms.g;
    }
    // New context starts as the current one; handlers change ng/np.
    this.ng = this.cg;
    this.np = this.cp;
    let ok: boolean;
    try {
      ok = this.dispatch(ev.wireType);
    } catch (e) {
      if (e instanceof TraceFormatError) throw e;
      throw new TraceFormatError((e as Error).message, ev.offset);
    }
    if (ok && ms !== null) {
      ms.p = this.np;
      ms.g = this.ng;
    }
    return ok;
  }

  private ng = NONE;

  /**
   * The state of thread m (null for NoThread), made on first sight. Threads are never
   * forgotten, so a batch cursor can keep it instead of looking it up per event.
   */
  thread(m: number): MState | null {
    if (m === NONE) return null;
    let ms = this.mStates.get(m);
    if (ms === undefined) {
      ms = { g: NONE, p: NONE };
      this.mStates.set(m, ms);
    }
    return ms;
  }
  private np = NONE;

  /** Accept the event being advanced, with context (g, p, m). */
  private emit(g = this.cg, p = this.cp, m = this.cm): EventRecord {
    const r = this.ev;
    r.ctx = this.ctx;
    r.goroutine = g;
    r.proc = p;
    r.thread = m;
    r.kind = KIND_OF[r.wireType] as EventRecord["kind"];
    this.out[this.outLen++] = r;
    return r;
  }

  /** Add an event the trace implies but does not contain (Go's makeEvent). */
  private emitMade(typ: number, g: number, p: number, m: number, a0 = 0, a1 = 0): EventRecord {
    const r = this.made[this.madeLen++];
    r.wireType = typ;
    r.kind = KIND_OF[typ] as EventRecord["kind"];
    r.time = this.ev.time;
    r.goroutine = g;
    r.proc = p;
    r.thread = m;
    r.a0 = a0;
    r.a1 = a1;
    r.a2 = 0;
    r.a3 = 0;
    r.x0 = 0;
    r.str = "";
    r.offset = this.ev.offset;
    r.ctx = this.ctx;
    this.out[this.outLen++] = r;
    return r;
  }

  private validate(m: number, p: number, g: number): void {
    if (m === MUST && this.cm === NONE) throw new Error("expected a thread but didn't have one");
    if (m === MUST_NOT && this.cm !== NONE) throw new Error("expected no thread but had one");
    if (p === MUST && this.cp === NONE) throw new Error("expected a proc but didn't have one");
    if (p === MUST_NOT && this.cp !== NONE) throw new Error("expected no proc but had one");
    if (g === MUST && this.cg === NONE) throw new Error("expected a goroutine but didn't have one");
    if (g === MUST_NOT && this.cg !== NONE) throw new Error("expected no goroutine but had one");
  }

  private validateUser(): void {
    this.validate(MUST, MUST, MUST);
  }

  private succeeds(seqGen: number, seq: number, gen: number, next: number): boolean {
    return seqGen === gen && next === seq + 1;
  }

  private dispatch(typ: number): boolean {
    switch (typ) {
      case Ev.ProcsChange:
      case Ev.GoLabel:
      case Ev.UserLog:
        this.validateUser();
        this.emit();
        return true;
      case Ev.ProcStart:
        return this.procStart();
      case Ev.ProcStop:
        return this.procStop();
      case Ev.ProcSteal:
        return this.procSteal();
      case Ev.ProcStatus:
        return this.procStatus();
      case Ev.GoCreate:
      case Ev.GoCreateBlocked:
        return this.goCreate();
      case Ev.GoCreateSyscall:
        return this.goCreateSyscall();
      case Ev.GoStart:
        return this.goStart();
      case Ev.GoDestroy:
      case Ev.GoStop:
      case Ev.GoBlock:
        return this.goStopExec();
      case Ev.GoDestroySyscall:
        return this.goDestroySyscall();
      case Ev.GoUnblock:
        return this.goUnblock();
      case Ev.GoSyscallBegin:
        return this.goSyscallBegin();
      case Ev.GoSyscallEnd:
        return this.goSyscallEnd();
      case Ev.GoSyscallEndBlocked:
        return this.goSyscallEndBlocked();
      case Ev.GoStatus:
      case Ev.GoStatusStack:
        return this.goStatus();
      case Ev.STWBegin:
      case Ev.GCMarkAssistBegin:
        return this.goRangeBegin();
      case Ev.STWEnd:
      case Ev.GCMarkAssistEnd:
        return this.goRangeEnd();
      case Ev.GCMarkAssistActive:
        return this.goRangeActive();
      case Ev.GCActive:
        return this.gcActive();
      case Ev.GCBegin:
        return this.gcBegin();
      case Ev.GCEnd:
        return this.gcEnd();
      case Ev.GCSweepActive:
        return this.sweepActive();
      case Ev.GCSweepBegin:
        return this.sweepBegin();
      case Ev.GCSweepEnd:
        return this.sweepEnd();
      case Ev.HeapAlloc:
      case Ev.HeapGoal:
        this.validate(MUST, MUST, MAY);
        this.emit();
        return true;
      case Ev.UserTaskBegin:
        return this.taskBegin();
      case Ev.UserTaskEnd:
        return this.taskEnd();
      case Ev.UserRegionBegin:
      case Ev.UserRegionEnd:
        return this.region(typ === Ev.UserRegionBegin);
      case Ev.GoSwitch:
      case Ev.GoSwitchDestroy:
        return this.goSwitch();
      case Ev.Span:
      case Ev.SpanAlloc:
      case Ev.SpanFree:
      case Ev.HeapObject:
      case Ev.HeapObjectAlloc:
      case Ev.HeapObjectFree:
      case Ev.GoroutineStack:
      case Ev.GoroutineStackAlloc:
      case Ev.GoroutineStackFree:
        this.validate(MUST, MAY, MAY);
        this.emit();
        return true;
      default:
        throw new Error(`bad event type found while ordering: ${typ}`);
    }
  }

  private procStatus(): boolean {
    const ev = this.ev;
    const pid = ev.a0;
    const status = ev.a1;
    if (status < 0 || status > WireProc.SyscallAbandoned) throw new Error(`invalid status for proc ${pid}: ${status}`);
    const toState = [ProcState.Undetermined, ProcState.Running, ProcState.Idle, ProcState.Running, ProcState.Idle];
    let oldState: number = toState[status];
    const s = this.pStates.get(pid);
    if (s !== undefined) {
      if (status === WireProc.SyscallAbandoned && s.status === WireProc.Syscall) {
        // The proc was in a syscall that its thread abandoned at the generation boundary: the
        // event reads as Syscall, but `status` stays SyscallAbandoned for what follows (as in
        // Go's order.go), so the proc is not bound to this thread and the event is emitted on
        // the thread that owns it, about to lose it to a ProcSteal.
        oldState = ProcState.Running;
        ev.a1 = WireProc.Syscall;
      } else if (status === WireProc.SyscallAbandoned && s.status === WireProc.SyscallAbandoned) {
        oldState = ProcState.Idle;
        ev.a1 = status;
      } else if (s.status !== status) {
        throw new Error(`inconsistent status for proc ${pid}: old ${WIRE_PROC_NAMES[s.status]} vs. new ${WIRE_PROC_NAMES[status]}`);
      }
      s.seqGen = this.gen;
      s.seq = 0;
    } else {
      this.pStates.set(pid, new PState(pid, status, this.gen, 0));
      oldState = this.gen === this.initialGen ? ProcState.Undetermined : ProcState.NotExist;
    }
    ev.x0 = oldState;
    if (status === WireProc.Running || status === WireProc.Syscall) this.np = pid;
    let g = this.cg;
    let p = this.cp;
    let m = this.cm;
    if (status === WireProc.SyscallAbandoned && oldState === ProcState.Running) {
      // Emit the event in the context of the thread that owned the proc, about to lose it.
      let found = false;
      for (const [mid, ms] of this.mStates) {
        if (ms.p === pid) {
          m = mid;
          p = pid;
          g = ms.g;
          found = true;
        }
      }
      if (!found) throw new Error(`failed to find sched context for proc ${pid} that's about to be stolen`);
    }
    this.emit(g, p, m);
    return true;
  }

  private procStart(): boolean {
    const pid = this.ev.a0;
    const s = this.pStates.get(pid);
    if (s === undefined || s.status !== WireProc.Idle || !this.succeeds(s.seqGen, s.seq, this.gen, this.ev.a1) || this.cp !== NONE) {
      return false;
    }
    this.validate(MUST, MUST_NOT, MAY);
    s.status = WireProc.Running;
    s.seq = this.ev.a1;
    this.np = pid;
    this.emit();
    return true;
  }

  private procStop(): boolean {
    const s = this.pStates.get(this.cp);
    if (s === undefined) throw new Error(`event ${eventName(this.ev.wireType)} for proc (${this.cp}) that doesn't exist`);
    if (s.status !== WireProc.Running && s.status !== WireProc.Syscall) {
      throw new Error(`${eventName(this.ev.wireType)} event for proc that's not Running or Syscall`);
    }
    this.validate(MUST, MUST, MAY);
    s.status = WireProc.Idle;
    this.np = NONE;
    this.emit();
    return true;
  }

  private procSteal(): boolean {
    const ev = this.ev;
    const pid = ev.a0;
    const s = this.pStates.get(pid);
    if (
      s === undefined ||
      (s.status !== WireProc.Syscall && s.status !== WireProc.SyscallAbandoned) ||
      !this.succeeds(s.seqGen, s.seq, this.gen, ev.a1)
    ) {
      return false;
    }
    this.validate(MUST, MAY, MAY);
    const old = s.status;
    ev.x0 = old;
    s.status = WireProc.Idle;
    s.seq = ev.a1;
    if (old === WireProc.SyscallAbandoned) {
      this.emit();
      return true;
    }
    const mid = ev.a2;
    if (mid === this.cm) {
      if (this.cp !== pid) throw new Error(`tried to self-steal proc ${pid} (thread ${mid}), but got proc ${this.cp} instead`);
      this.np = NONE;
      this.emit();
      return true;
    }
    const ms = this.mStates.get(mid);
    if (ms === undefined) throw new Error(`stole proc from non-existent thread ${mid}`);
    if (ms.p !== pid) throw new Error(`tried to steal proc ${pid} from thread ${mid}, but got proc ${ms.p} instead`);
    ms.p = NONE;
    this.emit();
    return true;
  }

  private goStatus(): boolean {
    const ev = this.ev;
    const gid = ev.a0;
    const mid = ev.a1;
    const status = ev.a2;
    if (status < 0 || status > WireGo.Waiting) throw new Error(`invalid status for goroutine ${gid}: ${status}`);
    const toState = [GoState.Undetermined, GoState.Runnable, GoState.Running, GoState.Syscall, GoState.Waiting];
    let oldState: number = toState[status];
    const s = this.gStates.get(gid);
    if (s !== undefined) {
      if (s.status !== status) {
        throw new Error(`inconsistent status for goroutine ${gid}: old ${WIRE_GO_NAMES[s.status]} vs. new ${WIRE_GO_NAMES[status]}`);
      }
      s.seqGen = this.gen;
      s.seq = 0;
    } else if (this.gen === this.initialGen) {
      this.gStates.set(gid, new GState(gid, status, this.gen, 0));
      oldState = GoState.Undetermined;
    } else {
      throw new Error(`found goroutine status for new goroutine after the first generation: id=${gid} status=${WIRE_GO_NAMES[status]}`);
    }
    ev.x0 = oldState;
    let g = this.cg;
    let m = this.cm;
    if (status === WireGo.Running) {
      this.ng = gid;
    } else if (status === WireGo.Syscall) {
      if (mid === NONE) throw new Error(`found goroutine ${gid} in syscall without a thread`);
      if (mid === this.cm) {
        if (this.gen !== this.initialGen && this.cg !== gid) {
          throw new Error(`inconsistent thread for syscalling goroutine ${gid}: thread has goroutine ${this.cg}`);
        }
        this.ng = gid;
      } else {
        const ms = this.mStates.get(mid);
        if (ms !== undefined) {
          if (ms.g !== gid) throw new Error(`inconsistent thread for syscalling goroutine ${gid}: thread has goroutine ${ms.g}`);
          g = ms.g;
        } else {
          this.mStates.set(mid, { g: gid, p: NONE });
        }
        m = mid;
      }
    }
    this.emit(g, this.cp, m);
    return true;
  }

  private goCreate(): boolean {
    this.validate(MUST, MUST, MAY);
    const cur = this.gStates.get(this.cg);
    if (cur !== undefined && cur.status !== WireGo.Running) {
      throw new Error(`${eventName(this.ev.wireType)} event for goroutine that's not Running`);
    }
    const id = this.ev.a0;
    if (this.gStates.has(id)) throw new Error(`tried to create goroutine (${id}) that already exists`);
    const status = this.ev.wireType === Ev.GoCreateBlocked ? WireGo.Waiting : WireGo.Runnable;
    this.gStates.set(id, new GState(id, status, this.gen, 0));
    this.emit();
    return true;
  }

  private goState(): GState {
    const s = this.gStates.get(this.cg);
    if (s === undefined) throw new Error(`event ${eventName(this.ev.wireType)} for goroutine (${this.cg}) that doesn't exist`);
    return s;
  }

  private goStopExec(): boolean {
    this.validateUser();
    const s = this.goState();
    if (s.status !== WireGo.Running) throw new Error(`${eventName(this.ev.wireType)} event for goroutine that's not Running`);
    switch (this.ev.wireType) {
      case Ev.GoDestroy:
        this.gStates.delete(this.cg);
        break;
      case Ev.GoStop:
        s.status = WireGo.Runnable;
        break;
      default:
        s.status = WireGo.Waiting;
    }
    this.ng = NONE;
    this.emit();
    return true;
  }

  private goStart(): boolean {
    const gid = this.ev.a0;
    const s = this.gStates.get(gid);
    if (s === undefined || s.status !== WireGo.Runnable || !this.succeeds(s.seqGen, s.seq, this.gen, this.ev.a1)) return false;
    this.validate(MUST, MUST, MUST_NOT);
    s.status = WireGo.Running;
    s.seq = this.ev.a1;
    this.ng = gid;
    this.emit();
    return true;
  }

  private goUnblock(): boolean {
    const gid = this.ev.a0;
    const s = this.gStates.get(gid);
    if (s === undefined || s.status !== WireGo.Waiting || !this.succeeds(s.seqGen, s.seq, this.gen, this.ev.a1)) return false;
    s.status = WireGo.Runnable;
    s.seq = this.ev.a1;
    this.emit();
    return true;
  }

  private goSwitch(): boolean {
    this.validateUser();
    const cur = this.goState();
    if (cur.status !== WireGo.Running) throw new Error(`${eventName(this.ev.wireType)} event for goroutine that's not Running`);
    const next = this.ev.a0;
    const seq = this.ev.a1;
    const ns = this.gStates.get(next);
    if (ns === undefined || ns.status !== WireGo.Waiting || !this.succeeds(ns.seqGen, ns.seq, this.gen, seq)) return false;
    this.emit();
    // A switch is the current goroutine blocking (or exiting) and the next one starting.
    if (this.ev.wireType === Ev.GoSwitch) {
      cur.status = WireGo.Waiting;
      this.emitMade(Ev.GoBlock, this.cg, this.cp, this.cm);
    } else {
      this.gStates.delete(this.cg);
      this.emitMade(Ev.GoDestroy, this.cg, this.cp, this.cm);
    }
    ns.status = WireGo.Running;
    ns.seq = seq;
    this.ng = next;
    this.emitMade(Ev.GoStart, NONE, this.cp, this.cm, next, seq);
    return true;
  }

  private goSyscallBegin(): boolean {
    this.validateUser();
    const s = this.goState();
    if (s.status !== WireGo.Running) throw new Error(`${eventName(this.ev.wireType)} event for goroutine that's not Running`);
    s.status = WireGo.Syscall;
    const ps = this.pStates.get(this.cp);
    if (ps === undefined) throw new Error(`uninitialized proc ${this.cp} found during ${eventName(this.ev.wireType)}`);
    ps.status = WireProc.Syscall;
    // The proc's sequence number lets a steal of it be ordered after this event.
    if (!this.succeeds(ps.seqGen, ps.seq, this.gen, this.ev.a0)) {
      throw new Error(`failed to advance ${eventName(this.ev.wireType)}: can't make sequence: ${ps.seq} (gen=${ps.seqGen}) -> ${this.ev.a0} (gen=${this.gen})`);
    }
    ps.seq = this.ev.a0;
    this.emit();
    return true;
  }

  private goSyscallEnd(): boolean {
    this.validateUser();
    const s = this.goState();
    if (s.status !== WireGo.Syscall) throw new Error(`${eventName(this.ev.wireType)} event for goroutine that's not Running`);
    s.status = WireGo.Running;
    const ps = this.pStates.get(this.cp);
    if (ps === undefined) throw new Error(`uninitialized proc ${this.cp} found during ${eventName(this.ev.wireType)}`);
    if (ps.status !== WireProc.Syscall) {
      throw new Error(`expected proc ${this.cp} in state Syscall, but got ${WIRE_PROC_NAMES[ps.status]} instead`);
    }
    ps.status = WireProc.Running;
    this.emit();
    return true;
  }

  private goSyscallEndBlocked(): boolean {
    if (this.cp !== NONE) {
      const ps = this.pStates.get(this.cp);
      if (ps === undefined) throw new Error(`uninitialized proc ${this.cp} found during ${eventName(this.ev.wireType)}`);
      // Wait until the proc is stolen (or the thread's own ProcSteal is seen).
      if (ps.status === WireProc.Syscall) return false;
    }
    this.validate(MUST, MAY, MUST);
    const s = this.goState();
    if (s.status !== WireGo.Syscall) throw new Error(`${eventName(this.ev.wireType)} event for goroutine that's not Running`);
    this.ng = NONE;
    s.status = WireGo.Runnable;
    this.emit();
    return true;
  }

  private goCreateSyscall(): boolean {
    this.validate(MUST, MAY, MUST_NOT);
    const id = this.ev.a0;
    if (this.gStates.has(id)) throw new Error(`tried to create goroutine (${id}) in syscall that already exists`);
    this.gStates.set(id, new GState(id, WireGo.Syscall, this.gen, 0));
    this.ng = id;
    this.emit();
    return true;
  }

  private goDestroySyscall(): boolean {
    this.validate(MUST, MAY, MUST);
    const s = this.goState();
    if (s.status !== WireGo.Syscall) throw new Error(`${eventName(this.ev.wireType)} event for goroutine that's not Syscall`);
    this.gStates.delete(this.cg);
    this.ng = NONE;
    if (this.cp !== NONE) {
      const ps = this.pStates.get(this.cp);
      if (ps === undefined) throw new Error(`found invalid proc ${this.cp} during ${eventName(this.ev.wireType)}`);
      if (ps.status !== WireProc.Syscall) {
        throw new Error(`proc ${this.cp} in unexpected state ${WIRE_PROC_NAMES[ps.status]} during ${eventName(this.ev.wireType)}`);
      }
      // The thread gives its proc up: an implied steal by nobody.
      ps.status = WireProc.SyscallAbandoned;
      this.np = NONE;
      const steal = this.emitMade(Ev.ProcSteal, this.cg, this.cp, this.cm, this.cp);
      steal.x0 = WireProc.Syscall;
    }
    this.emit();
    return true;
  }

  private taskBegin(): boolean {
    const ev = this.ev;
    const id = ev.a0;
    if (this.activeTasks.has(id)) throw new Error(`task ID conflict: ${id}`);
    if (ev.a1 === 0) ev.a1 = NO_TASK; // the background task as parent means none
    const name = this.ctx.gen?.getString(ev.a2);
    if (name === undefined) throw new Error(`invalid string ID ${ev.a2} for ${ev.wireType} event`);
    this.activeTasks.set(id, { name, parent: ev.a1 });
    this.validateUser();
    this.emit();
    return true;
  }

  private taskEnd(): boolean {
    const ev = this.ev;
    const t = this.activeTasks.get(ev.a0);
    if (t !== undefined) {
      ev.x0 = t.parent;
      ev.str = t.name;
      this.activeTasks.delete(ev.a0);
    } else {
      ev.x0 = NO_TASK;
      ev.str = "";
    }
    this.validateUser();
    this.emit();
    return true;
  }

  private region(begin: boolean): boolean {
    this.validateUser();
    const ev = this.ev;
    const name = this.ctx.gen?.getString(ev.a1);
    if (name === undefined) throw new Error(`invalid string ID ${ev.a1} for ${ev.wireType} event`);
    const s = this.gStates.get(this.cg);
    if (s === undefined) {
      throw new Error(`encountered ${begin ? "EvUserRegionBegin" : "EvUserRegionEnd"} without known state for current goroutine ${this.cg}`);
    }
    if (begin) {
      s.regions.push({ task: ev.a0, name });
    } else if (s.regions.length > 0) {
      // An end with no begin is fine: the region began before the trace did.
      const top = s.regions[s.regions.length - 1];
      if (top.task !== ev.a0 || top.name !== name) {
        throw new Error(
          `misuse of region in goroutine ${s.id}: region end {${ev.a0} ${name}} when the inner-most active region start event is {${top.task} ${top.name}}`,
        );
      }
      s.regions.pop();
    }
    this.emit();
    return true;
  }

  private gcActive(): boolean {
    const seq = this.ev.a0;
    if (this.gen === this.initialGen) {
      if (this.gcState !== GC_UNDETERMINED) throw new Error("GCActive in the first generation isn't first GC event");
      this.gcSeq = seq;
      this.gcState = GC_RUNNING;
      this.emit();
      return true;
    }
    if (seq !== this.gcSeq + 1) return false;
    if (this.gcState !== GC_RUNNING) throw new Error("encountered GCActive while GC was not in progress");
    this.gcSeq = seq;
    this.validateUser();
    this.emit();
    return true;
  }

  private gcBegin(): boolean {
    const seq = this.ev.a0;
    if (this.gcState === GC_UNDETERMINED) {
      this.gcSeq = seq;
      this.gcState = GC_RUNNING;
      this.emit();
      return true;
    }
    if (seq !== this.gcSeq + 1) return false;
    if (this.gcState === GC_RUNNING) throw new Error("encountered GCBegin while GC was already in progress");
    this.gcSeq = seq;
    this.gcState = GC_RUNNING;
    this.validateUser();
    this.emit();
    return true;
  }

  private gcEnd(): boolean {
    const seq = this.ev.a0;
    if (seq !== this.gcSeq + 1) return false;
    if (this.gcState === GC_NOT_RUNNING) throw new Error("encountered GCEnd when GC was not in progress");
    if (this.gcState === GC_UNDETERMINED) throw new Error("encountered GCEnd when GC was in an undetermined state");
    this.gcSeq = seq;
    this.gcState = GC_NOT_RUNNING;
    this.validateUser();
    this.emit();
    return true;
  }

  private curProc(): PState {
    const s = this.pStates.get(this.cp);
    if (s === undefined) throw new Error(`${eventName(this.ev.wireType)} for proc ${this.cp} without a known state`);
    return s;
  }

  private sweepBegin(): boolean {
    this.validate(MUST, MUST, MAY);
    this.curProc().begin(Ev.GCSweepBegin, 0);
    this.emit();
    return true;
  }

  private sweepActive(): boolean {
    const pid = this.ev.a0;
    const s = this.pStates.get(pid);
    if (s === undefined) throw new Error(`encountered GCSweepActive for unknown proc ${pid}`);
    s.active(Ev.GCSweepBegin, this.gen === this.initialGen);
    this.emit();
    return true;
  }

  private sweepEnd(): boolean {
    this.validate(MUST, MUST, MAY);
    this.curProc().end(this.ev.wireType);
    this.emit();
    return true;
  }

  private goRangeBegin(): boolean {
    this.validateUser();
    const typ = this.ev.wireType;
    const desc = typ === Ev.STWBegin ? this.ev.a0 : 0;
    const s = this.gStates.get(this.cg);
    if (s === undefined) throw new Error(`encountered event of type ${typ} without known state for current goroutine ${this.cg}`);
    s.begin(typ, desc);
    this.emit();
    return true;
  }

  private goRangeActive(): boolean {
    const gid = this.ev.a0;
    const s = this.gStates.get(gid);
    if (s === undefined) throw new Error(`uninitialized goroutine ${gid} found during ${eventName(this.ev.wireType)}`);
    s.active(Ev.GCMarkAssistBegin, this.gen === this.initialGen);
    this.emit();
    return true;
  }

  private goRangeEnd(): boolean {
    this.validateUser();
    const typ = this.ev.wireType;
    const s = this.gStates.get(this.cg);
    if (s === undefined) throw new Error(`encountered event of type ${typ} without known state for current goroutine ${this.cg}`);
    const desc = s.end(typ);
    // STWEnd carries no kind on the wire: it takes its begin's.
    if (typ === Ev.STWEnd) this.ev.a0 = desc;
    this.emit();
    return true;
  }
}

