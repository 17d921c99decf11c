// GC detections, as data: each names what it saw (evidence with numbers) and
// what to change. Thresholds are explained where they are set; docs/GC.md lists them.

import type { GcCycle } from "../read/gctrace.js";
import type { MemStats } from "../read/memstats.js";
import type { AllocSites, InuseGrowth } from "./alloc-sites.js";
import type { GcCpuShare } from "./cpu-share.js";
import type { GcSummary } from "./cycles.js";
import { slope } from "../../core/stats/index.js";

export type Severity = "info" | "warning" | "critical";

export interface GcFinding {
  id: "gomemlimit-thrash" | "gc-too-frequent" | "heap-growth" | "forced-gc" | "markroot-heavy" | "large-allocations" | "inuse-growth";
  severity: Severity;
  title: string;
  evidence: string[];
  suggestion: string;
  /** function names the finding points at (allocation sites), when it has them */
  functions?: string[];
}

export interface DetectInput {
  cycles?: readonly GcCycle[];
  summary?: GcSummary | null;
  memStats?: MemStats | null;
  cpuShare?: GcCpuShare | null;
  allocs?: AllocSites | null;
  growth?: readonly InuseGrowth[] | null;
  limitMB?: number;
}

const f1 = (x: number) => x.toFixed(1);

/** Cycles after warm-up (the first 20 % of the span), without forced ones. */
export function steadyCycles(cs: readonly GcCycle[]): GcCycle[] {
  if (cs.length === 0) return [];
  const t0 = cs[0].atSec;
  const span = cs[cs.length - 1].atSec - t0;
  const steady = cs.filter((c) => !c.forced && c.atSec >= t0 + 0.2 * span);
  return steady.length >= 3 ? steady : cs.filter((c) => !c.forced);
}

/**
 * The functions to name for the top allocation sites: the innermost user frame of
 * each (the service's code that asked for the memory; the allocating library call is
 * evidence), then, when no site has one, the sites themselves.
 */
function topAllocFunctions(a: AllocSites | null | undefined, n: number, by: "alloc" | "inuse" = "alloc"): string[] {
  if (!a) return [];
  // GC frequency follows the allocation rate; a heap pressing on its limit, or
  // growing, is what is still in use: name the sites that hold it.
  const sites = by === "alloc" ? a.sites : [...a.sites].filter((x) => x.inuseBytes > 0).sort((x, y) => y.inuseBytes - x.inuseBytes);
  const top = sites.slice(0, n);
  const user = top.map((s) => s.userFrame?.name).filter((x): x is string => x !== undefined);
  return [...new Set([...user, ...top.map((s) => s.name)])];
}

export function detect(inp: DetectInput): GcFinding[] {
  const out: GcFinding[] = [];
  const s = inp.summary;
  const cs = inp.cycles ?? [];
  const steady = steadyCycles(cs);
  let thrash = false;

  if (s && steady.length >= 5 && s.spanSec > 0) {
    // Thrash: the goal collapses onto the live heap (no runway: normally goal ≈
    // live × (1 + GOGC/100)), above the 4 MB heap minimum, and marking runs most
    // of the time. Only a memory limit squeezes the goal like that.
    const squeezed = steady.filter((c) => c.goalMB > 4 && c.goalMB <= Math.max(c.liveMB * 1.1, c.liveMB + 1));
    const markBusy = steady.reduce((a, c) => a + c.markMs, 0) / (1000 * (steady[steady.length - 1].atSec - steady[0].atSec || 1));
    if (squeezed.length >= 0.5 * steady.length && markBusy >= 0.3 && s.gcPerSec >= 2) {
      thrash = true;
      const live = steady.map((c) => c.liveMB).sort((a, b) => a - b)[steady.length >> 1];
      const third = Math.max(1, Math.floor(cs.length / 3));
      out.push({
        id: "gomemlimit-thrash",
        severity: "critical",
        title: "GOMEMLIMIT thrash: the live heap fills the memory limit, the GC runs back to back",
        evidence: [
          `${squeezed.length} of ${steady.length} steady cycles have a heap goal within 10 % of the live heap (${live} MB)`,
          `marking runs ${f1(markBusy * 100)} % of wall time; ${f1(s.gcPerSec)} GC/s`,
          `GC CPU (runtime, cumulative) ${cs[third - 1].cpuPercent} % → ${cs[cs.length - 1].cpuPercent} %`,
          ...(inp.limitMB !== undefined ? [`GOMEMLIMIT = ${inp.limitMB} MB`] : []),
        ],
        suggestion: `raise GOMEMLIMIT well above the live heap (≥ ${Math.ceil(live * 1.5)} MB plus non-heap memory) or shrink the live heap; the limit is a ceiling, not a target`,
        functions: topAllocFunctions(inp.allocs, 3, "inuse"),
      });
    }
  }

  if (s && !thrash && s.gcPerSec >= 5 && s.gcCpuPercent >= 10) {
    // Too frequent: many cycles a second over a small heap, costing ≥ 10 % CPU.
    out.push({
      id: "gc-too-frequent",
      severity: s.gcCpuPercent >= 25 ? "critical" : "warning",
      title: "GC runs too often: small heap, high allocation rate",
      evidence: [
        `${f1(s.gcPerSec)} GC/s (every ${f1(s.intervalSec.p50 * 1000)} ms) over a live heap of ${s.liveMB.p50} MB (goal ${s.goalMB.p50} MB)`,
        `GC CPU ${f1(s.gcCpuPercent)} % of ${s.procs} P (cpu fields), ${s.lineCpuPercent} % by the runtime; assists ${f1(s.assistPercent)} % of mark CPU`,
        `allocation ≈ ${f1(s.allocRateMBps)} MB/s`,
      ],
      suggestion: "allocate less on the hot path (reuse buffers, sync.Pool, fewer pointers), or trade memory for CPU: raise GOGC, or set GOMEMLIMIT with a higher GOGC (see the what-if table)",
      functions: topAllocFunctions(inp.allocs, 3),
    });
  }

  if (steady.length >= 5) {
    const live = steady.map((c) => c.liveMB);
    const first = live[0];
    const last = live[live.length - 1];
    let up = 0;
    for (let i = 1; i < live.length; i++) if (live[i] >= live[i - 1]) up++;
    const k = slope(
      steady.map((c) => c.atSec),
      live,
    );
    // Growth: ≥ 4 MB and ≥ 50 % over the steady window, rising most of the time.
    if (last - first >= Math.max(4, 0.5 * first) && k > 0 && up >= 0.6 * (live.length - 1)) {
      out.push({
        id: "heap-growth",
        severity: "warning",
        title: "live heap grows cycle after cycle (possible leak)",
        evidence: [
          `live heap ${first} MB → ${last} MB over ${f1(steady[steady.length - 1].atSec - steady[0].atSec)} s (${f1(k)} MB/s); rising in ${up} of ${live.length - 1} steps`,
        ],
        suggestion: "compare two heap profiles (godiag gc heap2.pb.gz --base heap1.pb.gz) to find the growing site; bound caches and maps",
        functions:
          inp.growth && inp.growth.length > 0
            ? inp.growth.slice(0, 3).map((g) => g.name)
            : inp.allocs
              ? topAllocFunctions(inp.allocs, 3, "inuse")
              : undefined,
      });
    }
  }

  const forced = inp.memStats?.numForcedGC ?? s?.forced ?? 0;
  const total = inp.memStats?.numGC ?? s?.cycles ?? 0;
  if (forced >= 3 && total > 0 && forced >= 0.05 * total) {
    out.push({
      id: "forced-gc",
      severity: forced >= 0.25 * total ? "warning" : "info",
      title: "many forced GCs (runtime.GC / debug.FreeOSMemory calls)",
      evidence: [`${forced} of ${total} cycles were forced`],
      suggestion: "remove explicit runtime.GC()/debug.FreeOSMemory() calls; set GOMEMLIMIT instead if memory must be returned",
    });
  }

  const c = inp.cpuShare;
  if (c && c.markPercent >= 5 && c.markrootOfMarkPercent > 40) {
    out.push({
      id: "markroot-heavy",
      severity: "info",
      title: "root marking dominates mark time",
      evidence: [`markroot is ${f1(c.markrootOfMarkPercent)} % of mark CPU (mark is ${f1(c.markPercent)} % of the profile)`],
      suggestion: "many goroutine stacks or large pointer-dense globals: pool or flatten them (fewer pointers), fewer goroutines",
    });
  }

  const a = inp.allocs;
  if (a && a.totalAllocBytes > 0) {
    const large = a.sites.filter((x) => x.large && x.allocBytes >= 0.1 * a.totalAllocBytes);
    if (large.length > 0) {
      out.push({
        id: "large-allocations",
        severity: "info",
        title: "large objects (> 32 KB) allocated straight from the heap",
        evidence: large.slice(0, 3).map((x) => `${x.name} (${x.file.split("/").pop()}:${x.line}): ${f1((100 * x.allocBytes) / a.totalAllocBytes)} % of bytes, ${Math.round(x.avgObjectBytes / 1024)} KB per object`),
        suggestion: "reuse large buffers (sync.Pool) or size them once",
        functions: large.slice(0, 3).map((x) => x.name),
      });
    }
  }

  const g = inp.growth;
  if (g && g.length > 0 && g[0].growthBytes >= 1 << 20) {
    out.push({
      id: "inuse-growth",
      severity: "warning",
      title: "in-use heap grew between the two heap profiles",
      evidence: g.slice(0, 3).map((x) => `${x.name} (${x.file.split("/").pop()}:${x.line}): +${f1(x.growthBytes / (1 << 20))} MB in use`),
      suggestion: "the first site holds memory it never releases: check caches, maps and slices it appends to",
      functions: g.slice(0, 3).map((x) => x.name),
    });
  }
  return out;
}
