// `godiag trace --json`: the stable schema documented in docs/TRACE.md ("JSON").
// Durations are integer nanoseconds (fields ending in Ns); maps become objects.

import { nonOverlapping, type ExecStats } from "../analyze/exec-stats.js";
import type { TraceReport } from "../analyze/report.js";
import type { StackFrame } from "../model/event.js";

export const TRACE_JSON_SCHEMA = "godiag.trace/v1";

const obj = <V>(m: Map<string, V>): Record<string, V> => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function stats(s: ExecStats): Record<string, unknown> {
  return {
    totalNs: s.totalNs,
    execNs: s.execNs,
    schedWaitNs: s.schedWaitNs,
    syscallNs: s.syscallNs,
    syscallBlockNs: s.syscallBlockNs,
    blockNs: obj(s.blockNs),
    rangeNs: obj(s.rangeNs),
    nonOverlappingNs: obj(nonOverlapping(s)),
  };
}

const frames = (fs: readonly StackFrame[]) => fs.map((f) => ({ func: f.func, file: f.file, line: f.line }));

export function traceReportJson(r: TraceReport): Record<string, unknown> {
  const s = r.summary;
  return {
    report: "trace",
    schema: TRACE_JSON_SCHEMA,
    file: r.file,
    goVersion: `go1.${r.version}`,
    generations: r.generations,
    warnings: r.warnings,
    summary: {
      durationNs: s.durationNs,
      maxGomaxprocs: s.maxGomaxprocs,
      gomaxprocs: s.gomaxprocs,
      goroutinesCreated: s.goroutinesCreated,
      goroutinesEnded: s.goroutinesEnded,
      gcCycles: s.gcCycles,
      stw: s.stw,
      stwByReason: obj(s.stwByReason),
      markAssist: s.markAssist,
      gcWorkerNs: obj(s.gcWorkerNs),
      schedLatency: s.schedLatency,
      logs: s.logs,
      utilisation: s.utilisation,
    },
    schedLatency: r.schedLatency,
    mmu: { flags: r.mmuFlags, points: r.mmu, wholeTraceUtil: r.wholeTraceUtil },
    goroutineGroups: r.groups.map((g) => ({
      name: g.name,
      count: g.count,
      stats: stats(g.stats),
      execNs: g.exec,
      schedWaitNs: g.schedWait,
      blockNs: g.block,
      schedLatency: g.schedLatency,
    })),
    topGoroutines: r.topGoroutines.map((t) => ({
      id: t.summary.id,
      name: t.summary.name,
      createdNs: t.summary.createdNs,
      endNs: Number.isNaN(t.summary.endNs) ? null : t.summary.endNs,
      stats: stats(t.summary.stats),
      stackKind: t.stackIsCreation ? "creation" : "first-seen",
      stack: frames(t.stack),
    })),
    tasks: r.tasks.map(typeJson),
    regions: r.regions.map(typeJson),
    longRuns: {
      thresholdNs: r.longRuns.thresholdNs,
      runs: r.longRuns.runs.map(({ endStack, ...x }) => ({ ...x, stack: frames(r.stacks.get(endStack) ?? []) })),
      stwDelays: r.longRuns.stwDelays.map(({ endStack, ...x }) => ({ ...x, stack: frames(r.stacks.get(endStack) ?? []) })),
    },
  };
}

function typeJson(t: TraceReport["tasks"][number]): Record<string, unknown> {
  return {
    type: t.type,
    count: t.count,
    incomplete: t.incomplete,
    totalNs: t.totalNs,
    latency: t.latency,
    splitNs: obj(t.split),
    slowest: t.slowest.map((i) => ({ id: i.id, startNs: i.startNs, durationNs: i.durationNs, splitNs: obj(i.split) })),
  };
}

export function renderTraceJson(r: TraceReport): string {
  return JSON.stringify(traceReportJson(r), null, 2) + "\n";
}
