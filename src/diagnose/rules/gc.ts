// GC and memory findings: the GC analysis (src/analysis/gc, `godiag gc`) over the
// bundle's gctrace log, MemStats (heap?debug=1 or /debug/vars), CPU and allocation
// profiles, with GOGC/GOMEMLIMIT from the manifest. Its detections (thresholds in
// src/analysis/gc/detect.ts and docs/GC.md) become findings here; this file only
// maps them to categories and attaches the numbers they rest on.

import { analyzeGc, type GcAnalysisInput, type GcReport, type GcFinding } from "../../gc/index.js";
import { goMemLimitMiB, originOf, type PackageOrigins } from "../../core/go/index.js";
import type { DiagnoseContext } from "../context.js";
import type { Category, Evidence, Finding } from "../finding.js";
import type { Rule } from "../rule.js";
import { sampleTypeIndex } from "../../core/model/index.js";
import { shareAtLeast } from "../sample-share.js";
import { appendKeeper } from "./heap-retained.js";

const CATEGORY: Record<GcFinding["id"], Category> = {
  "gomemlimit-thrash": "memory-limit-thrash",
  "gc-too-frequent": "gc-pressure",
  "markroot-heavy": "gc-pressure",
  "forced-gc": "gc-pressure",
  "heap-growth": "heap-growth",
  "inuse-growth": "heap-growth",
  "large-allocations": "large-allocations",
};

const DOCS: Record<Category, string[]> = {
  "memory-limit-thrash": ["https://go.dev/doc/gc-guide#Memory_limit"],
  "gc-pressure": ["https://go.dev/doc/gc-guide", "https://go.dev/doc/gc-guide#Eliminating_heap_allocations"],
  "heap-growth": ["https://go.dev/doc/diagnostics#profiling"],
  "large-allocations": ["https://go.dev/doc/gc-guide#Eliminating_heap_allocations"],
} as Record<Category, string[]>;

/**
 * GC pressure by share, at any load (godiag issue 14): the GC analysis' rule needs a
 * busy process (≥ 5 GC/s costing ≥ 10 % of all cores); a service at 50 req/s whose
 * request path is mostly allocation pays the same price per request. So, from what
 * the process itself did: the GC's mark, sweep and stop-the-world work is at least
 * this share of the process's CPU samples...
 */
const GC_SHARE_OF_PROCESS_CPU = 0.15;
/**
 * ... with enough samples for that share to be a measurement (±7 % at 50); from fewer
 * (a nearly idle process), only when the share is beyond doubt: the lower end of its
 * 95 % interval clears the threshold (sample-share.ts; godiag corpus round 6)...
 */
const MIN_CPU_SAMPLES = 50;
/**
 * ... the GC runs often for the work done: cycles per second of the process's own CPU
 * time (GC/s over the cores it uses); a big, stable heap is collected rarely whatever
 * it costs, churn over a small heap many times per CPU-second...
 */
const MIN_CYCLES_PER_CPU_SECOND = 10;
/** ... and one user function allocates most of the bytes: the place to fix. */
const MIN_TOP_ALLOCATOR_SHARE = 0.5;

/**
 * Package time's timer constructors. Memory they allocated that is still in use is
 * timers not yet fired or stopped: a timer stays live until then (before Go 1.23, and
 * in any module whose go.mod says go < 1.23, even when nothing references it any more:
 * `time.After` in a loop keeps one per iteration for its whole duration). The P's timer
 * heap grows with them (time.startTimer / time.newTimer own that slice's growth).
 */
const TIMER_CONSTRUCTOR = /^time\.(NewTimer|After|AfterFunc|newTimer|startTimer)$/;

export const gcRule: Rule = {
  name: "gc",
  run(ctx: DiagnoseContext): Finding[] {
    const report = gcReport(ctx);
    if (!report) return [];
    const out = report.findings.map((g) => toFinding(g, report, ctx));
    if (!out.some((f) => f.category === "gc-pressure" && f.severity !== "info")) {
      const byShare = gcPressureByShare(ctx, report) ?? pendingTimers(ctx, report);
      if (byShare) out.push(byShare);
    }
    return out;
  },
};

function gcPressureByShare(ctx: DiagnoseContext, r: GcReport): Finding | undefined {
  const cpu = ctx.profile("cpu");
  const share = r.cpuShare;
  const allocs = r.allocs;
  if (!cpu?.seconds || !share || share.totalNs === 0 || !allocs || allocs.totalAllocBytes === 0) return undefined;
  const si = sampleTypeIndex(cpu.profile, "samples");
  let samples = 0;
  for (let s = 0; si >= 0 && s < cpu.profile.samples.length; s++) samples += cpu.profile.sampleValue(s, si);
  if (!gcShareMeasured(samples, share.gcPercent)) return undefined;
  // Counted by the runtime (gctrace, MemStats), else estimated from two heap profiles.
  const estimated = !r.gctrace && !r.memStats ? r.gcRate : undefined;
  const gcPerSec = r.gctrace?.summary.gcPerSec ?? r.memStats?.gcPerSec ?? estimated?.gcPerSec ?? 0;
  const cycles = r.gctrace?.summary.cycles ?? r.memStats?.numGC ?? estimated?.cycles ?? 0;
  const cores = share.totalNs / 1e9 / cpu.seconds;
  const perCpuSecond = cores > 0 ? gcPerSec / cores : 0;
  if (cycles < 5 || perCpuSecond < MIN_CYCLES_PER_CPU_SECOND) return undefined;
  const byUser = new Map<string, number>();
  for (const x of allocs.bySpace) {
    const u = x.userFrame?.name;
    if (u) byUser.set(u, (byUser.get(u) ?? 0) + x.allocBytes);
  }
  const top = [...byUser].sort((a, b) => b[1] - a[1])[0];
  if (!top || top[1] < MIN_TOP_ALLOCATOR_SHARE * allocs.totalAllocBytes) return undefined;
  const [fn, bytes] = top;
  const g: GcFinding = {
    id: "gc-too-frequent",
    severity: "warning",
    title: `allocation churn in ${fn}: the GC takes ${share.gcPercent.toFixed(0)} % of the process's CPU`,
    evidence: [
      `GC (mark, sweep, stop-the-world) ${share.gcPercent.toFixed(1)} % and the allocator ${share.mallocPercent.toFixed(1)} % of ${samples} CPU samples (${cores.toFixed(2)} cores)`,
      estimated
        ? `~${gcPerSec.toFixed(1)} GC/s estimated from the heap profiles (${(estimated.allocBytesPerSec / 2 ** 20).toFixed(1)} MB/s allocated over ${estimated.intervalSeconds.toFixed(2)} s, live heap ${(estimated.liveBytes / 2 ** 20).toFixed(1)} MB, GOGC ${estimated.gogc}${inpGogcKnown(ctx) ? "" : " assumed"}): ${perCpuSecond.toFixed(0)} cycles per second of the process's CPU time`
        : `${gcPerSec.toFixed(1)} GC/s: ${perCpuSecond.toFixed(0)} cycles per second of the process's CPU time`,
      `${fn} allocated ${((100 * bytes) / allocs.totalAllocBytes).toFixed(0)} % of all bytes`,
    ],
    suggestion: `allocate less in ${fn} (values instead of pointers, reuse buffers or a sync.Pool, preallocate): its garbage sets the GC's pace whatever the load`,
    functions: [fn],
  };
  const f = toFinding(g, r, ctx);
  f.id = `gc-pressure:gc-share:${fn}`;
  f.title = g.title.charAt(0).toUpperCase() + g.title.slice(1);
  f.evidence.push({
    source: cpu.file.path,
    kind: "cpu profile (GC share)",
    numbers: {
      gc_share_of_process_cpu_pct: round(share.gcPercent, 1),
      malloc_share_of_process_cpu_pct: round(share.mallocPercent, 1),
      cpu_samples: samples,
      cores_used: round(cores, 2),
      gc_cycles_per_cpu_second: round(perCpuSecond, 1),
      ...(estimated ? { gc_per_sec_estimated: round(estimated.gcPerSec, 1), alloc_mb_per_sec_estimated: round(estimated.allocBytesPerSec / 2 ** 20, 1) } : {}),
      top_allocator_share_pct: round((100 * bytes) / allocs.totalAllocBytes, 1),
    },
    functions: [fn],
  });
  return f;
}

/** The GC has at least GC_SHARE_OF_PROCESS_CPU of the profile's samples, as a measurement. */
function gcShareMeasured(samples: number, gcPercent: number): boolean {
  return shareAtLeast((gcPercent / 100) * samples, samples, GC_SHARE_OF_PROCESS_CPU, MIN_CPU_SAMPLES);
}

/** Whether the capture says what GOGC was (else the estimate assumes Go's default, 100). */
function inpGogcKnown(ctx: DiagnoseContext): boolean {
  return Number.isFinite(Number(ctx.bundle.manifest?.env?.["GOGC"] ?? NaN));
}

/** Samples in the CPU profile, or 0 without one. */
function cpuSamples(ctx: DiagnoseContext): number {
  const cpu = ctx.profile("cpu");
  if (!cpu) return 0;
  const si = sampleTypeIndex(cpu.profile, "samples");
  let n = 0;
  for (let s = 0; si >= 0 && s < cpu.profile.samples.length; s++) n += cpu.profile.sampleValue(s, si);
  return n;
}

/**
 * Timers created faster than they fire (godiag corpus round 4): the GC's mark work is
 * the live heap it scans, and when most of the in-use heap is pending timers, the GC's
 * share of the process's CPU (the same 15 % over 50 samples as above) is paid for them,
 * however rarely it runs. Named by the user frame that creates them, by in-use bytes.
 */
function pendingTimers(ctx: DiagnoseContext, r: GcReport): Finding | undefined {
  const cpu = ctx.profile("cpu");
  const share = r.cpuShare;
  const allocs = r.allocs;
  if (!cpu || !share || !allocs || allocs.totalInuseBytes === 0) return undefined;
  const samples = cpuSamples(ctx);
  if (!gcShareMeasured(samples, share.gcPercent)) return undefined;
  // The top sites by bytes allocated: timers that pile up are churn, so they are among them.
  const timers = allocs.bySpace.filter((x) => TIMER_CONSTRUCTOR.test(x.name));
  const inuse = timers.reduce((a, x) => a + x.inuseBytes, 0);
  if (inuse < MIN_TOP_ALLOCATOR_SHARE * allocs.totalInuseBytes) return undefined;
  const byUser = new Map<string, number>();
  for (const x of timers) {
    const u = x.userFrame?.name;
    if (u) byUser.set(u, (byUser.get(u) ?? 0) + x.inuseBytes);
  }
  const top = [...byUser].sort((a, b) => b[1] - a[1])[0];
  if (!top) return undefined;
  const [fn] = top;
  const objects = timers.reduce((a, x) => a + x.inuseObjects, 0);
  const pct = (100 * inuse) / allocs.totalInuseBytes;
  const g: GcFinding = {
    id: "gc-too-frequent",
    severity: "warning",
    title: `timers pile up in ${fn}: ${pct.toFixed(0)} % of the in-use heap is timers not yet fired, and the GC takes ${share.gcPercent.toFixed(0)} % of the process's CPU`,
    evidence: [
      `${(inuse / (1 << 20)).toFixed(1)} MB in use in ${objects} objects allocated by time.NewTimer/After/AfterFunc (${pct.toFixed(0)} % of ${(allocs.totalInuseBytes / (1 << 20)).toFixed(1)} MB)`,
      `GC (mark, sweep, stop-the-world) ${share.gcPercent.toFixed(1)} % of ${samples} CPU samples`,
    ],
    suggestion: `create one timer in ${fn} and Reset it (or Stop the ones no longer needed) instead of a new time.After/NewTimer per call: each stays live until it fires`,
    functions: [fn],
  };
  const f = toFinding(g, r, ctx);
  f.id = `gc-pressure:pending-timers:${fn}`;
  f.title = g.title.charAt(0).toUpperCase() + g.title.slice(1);
  f.pattern = "timers-pile-up";
  f.evidence.push({
    source: allocs.file,
    kind: "allocation sites (timers in use)",
    numbers: { timer_inuse_bytes: inuse, timer_inuse_objects: objects, timer_share_of_inuse_pct: round(pct, 1), gc_share_of_process_cpu_pct: round(share.gcPercent, 1), cpu_samples: samples },
    functions: [fn],
  });
  return f;
}

/** The GC analysis of the bundle, or undefined when it has no GC evidence at all. */
export function gcReport(ctx: DiagnoseContext): GcReport | undefined {
  return ctx.once(computeGcReport);
}

function computeGcReport(ctx: DiagnoseContext): GcReport | undefined {
  const inp: GcAnalysisInput = { traces: [], memStats: [], profiles: [], baseProfiles: [], escapes: [] };
  // Parsed once by the context; an unreadable file fails this rule, as it always did.
  for (const { file, trace, error } of ctx.gcTraces()) {
    if (error) throw error;
    inp.traces.push({ file: file.path, trace: trace! });
  }
  for (const { file, stats, error } of ctx.memStats()) {
    if (error) throw error;
    if (stats) inp.memStats.push({ file: file.path, stats });
  }
  // The latest of each: cumulative profiles only grow.
  for (const kind of ["cpu", "allocs", "heap"] as const) {
    const p = ctx.profile(kind);
    if (p) inp.profiles.push({ file: p.file.path, profile: p.profile });
  }
  // The earlier heap-family profiles after them: only the GC rate reads them (two heap
  // profiles fetched minutes apart date the allocation between them, gc-rate.ts).
  const used = new Set(inp.profiles.map((p) => p.profile));
  for (const f of [...ctx.files("allocs"), ...ctx.files("heap")]) if (f.profile && !used.has(f.profile)) inp.profiles.push({ file: f.path, profile: f.profile });
  const env = ctx.bundle.manifest?.env ?? {};
  const gogc = Number(env["GOGC"]);
  if (env["GOGC"] && Number.isFinite(gogc)) inp.gogc = gogc;
  const limit = goMemLimitMiB(env["GOMEMLIMIT"]);
  if (limit !== undefined) inp.limitMB = limit;
  // Without gctrace or MemStats, the profiles alone: a CPU profile for the GC's share,
  // and a heap and an allocs profile for the cycle rate (gc-rate.ts).
  const heapFamily = ctx.files("heap").length + ctx.files("allocs").length;
  if (inp.traces.length + inp.memStats.length === 0 && !(ctx.profile("cpu") && heapFamily >= 2)) return undefined;
  return analyzeGc(inp);
}

function toFinding(g: GcFinding, r: GcReport, ctx: DiagnoseContext): Finding {
  const category = CATEGORY[g.id];
  const s = r.gctrace?.summary;
  const m = r.memStats;
  const numbers: Record<string, number> = {};
  if (s) {
    numbers.gc_cycles = s.cycles;
    numbers.gc_per_sec = round(s.gcPerSec, 2);
    numbers.gc_cpu_pct = round(s.gcCpuPercent, 1);
    numbers.live_heap_mb_p50 = s.liveMB.p50;
    numbers.live_heap_mb_first = s.liveMB.first;
    numbers.live_heap_mb_last = s.liveMB.last;
    numbers.heap_goal_mb_p50 = s.goalMB.p50;
    numbers.alloc_rate_mb_per_sec = round(s.allocRateMBps, 1);
    numbers.stw_pause_ms_p99 = round(s.pauseMs.p99, 3);
    numbers.forced_gcs = s.forced;
  }
  const evidence: Evidence[] = [];
  if (r.gctrace) {
    evidence.push({ source: r.gctrace.file, kind: "gctrace", numbers, excerpt: g.evidence.join("\n") });
  } else if (m) {
    evidence.push({
      source: m.file,
      kind: "MemStats",
      numbers: {
        num_gc: m.numGC,
        forced_gcs: m.numForcedGC,
        gc_cpu_pct: round(m.gcCpuPercent, 1),
        heap_alloc_mb: round(m.heapAllocMB, 1),
        next_gc_mb: round(m.nextGCMB, 1),
        gc_per_sec: round(m.gcPerSec, 2),
      },
      excerpt: g.evidence.join("\n"),
    });
  }
  const byUser = namedByUserFrame(g.functions ?? [], r, ctx.origins());
  const functions = keptByAppender(category, byUser, ctx);
  if (r.allocs && functions.length) {
    const sites = r.allocs.bySpace.filter((x) => functions.includes(x.name) || functions.includes(x.userFrame?.name ?? "")).slice(0, 3);
    if (sites.length) {
      evidence.push({
        source: r.allocs.file,
        kind: "allocation sites",
        numbers: Object.fromEntries(sites.flatMap((x, i) => [[`site${i + 1}_alloc_bytes`, x.allocBytes], [`site${i + 1}_alloc_objects`, x.allocObjects]])),
        functions: sites.map((x) => x.name),
        excerpt: sites.map((x) => `${x.name}: ${x.allocBytes} bytes in ${x.allocObjects} objects`).join("\n"),
      });
    }
  }
  if (evidence.length === 0) evidence.push({ source: ctx.bundle.inputs[0] ?? "", kind: "gc analysis", numbers, excerpt: g.evidence.join("\n") });
  // Findings end in the service's code. Memory that only library code allocates (no
  // user frame on any top site: net/http's per-connection buffers, say) is a symptom
  // of what holds those objects (connections, goroutines), which other findings name.
  const librarySymptom = functions.length > 0 && originOf(functions[0]!, ctx.origins()) !== "user";
  return {
    id: `${category}:${g.id}${functions[0] ? `:${functions[0]}` : ""}`,
    category,
    severity: librarySymptom ? "info" : g.severity,
    confidence: g.severity === "critical" ? 0.9 : g.severity === "warning" ? 0.75 : 0.5,
    title:
      g.title.charAt(0).toUpperCase() +
      g.title.slice(1) +
      (functions[0] ? (functions[0] !== byUser[0] ? ` (kept by ${functions[0]}'s append, allocated in ${byUser[0]})` : ` (top allocation site ${functions[0]})`) : ""),
    summary:
      g.evidence.join("; ") +
      "." +
      (librarySymptom ? ` The top allocation sites are library code with no caller of yours on the stack (${functions[0]}): look at what keeps those objects alive.` : ""),
    evidence,
    functions,
    recommendation: g.suggestion.charAt(0).toUpperCase() + g.suggestion.slice(1) + ".",
    docs: DOCS[category] ?? [],
  };
}

/**
 * Heap growth whose top allocator's objects are reachable only through a slice another user
 * function appends to is named on the appender (heap-retained.ts appendKeeper): the fix
 * bounds the slice, not the allocation.
 */
function keptByAppender(category: Category, functions: string[], ctx: DiagnoseContext): string[] {
  if (category !== "heap-growth" || functions.length === 0) return functions;
  const keeper = appendKeeper(ctx, functions[0]!);
  return keeper ? [keeper, ...functions.filter((f) => f !== keeper)] : functions;
}

/**
 * Findings are named by the user frame of their top allocation site (godiag corpus round 5:
 * a large-allocations note named encoding/json.Marshal and said no caller of the user's
 * was on its stack, while every one of those stacks went through the service's function).
 * A library site keeps its place after the user frame that called it.
 */
function namedByUserFrame(functions: string[], r: GcReport, origins: PackageOrigins): string[] {
  const first = functions[0];
  if (first === undefined || originOf(first, origins) === "user" || !r.allocs) return functions;
  const user = r.allocs.bySpace.find((x) => x.name === first && x.userFrame)?.userFrame?.name;
  return user ? [user, ...functions.filter((f) => f !== user)] : functions;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
