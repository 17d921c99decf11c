// One pass over a trace feeding every analysis, and the report they make together.

import { EventKind, ResourceKind, type StackFrame, type TraceEvent, type TraceTables, type TraceVisitor } from "../model/event.js";
import { AssistWork } from "./assist-work.js";
import { concatF64 } from "./f64-list.js";
import { GoroutineTable } from "./goroutine-table.js";
import { groupGoroutines, latencyInPlace, type GoroutineGroup, type Latency } from "./groups.js";
import { MemoEvent } from "./memo-event.js";
import { LongRunAnalyzer, type LongRunReport } from "./longruns.js";
import { DEFAULT_UTIL_FLAGS, mmuCurve, MutatorUtilisation, type MmuPoint, type UtilFlags } from "./mmu.js";
import { SummaryAnalyzer, type TraceSummary } from "./summary.js";
import { Summarizer, type GoroutineSummary } from "./summarize.js";
import { regionReport, taskReport, type TypeReport } from "./tasks.js";

export interface TopGoroutine {
  summary: GoroutineSummary;
  /** where it was created (GoCreate's stack), else the first stack it was seen with */
  stack: readonly StackFrame[];
  stackIsCreation: boolean;
}

export interface TraceReport {
  file: string;
  /** Go minor version of the trace format (22 = go 1.22) */
  version: number;
  generations: number;
  warnings: string[];
  summary: TraceSummary;
  mmuFlags: UtilFlags;
  mmu: MmuPoint[];
  /**
   * Utilisation over the whole trace: the mean of the utilisation function (the lowest P's
   * mean in the per-P view), i.e. the MMU at a window as long as the trace. 1 − this is the
   * share of the Ps' time the GC took (STW, mark workers, assists; sweeping with its flag).
   */
  wholeTraceUtil: number;
  schedLatency: Latency;
  groups: GoroutineGroup[];
  /**
   * By group (start function): time inside GC mark assists while running, runnable or
   * waiting for mark work (assist-work.ts), unlike stats.rangeNs, which counts whole ranges.
   */
  assistWorkNs: Map<string, number>;
  topGoroutines: TopGoroutine[];
  tasks: TypeReport[];
  regions: TypeReport[];
  longRuns: LongRunReport;
  /** the frames of the stacks the long runs and STW delays name, by stack id */
  stacks: Map<number, readonly StackFrame[]>;
}

export interface AnalyzeOptions {
  mmuFlags?: UtilFlags;
  mmuWindowsNs?: readonly number[];
  /** shortest run reported as a long run; default 10 ms */
  longRunNs?: number;
  /** goroutines listed with stacks; default 10 */
  topN?: number;
  /** another visitor fed in the same pass with the shared event view (the HTML timeline) */
  also?: TraceVisitor;
}

const MS = 1e6;
export const DEFAULT_MMU_WINDOWS_NS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].map((x) => x * MS);

/** What the reader reports about the file itself. */
export interface ReadInfo {
  version: number;
  generations: number;
  warnings: string[];
  tables: TraceTables;
  /** the old format's GOMAXPROCS at the start, which its event stream leaves out (0: not known) */
  startGomaxprocs?: number;
}

/**
 * Analyses a trace: `read` runs the reader with the visitor given and returns what it
 * learnt about the file (so this module does not care where the bytes come from).
 */
export function analyzeTrace(file: string, read: (visit: TraceVisitor) => ReadInfo, opts: AnalyzeOptions = {}): TraceReport {
  // One record per goroutine, shared: a goroutine transition (98% of the events) is decoded
  // and looked up once, then handed to each analysis.
  const table = new GoroutineTable();
  const summary = new SummaryAnalyzer(table);
  const summarizer = new Summarizer(table);
  const flags = opts.mmuFlags ?? DEFAULT_UTIL_FLAGS;
  const util = new MutatorUtilisation(flags, table);
  const long = new LongRunAnalyzer(opts.longRunNs ?? 10 * MS, table);
  const memo = new MemoEvent();
  const assists = new AssistWork(table);
  const also = opts.also;
  const info = read((raw: TraceEvent, tables: TraceTables) => {
    if (raw.kind === EventKind.StateTransition) {
      const st = raw.stateTransition();
      if (st.resource.kind === ResourceKind.Goroutine) {
        const rec = table.at(st.resource.id);
        summary.goTransition(raw, st, rec);
        summarizer.goTransition(raw, st, rec, tables);
        util.goTransition(raw, st, rec);
        long.goTransition(raw, st, rec);
        assists.goTransition(raw, st, rec);
        if (also !== undefined) also(raw, tables);
        return;
      }
    }
    const ev = memo.set(raw);
    summary.event(ev);
    summarizer.event(ev, tables);
    util.event(ev);
    long.event(ev);
    assists.event(ev);
    opts.also?.(ev, tables);
  });
  const gs = summarizer.finish();
  const series = util.finish();
  // One sorted copy of every wait at a time (this one is garbage before the groups' are made).
  const schedLatency = latencyInPlace(concatF64([...gs.values()].map((g) => g.schedWaits)));
  const longRuns = long.finish();
  const stacks = new Map<number, readonly StackFrame[]>();
  for (const x of [...longRuns.runs, ...longRuns.stwDelays]) {
    x.name = gs.get(x.goroutine)?.name ?? "";
    if (x.endStack) stacks.set(x.endStack, info.tables.frames(x.endStack));
  }
  const assistWorkNs = new Map<string, number>();
  for (const [id, ns] of assists.finish()) {
    const name = gs.get(id)?.name ?? "";
    assistWorkNs.set(name, (assistWorkNs.get(name) ?? 0) + ns);
  }
  const top = [...gs.values()].sort((a, b) => b.stats.execNs - a.stats.execNs || a.id - b.id).slice(0, opts.topN ?? 10);
  return {
    file,
    version: info.version,
    generations: info.generations,
    warnings: info.warnings,
    summary: summary.finish(info.startGomaxprocs ?? 0),
    mmuFlags: flags,
    mmu: mmuCurve(series, opts.mmuWindowsNs ?? DEFAULT_MMU_WINDOWS_NS),
    wholeTraceUtil: mmuCurve(series, [Number.MAX_SAFE_INTEGER])[0].mmu,
    schedLatency,
    groups: groupGoroutines(gs.values()),
    assistWorkNs,
    topGoroutines: top.map((g) => ({
      summary: g,
      stack: info.tables.frames(g.createStack || g.firstStack),
      stackIsCreation: g.createStack !== 0,
    })),
    tasks: taskReport(summarizer.tasks.values()),
    regions: regionReport(gs.values()),
    longRuns,
    stacks,
  };
}
