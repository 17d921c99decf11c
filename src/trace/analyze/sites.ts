// Where in the program things happen, for diagnose to name a user function: the stacks
// mark assists began at (the allocation that was made to help the GC), and the stacks
// user tasks and regions were opened at (runtime/trace NewTask, StartRegion/WithRegion).

import { AssistWork } from "./assist-work.js";
import { EventKind, ResourceKind, type StackFrame, type TraceEvent, type TraceTables } from "../model/event.js";

export interface AssistSite {
  /** the stack the assist began at, innermost first */
  stack: readonly StackFrame[];
  /** complete assists that began there */
  count: number;
  /** their total duration (begin to end: includes time the goroutine was not running) */
  totalNs: number;
  /** the part of it the goroutine ran, was runnable or waited for mark work (assist-work.ts) */
  workNs: number;
}

export interface TraceSites {
  /** by assist work time (then total time), highest first */
  assists: AssistSite[];
  /** task type -> the stack its first TaskBegin was emitted at */
  taskStacks: Map<string, readonly StackFrame[]>;
  /** region type -> the stack its first RegionBegin was emitted at */
  regionStacks: Map<string, readonly StackFrame[]>;
  /** region type -> the types of the tasks its instances were opened in (tasks begun in the trace) */
  regionTasks: Map<string, Set<string>>;
}

const ASSIST = "GC mark assist";
/** distinct assist stacks kept: a hostile trace cannot grow this without bound */
const MAX_ASSIST_STACKS = 4096;

export class SiteCollector {
  private readonly open = new Map<number, { t: number; stack: number; work: number }>();
  private readonly byStack = new Map<number, { count: number; totalNs: number; workNs: number }>();
  private readonly work = new AssistWork();
  private readonly tasks = new Map<string, number>();
  private readonly regions = new Map<string, number>();
  private readonly taskType = new Map<number, string>();
  private readonly regionTasks = new Map<string, Set<string>>();

  event(ev: TraceEvent): void {
    this.work.event(ev);
    switch (ev.kind) {
      case EventKind.RangeBegin: {
        const r = ev.range();
        if (r.name === ASSIST && r.scope.kind === ResourceKind.Goroutine) {
          this.open.set(r.scope.id, { t: ev.time, stack: ev.stack, work: this.work.workNs(r.scope.id) });
        }
        break;
      }
      case EventKind.RangeEnd: {
        const r = ev.range();
        if (r.name !== ASSIST || r.scope.kind !== ResourceKind.Goroutine) break;
        const o = this.open.get(r.scope.id);
        if (!o) break; // begun before the trace
        this.open.delete(r.scope.id);
        let s = this.byStack.get(o.stack);
        if (!s) {
          if (this.byStack.size >= MAX_ASSIST_STACKS) break;
          this.byStack.set(o.stack, (s = { count: 0, totalNs: 0, workNs: 0 }));
        }
        s.count++;
        s.totalNs += ev.time - o.t;
        s.workNs += this.work.workNs(r.scope.id) - o.work;
        break;
      }
      case EventKind.TaskBegin: {
        const task = ev.task();
        this.taskType.set(task.id, task.type);
        if (!this.tasks.has(task.type) && ev.stack !== 0) this.tasks.set(task.type, ev.stack);
        break;
      }
      case EventKind.TaskEnd:
        this.taskType.delete(ev.task().id); // regions open after their task ended are not its
        break;
      case EventKind.RegionBegin: {
        const r = ev.region();
        if (!this.regions.has(r.type) && ev.stack !== 0) this.regions.set(r.type, ev.stack);
        const tt = this.taskType.get(r.task);
        if (tt !== undefined) {
          let set = this.regionTasks.get(r.type);
          if (!set) this.regionTasks.set(r.type, (set = new Set()));
          set.add(tt);
        }
        break;
      }
    }
  }

  finish(tables: TraceTables): TraceSites {
    const assists = [...this.byStack].map(([id, s]) => ({ stack: tables.frames(id), ...s }));
    assists.sort((a, b) => b.workNs - a.workNs || b.totalNs - a.totalNs);
    const frames = (m: Map<string, number>) => new Map([...m].map(([k, id]) => [k, tables.frames(id)] as const));
    return { assists, taskStacks: frames(this.tasks), regionStacks: frames(this.regions), regionTasks: this.regionTasks };
  }
}
