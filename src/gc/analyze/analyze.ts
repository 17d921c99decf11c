// Everything `godiag gc` says, from whichever inputs were given: cycle series and
// summary (gctrace), MemStats, the GC share of a CPU profile, allocation sites,
// in-use growth against a base heap profile, the escape join, the what-if table
// and recommendation, and the detections. Pure: inputs are already parsed.

import type { EscapeReport } from "../read/escape.js";
import type { GcTrace } from "../read/gctrace.js";
import type { MemStats } from "../read/memstats.js";
import { type Profile, sampleTypeIndex } from "../../core/model/index.js";
import { allocSites, inuseGrowth, isHeapProfile, type AllocSite, type AllocSites, type InuseGrowth } from "./alloc-sites.js";
import { gcCpuShare, type GcCpuShare } from "./cpu-share.js";
import { estimateGcRate, type GcRateEstimate } from "./gc-rate.js";
import { cycleRows, lastRun, summarizeCycles, cycleGcCpuMs, type CycleRow, type GcSummary } from "./cycles.js";
import { detect, steadyCycles, type GcFinding } from "./detect.js";
import { joinEscapes, type EscapingAlloc } from "./escape-join.js";
import { dist, type Dist } from "../../core/stats/index.js";
import { GOGC_GRID, predict, recommend, type Goal, type Recommendation, type Scenario, type WhatIfInput } from "./whatif.js";

const MiB = 1 << 20;

export interface GcAnalysisInput {
  traces: { file: string; trace: GcTrace }[];
  memStats: { file: string; stats: MemStats }[];
  profiles: { file: string; profile: Profile }[];
  baseProfiles: { file: string; profile: Profile }[];
  escapes: { file: string; escape: EscapeReport }[];
  /** current settings (flags, or the bundle manifest's env) */
  gogc?: number;
  limitMB?: number;
  goal?: Goal;
  budgetMB?: number;
}

export interface MemStatsSummary {
  file: string;
  source: MemStats["source"];
  numGC: number;
  numForcedGC: number;
  gcCpuPercent: number;
  heapAllocMB: number;
  heapInuseMB: number;
  nextGCMB: number;
  sysMB: number;
  totalAllocMB: number;
  pauseMs: Dist;
  /** GC/s from the recorded PauseEnd times */
  gcPerSec: number;
}

export interface GcReport {
  gctrace?: {
    file: string;
    skipped: number;
    malformed: number;
    scavengerLines: number;
    warnings: string[];
    summary: GcSummary;
    cycles: CycleRow[];
  };
  memStats?: MemStatsSummary;
  cpuShare?: GcCpuShare & { file: string };
  allocs?: {
    file: string;
    sampleType: "alloc" | "inuse";
    totalAllocBytes: number;
    totalAllocObjects: number;
    totalInuseBytes: number;
    bySpace: AllocSite[];
    byObjects: AllocSite[];
    large: AllocSite[];
    churn: AllocSite[];
  };
  growth?: { file: string; base: string; sites: InuseGrowth[] };
  /** GC/s estimated from two heap-family profiles (gc-rate.ts); for when neither gctrace nor MemStats count cycles */
  gcRate?: GcRateEstimate;
  escapes?: { file: string; entries: number; hot: EscapingAlloc[] };
  whatIf?: { model: WhatIfInput; scenarios: Scenario[]; limitScenario?: Scenario; recommendation?: Recommendation };
  findings: GcFinding[];
  warnings: string[];
}

const TOP = 10;

function summarizeMemStats(file: string, m: MemStats): MemStatsSummary {
  const span = m.pauseEnd.length >= 2 ? (m.pauseEnd[m.pauseEnd.length - 1] - m.pauseEnd[0]) / 1e9 : 0;
  return {
    file,
    source: m.source,
    numGC: m.numGC,
    numForcedGC: m.numForcedGC,
    gcCpuPercent: m.gcCpuFraction * 100,
    heapAllocMB: m.heapAlloc / MiB,
    heapInuseMB: m.heapInuse / MiB,
    nextGCMB: m.nextGC / MiB,
    sysMB: m.sys / MiB,
    totalAllocMB: m.totalAlloc / MiB,
    pauseMs: dist(m.pauseNs.map((x) => x / 1e6)),
    gcPerSec: span > 0 ? (m.pauseEnd.length - 1) / span : 0,
  };
}

function median(xs: number[]): number {
  return dist(xs).p50;
}

/** What-if model inputs from the steady cycles (and MemStats for non-heap memory). */
export function whatIfInput(trace: GcTrace, summary: GcSummary, ms: MemStats | undefined, gogc: number, limitMB?: number): WhatIfInput {
  const steady = steadyCycles(lastRun(trace));
  // Whole-MB truncation: a live heap printed as 0 MB is up to 1 MB.
  const live = Math.max(0.5, median(steady.map((c) => c.liveMB)));
  const extra = (summary.stacksMB ?? 0) + (summary.globalsMB ?? 0);
  const stw = steady.map((c) => c.cpuSweepTermMs + c.cpuMarkTermMs);
  const fixed = median(stw);
  let markCpu = 0;
  let scanned = 0;
  for (const c of steady) {
    markCpu += cycleGcCpuMs(c) - c.cpuSweepTermMs - c.cpuMarkTermMs;
    scanned += Math.max(0.5, c.liveMB) + (c.stacksMB ?? 0) + (c.globalsMB ?? 0);
  }
  const over = median(steady.filter((c) => c.goalMB > 0).map((c) => c.heapEndMB / c.goalMB));
  const nonHeap = ms ? Math.max(0, (ms.sys - ms.heapSys) / MiB) : (summary.stacksMB ?? 0) + 8;
  return {
    liveMB: live,
    extraScanMB: extra,
    allocRateMBps: summary.allocRateMBps,
    procs: summary.procs,
    cpuMsPerScanMB: scanned > 0 ? markCpu / scanned : 0,
    cpuMsFixed: fixed,
    markMs: median(steady.map((c) => c.markMs)),
    overshoot: Math.max(1, Number.isFinite(over) ? over : 1),
    nonHeapMB: nonHeap,
    currentGogc: gogc,
    currentLimitMB: limitMB,
  };
}

export function analyzeGc(inp: GcAnalysisInput): GcReport {
  const report: GcReport = { findings: [], warnings: [] };
  const t = inp.traces[0];
  if (inp.traces.length > 1) report.warnings.push(`${inp.traces.length} gctrace logs given; using ${t.file}`);
  let summary: GcSummary | null = null;
  const runCycles = t ? lastRun(t.trace) : [];
  if (t) {
    report.warnings.push(...t.trace.warnings);
    if (runCycles.length < t.trace.cycles.length) report.warnings.push(`${t.file}: analysing the last process only (${runCycles.length} of ${t.trace.cycles.length} cycles)`);
    summary = summarizeCycles(runCycles);
    if (summary) {
      report.gctrace = {
        file: t.file,
        skipped: t.trace.skipped,
        malformed: t.trace.malformed,
        scavengerLines: t.trace.scavenger.length,
        warnings: t.trace.warnings,
        summary,
        cycles: cycleRows(runCycles),
      };
    }
  }
  const ms = inp.memStats[0];
  if (ms) report.memStats = summarizeMemStats(ms.file, ms.stats);

  const cpu = inp.profiles.find((p) => sampleTypeIndex(p.profile, "cpu") >= 0);
  if (cpu) {
    const share = gcCpuShare(cpu.profile);
    if (share) report.cpuShare = { file: cpu.file, ...share };
  }
  // Prefer an allocs profile (alloc_space is its default) over a heap one.
  const heaps = inp.profiles.filter((p) => isHeapProfile(p.profile));
  const allocP = heaps.find((p) => p.profile.defaultSampleType === "alloc_space") ?? heaps[0];
  const rate = estimateGcRate(heaps, inp.gogc ?? 100);
  if (rate) report.gcRate = rate;
  let sites: AllocSites | null = null;
  if (allocP) {
    sites = allocSites(allocP.profile);
    const hasAlloc = sampleTypeIndex(allocP.profile, "alloc_space") >= 0;
    const byObjects = [...sites.sites].sort((a, b) => b.allocObjects - a.allocObjects);
    const churn = sites.sites.filter((s) => s.allocBytes > 0 && s.allocBytes >= 0.01 * sites!.totalAllocBytes).sort((a, b) => b.churn - a.churn);
    report.allocs = {
      file: allocP.file,
      sampleType: hasAlloc ? "alloc" : "inuse",
      totalAllocBytes: sites.totalAllocBytes,
      totalAllocObjects: sites.totalAllocObjects,
      totalInuseBytes: sites.totalInuseBytes,
      bySpace: sites.sites.slice(0, TOP),
      byObjects: byObjects.slice(0, TOP),
      large: sites.sites.filter((s) => s.large).slice(0, TOP),
      churn: churn.slice(0, TOP),
    };
  }
  let growth: InuseGrowth[] | null = null;
  const base = inp.baseProfiles.find((p) => isHeapProfile(p.profile));
  if (base) {
    const heapNow = heaps.find((p) => p.profile.defaultSampleType !== "alloc_space") ?? allocP;
    if (heapNow) {
      growth = inuseGrowth(heapNow.profile, base.profile);
      report.growth = { file: heapNow.file, base: base.file, sites: growth.slice(0, TOP) };
    } else {
      report.warnings.push(`--base ${base.file}: no heap profile to compare it with`);
    }
  }
  const esc = inp.escapes[0];
  if (esc) {
    if (sites) report.escapes = { file: esc.file, entries: esc.escape.entries.length, hot: joinEscapes(sites.sites, esc.escape.entries).slice(0, TOP) };
    else report.warnings.push(`${esc.file}: escape analysis needs an allocs or heap profile to join with`);
  }

  if (t && summary && summary.cycles >= 3) {
    const gogc = inp.gogc ?? 100;
    const model = whatIfInput(t.trace, summary, ms?.stats, gogc, inp.limitMB);
    report.whatIf = {
      model,
      scenarios: GOGC_GRID.map((g) => predict(model, g)),
      limitScenario: inp.limitMB !== undefined ? predict(model, gogc, inp.limitMB) : undefined,
      recommendation: inp.goal ? recommend(model, inp.goal, inp.budgetMB) : undefined,
    };
  }
  report.findings = detect({
    cycles: runCycles,
    summary,
    memStats: ms?.stats,
    cpuShare: report.cpuShare,
    allocs: sites,
    growth,
    limitMB: inp.limitMB,
  });
  return report;
}
