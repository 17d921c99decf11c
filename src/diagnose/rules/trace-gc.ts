// GC pressure from an execution trace: the application's goroutines spend their time in
// mark assists (made to mark instead of allocating, because allocation outruns the
// background GC), with the minimum mutator utilisation and stop-the-world pauses as
// context. Names the allocating user function: the innermost user frame of the stacks
// the assists began at. Joins the GC rule's gc-pressure finding naming the same function
// (one finding, both sources' evidence).

import type { DiagnoseContext } from "../context.js";
import type { Evidence, Finding, Severity } from "../finding.js";
import type { Rule } from "../rule.js";
import type { TraceInput } from "../trace-input.js";
import { addUp, largest, ms, pctOf, stackExcerpt, userFrame } from "../trace-frames.js";
import { gcRule } from "./gc.js";
import { attributeToUserCode, originOf } from "../../core/go/index.js";
import { sampleTypeIndex } from "../../core/model/index.js";
import type { GoroutineGroup } from "../../trace/index.js";

/** The GC analysis' own threshold for GC pressure: GC costing ≥ 10 % (docs/GC.md). */
const WARNING_SHARE = 0.1;
/**
 * The pacer budgets 25 % of the CPU for background marking (gcBackgroundUtilization,
 * runtime/mgcpacer.go); assists alone taking more than that budget mean allocation
 * outruns the collector.
 */
const CRITICAL_SHARE = 0.25;
/** cpu-hotspot's share: an allocation profile agrees the function allocates from this share of bytes on. */
const ALLOCS_AGREE_SHARE = 0.2;
const MMU_WINDOW_NS = 10e6;

export const traceGcRule: Rule = {
  name: "trace-gc",
  run(ctx: DiagnoseContext): Finding[] {
    const out: Finding[] = [];
    for (const t of ctx.traces()) {
      const f = assistPressure(t, ctx);
      if (f) out.push(f);
    }
    return out;
  },
};

/**
 * Application goroutines: groups whose start function is not the runtime's own. A group
 * named runtime.asyncPreempt is not the runtime's: its goroutines were first seen with a
 * preemption stack, which stops at that frame (their real start is unknown).
 */
const isApp = (g: GoroutineGroup) => g.name !== "" && (originOf(g.name) !== "runtime" || g.name === "runtime.asyncPreempt");
/** Time a goroutine worked or wanted to: running, runnable, in syscalls, waiting for mark work in an assist. */
const busyNs = (g: GoroutineGroup) =>
  g.stats.execNs + g.stats.schedWaitNs + g.stats.syscallNs + g.stats.syscallBlockNs + (g.stats.blockNs.get("GC mark assist wait for work") ?? 0);

function assistPressure(t: TraceInput, ctx: DiagnoseContext): Finding | undefined {
  const r = t.report;
  const apps = r.groups.filter(isApp);
  let assistNs = 0;
  let busy = 0;
  for (const g of apps) {
    // Not the whole ranges: an old-format assist range stays open while its goroutine is
    // parked, time busyNs leaves out (assist-work.ts).
    assistNs += r.assistWorkNs.get(g.name) ?? 0;
    busy += busyNs(g);
  }
  const share = busy > 0 ? assistNs / busy : 0;
  if (share < WARNING_SHARE) return undefined;
  // The allocating function: assist time by the innermost user frame it began under.
  const byFn = new Map<string, number>();
  let libraryNs = 0;
  for (const a of t.sites.assists) {
    const u = userFrame(a.stack);
    if (u) addUp(byFn, u.func, a.workNs);
    else libraryNs += a.workNs;
  }
  const top = largest(byFn);
  const fn = top?.[0];
  const site = fn ? t.sites.assists.find((a) => userFrame(a.stack)?.func === fn) : t.sites.assists[0];
  const mmu10 = r.mmu.find((p) => p.windowNs === MMU_WINDOW_NS)?.mmu;
  let gcStwMax = 0;
  for (const [reason, d] of r.summary.stwByReason) if (reason.includes("GC")) gcStwMax = Math.max(gcStwMax, d.maxNs);
  // Assists that only library code asks for name no caller of the user's: a symptom.
  const severity: Severity = !fn ? "info" : share >= CRITICAL_SHARE ? "critical" : "warning";
  const numbers: Record<string, number> = {
    assist_pct_of_goroutine_time: pctOf(assistNs, busy),
    assist_ms: ms(assistNs),
    mark_assists: r.summary.markAssist.count,
    gc_cycles: r.summary.gcCycles,
    gc_stw_max_ms: ms(gcStwMax, 2),
    trace_seconds: Math.round(r.summary.durationNs / 1e7) / 100,
  };
  if (mmu10 !== undefined) numbers.mmu_10ms_pct = Math.round(mmu10 * 1000) / 10;
  if (top) numbers.assist_ms_in_function = ms(top[1]);
  if (top) numbers.assist_fn_pct_of_assists = pctOf(top[1], libraryNs + [...byFn.values()].reduce((a, b) => a + b, 0));
  const what =
    `application goroutines spent ${numbers.assist_pct_of_goroutine_time} % of their working time in GC mark assists ` +
    `(${numbers.assist_ms} ms over ${numbers.trace_seconds} s, ${numbers.mark_assists} assists, ${numbers.gc_cycles} GC cycles)` +
    (mmu10 !== undefined ? `; minimum mutator utilisation at 10 ms ${numbers.mmu_10ms_pct} %` : "") +
    `; longest GC stop-the-world ${numbers.gc_stw_max_ms} ms`;
  const joined = joinedId(ctx, fn);
  const id = joined ?? `gc-pressure:trace-assist${fn ? `:${fn}` : ""}`;
  // Joined with the GC rule's finding, which cites the allocation sites already.
  const allocs = fn && !joined ? allocationEvidence(ctx, fn) : undefined;
  return {
    id,
    category: "gc-pressure",
    severity,
    confidence: severity === "critical" ? 0.85 : severity === "warning" ? 0.7 : 0.4,
    title: `GC mark assists take ${numbers.assist_pct_of_goroutine_time} % of goroutine time${fn ? ` (allocating in ${fn})` : ""}`,
    summary: `In ${t.file.path}, ${what}.` + (fn
        ? ` Of your functions, ${fn} began the most assist time (${numbers.assist_fn_pct_of_assists} % of it${libraryNs > 0 ? `; ${pctOf(libraryNs, libraryNs + [...byFn.values()].reduce((a, b) => a + b, 0))} % began in library code with no caller of yours on the stack` : ""}).`
        : " The assists began in library code with no caller of yours on the stack.") +
      (allocs ? ` The allocation profile agrees: ${fn} allocated ${allocs.numbers["alloc_pct"]} % of the bytes.` : ""),
    evidence: [
      {
        source: t.file.path,
        kind: "execution trace (GC assists)",
        numbers,
        ...(fn ? { functions: [fn] } : {}),
        ...(site ? { excerpt: stackExcerpt(site.stack) } : {}),
      },
      ...(allocs ? [allocs] : []),
    ],
    functions: fn ? [fn] : [],
    recommendation: fn
      ? `Allocate less in ${fn} (reuse buffers, avoid pointer-rich temporaries), or give the GC more room (GOGC, GOMEMLIMIT): each allocation there pays for marking while the heap grows faster than the GC can mark.`
      : "Find what allocates (an allocation profile) and allocate less, or raise GOGC/GOMEMLIMIT.",
    docs: ["https://go.dev/doc/gc-guide", "https://go.dev/doc/gc-guide#Eliminating_heap_allocations"],
  };
}

/** The GC rule's gc-pressure finding naming the same function, so the two join into one. */
function joinedId(ctx: DiagnoseContext, fn: string | undefined): string | undefined {
  if (!fn) return undefined;
  let fs: Finding[];
  try {
    fs = gcRule.run(ctx);
  } catch {
    return undefined; // the GC rule reports its own failure
  }
  return fs.find((f) => f.category === "gc-pressure" && f.functions[0] === fn)?.id;
}

/**
 * Assists are charged to whoever allocates while marking runs, so the allocation
 * profile should agree on the function: when it gives it ALLOCS_AGREE_SHARE of the
 * bytes allocated (attributed to the innermost user frame), it is a second source.
 */
function allocationEvidence(ctx: DiagnoseContext, fn: string): Evidence | undefined {
  const p = ctx.profile("allocs");
  if (!p) return undefined;
  const i = sampleTypeIndex(p.profile, "alloc_space");
  if (i < 0) return undefined;
  const a = attributeToUserCode(p.frames, i);
  const bytes = a.byFunction.get(fn) ?? 0;
  if (a.total <= 0 || bytes / a.total < ALLOCS_AGREE_SHARE) return undefined;
  return {
    source: p.file.path,
    kind: "allocation profile (the allocating function)",
    numbers: { alloc_bytes: bytes, alloc_pct: pctOf(bytes, a.total) },
    functions: [fn],
  };
}
