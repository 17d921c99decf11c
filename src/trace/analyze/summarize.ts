// Per-goroutine time accounting over the event stream, with the semantics of go tool
// trace's summarizer (internal/trace/summary.go; read, not copied): the same
// categories, the same treatment of goroutines already running when the trace starts
// (their time counts from the last sync), of syscalls that lose their P, of ranges and
// of user regions (a region's stats are its goroutine's stats at the end minus those at
// the start). godiag additionally keeps each complete scheduler wait for latency
// distributions and the stack a goroutine was created with.

import { EventKind, GoState, NO_PROC, ProcState, ResourceKind, type StateTransition, type TraceEvent, type TraceTables } from "../model/event.js";
import { addTo, cloneStats, emptyStats, subStats, type ExecStats } from "./exec-stats.js";
import { F64List } from "./f64-list.js";
import { GState, UNSET, type GoroutineSummary, type RegionSummary } from "./goroutine-summary.js";
import { GoroutineTable, type GoRecord } from "./goroutine-table.js";

export type { GoroutineSummary, RegionSummary } from "./goroutine-summary.js";

export interface TaskSummary {
  id: number;
  type: string;
  parent: number;
  startNs: number;
  endNs: number;
  regions: RegionSummary[];
  logs: number;
  goroutines: Set<number>;
}

/** Moves the block time summed for one reason into the goroutine's stats. */
function flushBlock(s: GState): void {
  if (s.blockCacheReason === null) return;
  addTo(s.g.stats.blockNs, s.blockCacheReason, s.blockCacheNs);
  s.blockCacheReason = null;
  s.blockCacheNs = -0;
}

/** Go's IsSystemGoroutine: runtime.* start functions except runtime.main, and unnamed ones. */
export function isSystemGoroutine(name: string): boolean {
  return name === "" || (name !== "runtime.main" && name.startsWith("runtime."));
}

export class Summarizer {
  /** every goroutine's state, in order of first sight, for the final pass */
  private readonly all: GState[] = [];
  readonly tasks = new Map<number, TaskSummary>();
  private readonly syscallingP = new Map<number, number>();
  private readonly syscallingG = new Map<number, number>();
  private readonly rangesP = new Map<string, number>();
  private lastTs = UNSET;
  private syncTs = UNSET;

  /** table: the goroutine records shared with the other analyses of the pass (report.ts) */
  constructor(private readonly table: GoroutineTable = new GoroutineTable()) {}

  /** goroutine id -> its state (a goroutine's state lives in the shared record) */
  private sg(id: number): GState | undefined {
    return this.table.get(id)?.sum ?? undefined;
  }

  event(ev: TraceEvent, tables: TraceTables): void {
    if (ev.kind === EventKind.StateTransition) {
      const st = ev.stateTransition();
      if (st.resource.kind === ResourceKind.Goroutine) this.goTransition(ev, st, this.table.at(st.resource.id), tables);
      else this.otherTransition(ev, st);
      return;
    }
    const t = ev.time;
    if (this.syncTs === UNSET) this.syncTs = t;
    this.lastTs = t;
    switch (ev.kind) {
      case EventKind.Sync:
        this.syncTs = t;
        break;
      case EventKind.RangeBegin:
      case EventKind.RangeActive:
        this.rangeBegin(ev);
        break;
      case EventKind.RangeEnd:
        this.rangeEnd(ev);
        break;
      case EventKind.RegionBegin:
        this.regionBegin(ev);
        break;
      case EventKind.RegionEnd:
        this.regionEnd(ev);
        break;
      case EventKind.TaskBegin:
      case EventKind.TaskEnd: {
        const tk = ev.task();
        const task = this.task(tk.id);
        task.type = tk.type;
        if (ev.goroutine >= 0) task.goroutines.add(ev.goroutine);
        if (ev.kind === EventKind.TaskBegin) task.startNs = t;
        else task.endNs = t;
        if (tk.parent >= 0 && task.parent < 0) task.parent = tk.parent;
        if (tk.parent >= 0) this.task(tk.parent);
        break;
      }
      case EventKind.Log: {
        const task = this.task(ev.log().task);
        task.logs++;
        if (ev.goroutine >= 0) task.goroutines.add(ev.goroutine);
        break;
      }
    }
  }

  private task(id: number): TaskSummary {
    let task = this.tasks.get(id);
    if (!task) {
      task = { id, type: "", parent: -1, startNs: NaN, endNs: NaN, regions: [], logs: 0, goroutines: new Set() };
      this.tasks.set(id, task);
    }
    return task;
  }

  private newG(rec: GoRecord, created: number): GState {
    const id = rec.id;
    const g: GoroutineSummary = {
      id,
      name: "",
      createdNs: created,
      startNs: NaN,
      endNs: NaN,
      createStack: 0,
      firstStack: 0,
      stats: emptyStats(),
      schedWaits: new F64List(),
      regions: [],
    };
    const s = new GState(g);
    const old = rec.sum;
    // An id seen again replaces its summary (as go tool trace's map does).
    if (old) this.all[this.all.indexOf(old)] = s;
    else this.all.push(s);
    rec.sum = s;
    return s;
  }

  /** A proc's (or another resource's) transition. */
  otherTransition(ev: TraceEvent, st: StateTransition): void {
    const t = ev.time;
    if (this.syncTs === UNSET) this.syncTs = t;
    this.lastTs = t;
    if (st.resource.kind === ResourceKind.Proc) {
      // A P going idle while its goroutine is in a syscall: the syscall now blocks.
      if (st.from !== st.to && st.to === ProcState.Idle) {
        const goid = this.syscallingP.get(st.resource.id);
        if (goid !== undefined) {
          const s = this.sg(goid);
          if (s) s.lastSyscallBlock = t;
          this.syscallingP.delete(st.resource.id);
        }
      }
    }
  }

  /** A goroutine's transition; rec is its record. */
  goTransition(ev: TraceEvent, st: StateTransition, rec: GoRecord, tables: TraceTables): void {
    const t = ev.time;
    if (this.syncTs === UNSET) this.syncTs = t;
    this.lastTs = t;
    if (st.from === st.to) return;
    const id = rec.id;
    let s = rec.sum ?? undefined;
    switch (st.from) {
      case GoState.Undetermined: {
        // Seen for the first time at a generation start: it was in `to` since the sync.
        s = this.newG(rec, this.syncTs);
        const g = s.g.stats;
        const d = t - this.syncTs;
        if (st.to === GoState.Running) g.execNs += d;
        else if (st.to === GoState.Waiting) addTo(g.blockNs, st.reason, d);
        else if (st.to === GoState.Runnable) g.schedWaitNs += d;
        else if (st.to === GoState.Syscall) {
          if (ev.proc === NO_PROC) g.syscallBlockNs += d;
          else g.syscallNs += d;
        }
        break;
      }
      case GoState.NotExist: {
        s = this.newG(rec, t);
        s.g.createStack = ev.stack;
        // A goroutine created inside a region inherits its task (a synthetic region).
        const creator = ev.goroutine >= 0 ? this.sg(ev.goroutine) : undefined;
        const top = creator?.active[creator.active.length - 1];
        if (top) {
          s.active.push({
            task: top.task,
            type: "",
            goroutine: id,
            startNs: NaN,
            endNs: NaN,
            stats: emptyStats(),
            inherited: true,
            outermost: false,
          });
        }
        break;
      }
      case GoState.Running:
        if (s && s.lastStart !== UNSET) {
          s.g.stats.execNs += t - s.lastStart;
          s.lastStart = UNSET;
        }
        break;
      case GoState.Waiting:
        if (s && s.lastBlock !== UNSET) {
          // addTo(stats.blockNs, reason, ns), batched: while the reason repeats the time is
          // summed here and only a change of reason (or a snapshot) goes to the Map (two hash
          // lookups a block were a fifth of this analysis).
          if (s.blockCacheReason !== s.lastBlockReason) {
            flushBlock(s);
            s.blockCacheReason = s.lastBlockReason;
          }
          s.blockCacheNs += t - s.lastBlock;
          s.lastBlock = UNSET;
        }
        break;
      case GoState.Runnable:
        if (s && s.lastRunnable !== UNSET) {
          s.g.stats.schedWaitNs += t - s.lastRunnable;
          s.lastRunnable = UNSET;
        }
        if (s && s.waitSince !== UNSET) {
          if (st.to === GoState.Running) {
            // schedWaits.push, inline: V8 did not inline the call here (it profiled on its own).
            const w = s.g.schedWaits;
            if (w.length === w.buf.length) w.grow();
            w.buf[w.length++] = t - s.waitSince;
          }
          s.waitSince = UNSET;
        }
        break;
      case GoState.Syscall:
        if (s && s.lastSyscall !== UNSET) {
          if (s.lastSyscallBlock !== UNSET) {
            s.g.stats.syscallBlockNs += t - s.lastSyscallBlock;
            s.g.stats.syscallNs += s.lastSyscallBlock - s.lastSyscall;
          } else {
            s.g.stats.syscallNs += t - s.lastSyscall;
          }
          s.lastSyscall = UNSET;
          s.lastSyscallBlock = UNSET;
          const p = this.syscallingG.get(id);
          if (p !== undefined) this.syscallingP.delete(p);
          this.syscallingG.delete(id);
        }
        break;
    }
    if (!s) return; // a transition of a goroutine never introduced: nothing to account
    // Name the goroutine by the root frame of the first stack seen for it.
    if (s.g.name === "" && st.stack !== 0) {
      const frames = tables.frames(st.stack);
      if (frames.length > 0) {
        s.g.name = frames[frames.length - 1].func;
        s.g.firstStack = st.stack;
      }
    }
    switch (st.to) {
      case GoState.Running:
        s.lastStart = t;
        if (Number.isNaN(s.g.startNs)) s.g.startNs = t;
        break;
      case GoState.Runnable:
        s.lastRunnable = t;
        if (st.from !== GoState.Undetermined) s.waitSince = t;
        break;
      case GoState.Waiting:
        if (st.reason !== "forever") {
          s.lastBlock = t;
          s.lastBlockReason = st.reason;
          break;
        }
        // Blocked forever counts as the goroutine's end.
        this.finalize(s, t, true);
        break;
      case GoState.NotExist:
        this.finalize(s, t, true);
        break;
      case GoState.Syscall:
        this.syscallingP.set(ev.proc, id);
        this.syscallingG.set(id, ev.proc);
        s.lastSyscall = t;
        break;
    }
  }

  /** The goroutine's stats as if it stopped at `now` (pending intervals closed). */
  private snapshot(s: GState, now: number): ExecStats {
    flushBlock(s);
    const r = cloneStats(s.g.stats);
    if (!s.totalSet && r.totalNs === 0) r.totalNs = now - s.g.createdNs;
    if (s.lastStart !== UNSET) r.execNs += now - s.lastStart;
    if (s.lastRunnable !== UNSET) r.schedWaitNs += now - s.lastRunnable;
    if (s.lastBlock !== UNSET) addTo(r.blockNs, s.lastBlockReason, now - s.lastBlock);
    if (s.lastSyscall !== UNSET) r.syscallNs += now - s.lastSyscall;
    // As go tool trace does: a syscall still blocked at the snapshot counts as scheduler wait.
    if (s.lastSyscallBlock !== UNSET) r.schedWaitNs += now - s.lastSyscallBlock;
    for (const [name, since] of s.lastRange) addTo(r.rangeNs, name, now - since);
    return r;
  }

  private finalize(s: GState, now: number, ended: boolean): void {
    if (ended) s.g.endNs = now;
    const final = this.snapshot(s, now);
    s.g.stats = final;
    if (final.totalNs !== 0) s.totalSet = true;
    // System goroutines never belong to regions, even if created inside one.
    if (!isSystemGoroutine(s.g.name)) {
      for (const r of s.active) {
        r.endNs = ended ? now : NaN;
        r.stats = subStats(final, r.stats);
        s.g.regions.push(r);
      }
    }
    s.resetPending();
  }

  private rangeBegin(ev: TraceEvent): void {
    const r = ev.range();
    let s: GState | undefined;
    if (r.scope.kind === ResourceKind.Goroutine) s = this.sg(r.scope.id);
    else if (r.scope.kind === ResourceKind.Proc) {
      // P-scoped ranges (sweeps) go to the goroutine on the P, if it ends them too.
      s = ev.goroutine >= 0 ? this.sg(ev.goroutine) : undefined;
      if (s) this.rangesP.set(`${r.scope.id}\u0000${r.name}`, ev.goroutine);
    }
    if (!s) return;
    if (ev.kind === EventKind.RangeActive) {
      const since = s.lastRange.get(r.name);
      if (since !== undefined) addTo(s.g.stats.rangeNs, r.name, this.syncTs - since);
      s.lastRange.set(r.name, this.syncTs);
    } else {
      s.lastRange.set(r.name, ev.time);
    }
  }

  private rangeEnd(ev: TraceEvent): void {
    const r = ev.range();
    let s: GState | undefined;
    if (r.scope.kind === ResourceKind.Goroutine) s = this.sg(r.scope.id);
    else if (r.scope.kind === ResourceKind.Proc) {
      const key = `${r.scope.id}\u0000${r.name}`;
      const goid = this.rangesP.get(key);
      if (goid !== undefined) {
        if (goid === ev.goroutine) s = this.sg(goid);
        this.rangesP.delete(key);
      }
    }
    if (!s) return;
    const since = s.lastRange.get(r.name);
    if (since === undefined) return;
    addTo(s.g.stats.rangeNs, r.name, ev.time - since);
    s.lastRange.delete(r.name);
  }

  private regionBegin(ev: TraceEvent): void {
    const s = this.sg(ev.goroutine);
    if (!s) return;
    const rg = ev.region();
    const outermost = !s.active.some((a) => !a.inherited && a.task === rg.task);
    const region: RegionSummary = {
      task: rg.task,
      type: rg.type,
      goroutine: s.g.id,
      startNs: ev.time,
      endNs: NaN,
      stats: this.snapshot(s, ev.time),
      inherited: false,
      outermost,
    };
    s.active.push(region);
    const task = this.task(rg.task);
    task.regions.push(region);
    task.goroutines.add(s.g.id);
  }

  private regionEnd(ev: TraceEvent): void {
    const s = this.sg(ev.goroutine);
    if (!s) return;
    let region = s.active.pop();
    if (!region) {
      // Begun before the trace: its stats are everything the goroutine did so far.
      const rg = ev.region();
      region = {
        task: rg.task,
        type: rg.type,
        goroutine: s.g.id,
        startNs: NaN,
        endNs: NaN,
        stats: emptyStats(),
        inherited: false,
        outermost: true,
      };
      const task = this.task(rg.task);
      task.regions.push(region);
      task.goroutines.add(s.g.id);
    }
    region.stats = subStats(this.snapshot(s, ev.time), region.stats);
    region.endNs = ev.time;
    s.g.regions.push(region);
  }

  /** Close everything still open at the last event; returns goroutines by id. */
  finish(): Map<number, GoroutineSummary> {
    const out = new Map<number, GoroutineSummary>();
    for (const s of this.all) {
      const id = s.g.id;
      this.finalize(s, this.lastTs, false);
      s.g.regions.sort((a, b) => (Number.isNaN(a.startNs) ? -Infinity : a.startNs) - (Number.isNaN(b.startNs) ? -Infinity : b.startNs));
      out.set(id, s.g);
    }
    return out;
  }
}
