// One pass over the events building what the timeline page draws (model.ts): goroutine
// runs per P, GC mark phases and stop-the-world pauses, per-group state histograms, user
// tasks and regions. Memory is bounded: P lanes merge sub-resolution runs as they grow
// (lanes.ts), histograms have fixed buckets (states.ts), tasks/regions keep the longest.

import { EventKind, GoState, ResourceKind, type TraceEvent, type TraceTables } from "../model/event.js";
import { ProcLane } from "./lanes.js";
import type { Bands, GroupLane, Intervals, ProcSpans, TimelineData } from "./model.js";
import { CAT_RUNNABLE, CAT_RUNNING, CAT_SYSCALL, MAX_CATEGORIES, StateHistograms } from "./states.js";

/** The initial view is about this many resolution steps wide (a few times a screen's pixels). */
export const LOD_COLUMNS = 8192;
/** a trace with at most this many runs (none merged while reading) keeps every run */
export const SPAN_BUDGET = 100_000;
/** a lane compacts when it holds this many spans */
const LANE_SPANS = 1 << 17;
const MAX_INTERVALS = 50_000;
const GROUP_LANES = 10;
const TASK_ROWS = 8;
const REGION_ROWS = 12;
const MARK_PHASE = "GC concurrent mark phase";
const STW_PREFIX = "stop-the-world (";

interface GState {
  name: number; // group index, -1 unknown yet
  cat: number; // -1 none (not existing)
  since: number;
  runProc: number; // -1 not running
  runSince: number;
  regions: { start: number; type: string }[];
}

class BandBuilder {
  readonly start: number[] = [];
  readonly end: number[] = [];
  readonly name: number[] = [];
  readonly before: number[] = [];
  readonly names: string[] = [];
  private readonly open = new Map<string, { start: number; name: string; before: boolean }>();

  begin(key: string, name: string, t: number, before: boolean): void {
    if (before && this.open.has(key)) return; // already seen begin
    this.open.set(key, { start: t, name, before });
  }

  finish(key: string, t: number): void {
    const o = this.open.get(key);
    if (o === undefined) {
      return; // begun before the trace and never seen active: Go's reader reports it active first
    }
    this.open.delete(key);
    this.push(o.start, t, o.name, o.before);
  }

  private push(start: number, end: number, name: string, before: boolean): void {
    let k = this.names.indexOf(name);
    if (k < 0) k = this.names.push(name) - 1;
    this.start.push(start);
    this.end.push(end);
    this.name.push(k);
    this.before.push(before ? 1 : 0);
  }

  close(t: number): Bands {
    for (const [, o] of this.open) this.push(o.start, t, o.name, o.before);
    this.open.clear();
    const order = this.start.map((_, i) => i).sort((a, b) => this.start[a] - this.start[b]);
    return {
      start: Float64Array.from(order, (i) => this.start[i]),
      end: Float64Array.from(order, (i) => this.end[i]),
      name: Uint16Array.from(order, (i) => this.name[i]),
      before: Uint8Array.from(order, (i) => this.before[i]),
      names: this.names,
    };
  }
}

class IntervalBuilder {
  start: number[] = [];
  end: number[] = [];
  id: number[] = [];
  type: number[] = [];
  dropped = 0;
  readonly types: string[] = [];
  private readonly typeIndex = new Map<string, number>();

  push(start: number, end: number, id: number, type: string): void {
    let k = this.typeIndex.get(type);
    if (k === undefined) {
      k = this.types.push(type) - 1;
      this.typeIndex.set(type, k);
    }
    this.start.push(start);
    this.end.push(end);
    this.id.push(id);
    this.type.push(k);
    if (this.start.length >= 2 * MAX_INTERVALS) this.prune();
  }

  /** keep the MAX_INTERVALS longest */
  private prune(): void {
    const idx = this.start.map((_, i) => i).sort((a, b) => this.end[b] - this.start[b] - (this.end[a] - this.start[a]));
    const keep = idx.slice(0, MAX_INTERVALS);
    this.dropped += idx.length - keep.length;
    this.start = keep.map((i) => this.start[i]);
    this.end = keep.map((i) => this.end[i]);
    this.id = keep.map((i) => this.id[i]);
    this.type = keep.map((i) => this.type[i]);
  }

  close(maxRows: number): Intervals {
    if (this.start.length > MAX_INTERVALS) this.prune();
    const order = this.start.map((_, i) => i).sort((a, b) => this.start[a] - this.start[b] || this.end[b] - this.end[a]);
    // Greedy rows: the first row free at the start; when all are taken, the one freed first.
    const rowEnd: number[] = [];
    const row = new Uint8Array(order.length);
    order.forEach((i, k) => {
      let r = rowEnd.findIndex((e) => e <= this.start[i]);
      if (r < 0 && rowEnd.length < maxRows) r = rowEnd.push(0) - 1;
      if (r < 0) r = rowEnd.indexOf(Math.min(...rowEnd));
      rowEnd[r] = Math.max(rowEnd[r], this.end[i]);
      row[k] = r;
    });
    return {
      start: Float64Array.from(order, (i) => this.start[i]),
      end: Float64Array.from(order, (i) => this.end[i]),
      id: Int32Array.from(order, (i) => this.id[i]),
      type: Uint16Array.from(order, (i) => this.type[i]),
      row,
      rows: rowEnd.length,
      types: this.types,
      dropped: this.dropped,
    };
  }
}

export class TimelineBuilder {
  private origin = NaN;
  private last = 0;
  private syncT = 0;
  private readonly gs = new Map<number, GState>();
  private readonly lanes = new Map<number, ProcLane>();
  private readonly groupNames: string[] = [];
  private readonly groupIndex = new Map<string, number>();
  private readonly groupExec: number[] = [];
  private readonly groupMembers: number[] = [];
  private readonly hist = new StateHistograms();
  private readonly gc = new BandBuilder();
  private readonly stw = new BandBuilder();
  private readonly tasks = new IntervalBuilder();
  private readonly regions = new IntervalBuilder();
  private readonly openTasks = new Map<number, { start: number; type: string }>();
  private tables: TraceTables | null = null;

  event(ev: TraceEvent, tables: TraceTables): void {
    this.tables = tables;
    if (Number.isNaN(this.origin)) this.origin = ev.time;
    const t = ev.time - this.origin;
    this.last = t;
    switch (ev.kind) {
      case EventKind.Sync:
        this.syncT = t;
        break;
      case EventKind.StateTransition:
        this.transition(ev, t, tables);
        break;
      case EventKind.RangeBegin:
      case EventKind.RangeActive: {
        const r = ev.range();
        const before = ev.kind === EventKind.RangeActive;
        const key = `${r.name}\u0000${r.scope.kind}\u0000${r.scope.id}`;
        if (r.name === MARK_PHASE) this.gc.begin(key, "GC", before ? 0 : t, before);
        else if (r.name.startsWith(STW_PREFIX)) this.stw.begin(key, r.name.slice(STW_PREFIX.length, -1), before ? 0 : t, before);
        break;
      }
      case EventKind.RangeEnd: {
        const r = ev.range();
        const key = `${r.name}\u0000${r.scope.kind}\u0000${r.scope.id}`;
        if (r.name === MARK_PHASE) this.gc.finish(key, t);
        else if (r.name.startsWith(STW_PREFIX)) this.stw.finish(key, t);
        break;
      }
      case EventKind.TaskBegin: {
        const tk = ev.task();
        this.openTasks.set(tk.id, { start: t, type: tk.type });
        break;
      }
      case EventKind.TaskEnd: {
        const tk = ev.task();
        const o = this.openTasks.get(tk.id);
        this.openTasks.delete(tk.id);
        this.tasks.push(o ? o.start : 0, t, tk.id, o ? o.type : tk.type);
        break;
      }
      case EventKind.RegionBegin: {
        const g = this.g(ev.goroutine);
        g?.regions.push({ start: t, type: ev.region().type });
        break;
      }
      case EventKind.RegionEnd: {
        const g = this.g(ev.goroutine);
        if (g === undefined) break;
        const o = g.regions.pop();
        this.regions.push(o ? o.start : 0, t, ev.goroutine, o ? o.type : ev.region().type);
        break;
      }
    }
  }

  private g(id: number): GState | undefined {
    if (id < 0) return undefined;
    let g = this.gs.get(id);
    if (g === undefined) {
      g = { name: -1, cat: -1, since: 0, runProc: -1, runSince: 0, regions: [] };
      this.gs.set(id, g);
    }
    return g;
  }

  private lane(p: number): ProcLane {
    let l = this.lanes.get(p);
    if (l === undefined) this.lanes.set(p, (l = new ProcLane(p)));
    return l;
  }

  private group(name: string): number {
    let k = this.groupIndex.get(name);
    if (k === undefined) {
      k = this.groupNames.push(name) - 1;
      this.groupIndex.set(name, k);
      this.groupExec.push(0);
      this.groupMembers.push(0);
    }
    return k;
  }

  private readonly groupOfG = (id: number): number => {
    const g = this.gs.get(id);
    return g === undefined || g.name < 0 ? this.group("") : g.name;
  };

  private transition(ev: TraceEvent, t: number, tables: TraceTables): void {
    const st = ev.stateTransition();
    if (st.resource.kind === ResourceKind.Proc) {
      this.lane(st.resource.id);
      return;
    }
    if (st.resource.kind !== ResourceKind.Goroutine || st.from === st.to) return;
    const id = st.resource.id;
    const g = this.g(id)!;
    // Named by the root frame of the first stack seen, as go tool trace groups goroutines.
    if (g.name < 0 && st.stack !== 0) {
      const fr = tables.frames(st.stack);
      if (fr.length > 0) {
        g.name = this.group(fr[fr.length - 1].func);
        this.groupMembers[g.name]++;
      }
    }
    // Not yet named: its time so far goes to the unnamed group; it is named when a stack shows.
    const grp = () => (g.name < 0 ? this.group("") : g.name);
    // Close the state it leaves. A goroutine first seen at a generation start has been in
    // its new state since the sync (as go tool trace counts it): `since` below.
    if (st.from !== GoState.Undetermined && g.cat >= 0) this.hist.add(grp(), g.cat, g.since, t);
    if (st.from === GoState.Running && g.runProc >= 0) {
      const l = this.lane(g.runProc);
      l.push(g.runSince, t, id, st.stack);
      this.groupExec[grp()] += t - g.runSince;
      if (l.n >= LANE_SPANS) {
        // the final resolution is at least duration / LOD_COLUMNS: merging up to t / LOD_COLUMNS loses nothing
        l.compact(Math.max(l.resolution, t / LOD_COLUMNS), this.groupOfG);
        while (l.n > LANE_SPANS / 2) l.compact(l.resolution * 2, this.groupOfG);
      }
      g.runProc = -1;
    }
    g.cat = this.category(st.to, st.reason);
    g.since = st.from === GoState.Undetermined ? this.syncT : t;
    if (st.to === GoState.Running && ev.proc >= 0) {
      g.runProc = ev.proc;
      g.runSince = st.from === GoState.Undetermined ? this.syncT : t;
      this.lane(ev.proc);
    }
  }

  private category(s: number, reason: string): number {
    switch (s) {
      case GoState.Running:
        return CAT_RUNNING;
      case GoState.Runnable:
        return CAT_RUNNABLE;
      case GoState.Syscall:
        return CAT_SYSCALL;
      case GoState.Waiting:
        return this.hist.blocked(reason);
      default:
        return -1;
    }
  }

  finish(): TimelineData {
    const end = this.last;
    for (const [id, g] of this.gs) {
      if (g.name < 0) this.groupMembers[this.group("")]++;
      if (g.cat >= 0) this.hist.add(this.groupOfG(id), g.cat, g.since, end);
      if (g.runProc >= 0) {
        this.lane(g.runProc).push(g.runSince, end, id, 0);
        this.groupExec[this.groupOfG(id)] += end - g.runSince;
      }
      for (const r of g.regions) this.regions.push(r.start, end, id, r.type);
    }
    for (const [id, o] of this.openTasks) this.tasks.push(o.start, end, id, o.type);
    const lanes = [...this.lanes.values()];
    // Small traces keep every run (zooming in shows them all); big ones merge what the
    // initial view could not show apart.
    const exact = lanes.every((l) => l.resolution === 0) && lanes.reduce((n, l) => n + l.n, 0) <= SPAN_BUDGET;
    const res = exact ? 0 : Math.max(end / LOD_COLUMNS, ...lanes.map((l) => l.resolution));
    const frames: string[] = [];
    const frameIndex = new Map<number, number>();
    const frameOf = (stack: number): number => {
      if (stack === 0 || this.tables === null) return -1;
      let k = frameIndex.get(stack);
      if (k === undefined) {
        const f = this.tables.frames(stack)[0];
        k = f === undefined ? -1 : frames.push(`${f.func} ${f.file}:${f.line}`) - 1;
        frameIndex.set(stack, k);
      }
      return k;
    };
    const procs: ProcSpans[] = lanes
      .sort((a, b) => a.proc - b.proc)
      .map((l) => {
        if (res > 0) l.compact(res, this.groupOfG);
        const n = l.n;
        const group = new Uint16Array(n);
        const frame = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          group[i] = l.goroutine[i] < 0 ? l.group[i] : this.groupOfG(l.goroutine[i]);
          frame[i] = l.goroutine[i] < 0 ? -1 : frameOf(l.stack[i]);
        }
        return {
          proc: l.proc,
          start: l.start.slice(0, n),
          end: l.end.slice(0, n),
          goroutine: l.goroutine.slice(0, n),
          group,
          frame,
          runs: l.runs.slice(0, n),
          busy: l.busy.slice(0, n),
        };
      });
    const buckets = this.hist.used(end);
    const top = this.groupExec
      .map((ns, i) => ({ ns, i }))
      .filter((x) => x.ns > 0 && this.hist.hist[x.i] !== undefined)
      .sort((a, b) => b.ns - a.ns || a.i - b.i)
      .slice(0, GROUP_LANES);
    const groupLanes: GroupLane[] = top.map(({ i }) => this.groupLane(i, buckets));
    return {
      durationNs: end,
      originNs: Number.isNaN(this.origin) ? 0 : this.origin,
      resolutionNs: res,
      procs,
      gc: this.gc.close(end),
      stw: this.stw.close(end),
      groups: this.groupNames.map((name, i) => ({ name, execNs: this.groupExec[i], goroutines: this.groupMembers[i] })),
      categories: this.hist.categories,
      bucketNs: this.hist.width,
      buckets,
      groupLanes,
      tasks: this.tasks.close(TASK_ROWS),
      regions: this.regions.close(REGION_ROWS),
      frames,
    };
  }

  /** mean goroutines of group i in each state per bucket (time in state / bucket width) */
  private groupLane(i: number, buckets: number): GroupLane {
    const h = this.hist.hist[i];
    const cats: number[] = [];
    for (let c = 0; c < MAX_CATEGORIES; c++) {
      for (let b = 0; b < buckets; b++) {
        if (h[b * MAX_CATEGORIES + c] > 0) {
          cats.push(c);
          break;
        }
      }
    }
    const counts = new Float32Array(buckets * cats.length);
    let max = 0;
    for (let b = 0; b < buckets; b++) {
      let sum = 0;
      cats.forEach((c, k) => {
        const v = h[b * MAX_CATEGORIES + c] / this.hist.width;
        counts[b * cats.length + k] = v;
        sum += v;
      });
      if (sum > max) max = sum;
    }
    return { group: i, cats, counts, max };
  }
}
