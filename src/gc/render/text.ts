// Text rendering of `godiag gc` (fits 100 columns). JSON is the GcReport itself.

import type { GcReport } from "../analyze/analyze.js";
import type { Scenario } from "../analyze/whatif.js";

const W = 100;

function fmt(x: number, d = 1): string {
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "-";
  return x.toFixed(d);
}

function bytes(b: number): string {
  const a = Math.abs(b);
  if (a >= 1 << 30) return `${fmt(b / (1 << 30), 2)}GB`;
  if (a >= 1 << 20) return `${fmt(b / (1 << 20), 2)}MB`;
  if (a >= 1 << 10) return `${fmt(b / (1 << 10), 2)}kB`;
  return `${b}B`;
}

function clip(s: string): string {
  const cs = [...s];
  return cs.length <= W ? s : cs.slice(0, W - 1).join("") + "…";
}

/** Word-wrap text to 100 columns; continuation lines get the indent plus two spaces. */
function wrap(first: string, text: string): string[] {
  const out: string[] = [];
  let line = first;
  for (const word of text.split(" ")) {
    if (line.length + 1 + word.length > W && line.trim().length > first.trim().length) {
      out.push(line);
      line = " ".repeat(first.length + 2) + word;
    } else {
      line += (line.endsWith(" ") || line.length === 0 ? "" : " ") + word;
    }
  }
  out.push(line);
  return out.map(clip);
}

function base(file: string): string {
  return file.split("/").pop() ?? file;
}

/** Aligned columns; the caller's indent counts toward the 100-column width. */
function table(rows: string[][], rightAlign: boolean[], indent = "  "): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  const pad = (c: string, w: number, right: boolean) => (right ? " ".repeat(w - [...c].length) + c : c + " ".repeat(w - [...c].length));
  return rows.map((r) => clip(indent + r.map((c, i) => pad(c, widths[i], rightAlign[i])).join("  ").trimEnd()));
}

function scenarioRow(s: Scenario): string[] {
  return [
    String(s.gogc),
    s.limitMB !== undefined ? `${fmt(s.limitMB, 0)}MB` : "-",
    fmt(s.goalMB),
    fmt(s.gcPerSec, 2),
    fmt(s.gcCpuPercent),
    fmt(s.peakHeapMB),
    s.thrash ? "thrash" : s.limitBound ? "limit" : "",
  ];
}

export function renderGcText(r: GcReport, opts: { cycles?: boolean } = {}): string {
  const out: string[] = [];
  const g = r.gctrace;
  if (g) {
    const s = g.summary;
    out.push(`GC cycles: ${base(g.file)} (${s.cycles} cycles over ${fmt(s.spanSec)} s, ${s.procs} P; ${g.skipped} other lines skipped)`);
    out.push(`  frequency   ${fmt(s.gcPerSec, 2)} GC/s, interval p50 ${fmt(s.intervalSec.p50 * 1000)} ms, forced ${s.forced}`);
    out.push(
      `  STW pause   p50 ${fmt(s.pauseMs.p50, 3)}  p95 ${fmt(s.pauseMs.p95, 3)}  p99 ${fmt(s.pauseMs.p99, 3)}  max ${fmt(s.pauseMs.max, 3)} ms` +
        `  (total ${fmt(s.pauseMs.total)} ms)`,
    );
    out.push(`  mark        p50 ${fmt(s.markMs.p50, 2)}  p95 ${fmt(s.markMs.p95, 2)}  max ${fmt(s.markMs.max, 2)} ms (concurrent)`);
    out.push(`  GC CPU      ${fmt(s.gcCpuPercent)} % from cpu fields, ${s.lineCpuPercent} % by the runtime; assists ${fmt(s.assistPercent)} % of mark`);
    out.push(
      `  heap MB     start p50 ${s.heapStartMB.p50}  end p50 ${s.heapEndMB.p50}  live ${s.liveMB.first} → ${s.liveMB.last} ` +
        `(max ${s.liveMB.max})  goal p50 ${s.goalMB.p50}`,
    );
    out.push(`  allocation  ≈ ${fmt(s.allocRateMBps)} MB/s (from heap start/end/live)`);
    if (opts.cycles) {
      out.push("");
      const rows = [["gc", "@s", "pause ms", "mark ms", "cpu ms", "start", "end", "live", "goal", ""]];
      for (const c of g.cycles) {
        rows.push([String(c.n), fmt(c.atSec, 3), fmt(c.pauseMs, 3), fmt(c.markMs, 2), fmt(c.gcCpuMs, 2), String(c.heapStartMB), String(c.heapEndMB), String(c.liveMB), String(c.goalMB), c.forced ? "forced" : ""]);
      }
      out.push(...table(rows, [true, true, true, true, true, true, true, true, true, false]));
    }
    out.push("");
  }
  const m = r.memStats;
  if (m) {
    out.push(`MemStats: ${base(m.file)} (${m.source})`);
    out.push(`  NumGC ${m.numGC} (forced ${m.numForcedGC}), GCCPUFraction ${fmt(m.gcCpuPercent, 2)} %, ${fmt(m.gcPerSec, 2)} GC/s (PauseEnd)`);
    out.push(`  HeapAlloc ${fmt(m.heapAllocMB)} MB, HeapInuse ${fmt(m.heapInuseMB)} MB, NextGC ${fmt(m.nextGCMB)} MB, Sys ${fmt(m.sysMB)} MB`);
    out.push(`  pause (last ${m.pauseMs.n}) p50 ${fmt(m.pauseMs.p50, 3)}  p95 ${fmt(m.pauseMs.p95, 3)}  p99 ${fmt(m.pauseMs.p99, 3)}  max ${fmt(m.pauseMs.max, 3)} ms`);
    out.push("");
  }
  const e = r.gcRate;
  if (e && !r.gctrace && !r.memStats) {
    out.push(`GC rate estimated from heap profiles: ${base(e.files[0])} -> ${base(e.files[1])} (${fmt(e.intervalSeconds, 2)} s apart)`);
    out.push(`  ~${fmt(e.gcPerSec)} GC/s: ${bytes(Math.round(e.allocBytesPerSec))}/s allocated, live heap ${bytes(e.liveBytes)}, GOGC ${e.gogc} (~${fmt(e.cycles, 0)} cycles)`);
    out.push("");
  }
  const c = r.cpuShare;
  if (c) {
    out.push(`GC share of CPU profile: ${base(c.file)}`);
    out.push(`  GC ${fmt(c.gcPercent)} %: mark workers ${fmt(c.markWorkerPercent)} %, assists ${fmt(c.assistPercent)} %, sweep ${fmt(c.sweepPercent)} %`);
    out.push(`  markroot ${fmt(c.markrootPercent)} % (${fmt(c.markrootOfMarkPercent)} % of mark), scanobject ${fmt(c.scanobjectPercent)} %, mallocgc ${fmt(c.mallocPercent)} %`);
    out.push("");
  }
  const a = r.allocs;
  if (a) {
    out.push(`Allocation sites: ${base(a.file)} (${bytes(a.totalAllocBytes)} in ${a.totalAllocObjects} objects allocated, ${bytes(a.totalInuseBytes)} in use)`);
    const rows = [["alloc_space", "%", "alloc_objects", "avg", "inuse", "site"]];
    for (const s of a.bySpace) {
      rows.push([
        bytes(s.allocBytes),
        fmt(a.totalAllocBytes ? (100 * s.allocBytes) / a.totalAllocBytes : 0),
        String(s.allocObjects),
        bytes(Math.round(s.avgObjectBytes)) + (s.large ? "!" : ""),
        bytes(s.inuseBytes),
        `${s.name} ${base(s.file)}:${s.line}`,
      ]);
    }
    out.push(...table(rows, [true, true, true, true, true, false]));
    if (a.bySpace.some((x) => x.large)) out.push("  ! average object > 32 KB: allocated straight from the heap, not from a size class");
    if (a.byObjects.length > 0) {
      const top = a.byObjects.slice(0, 3).map((s) => `${s.name} ${base(s.file)}:${s.line} (${s.allocObjects})`);
      out.push(...wrap("  most objects:", top.join(", ")));
    }
    out.push("");
  }
  if (r.growth) {
    out.push(`In-use growth: ${base(r.growth.file)} vs ${base(r.growth.base)}`);
    for (const s of r.growth.sites) out.push(clip(`  +${bytes(s.growthBytes).padEnd(10)} ${s.name} ${base(s.file)}:${s.line}`));
    out.push("");
  }
  if (r.escapes) {
    out.push(`Hot allocations that escape: ${base(r.escapes.file)} (${r.escapes.entries} heap diagnostics)`);
    for (const e of r.escapes.hot) {
      out.push(clip(`  ${bytes(e.allocBytes).padStart(9)}  ${e.site} ${base(e.file)}:${e.line}`));
      for (const x of e.escapes) {
        const why = x.reasons.length ? ` (${x.reasons.join(", ")})` : "";
        out.push(clip(`             ${x.kind === "moved" ? "moved to heap: " + x.what : x.what + " escapes to heap"}${why}`));
      }
    }
    out.push("");
  }
  const w = r.whatIf;
  if (w) {
    const mo = w.model;
    out.push(
      clip(
        `What-if (live ${fmt(mo.liveMB)} MB, allocation ${fmt(mo.allocRateMBps)} MB/s, ${fmt(mo.cpuMsPerScanMB, 3)} ms CPU/MB marked, ` +
          `${mo.procs} P; model in docs/GC.md)`,
      ),
    );
    const rows = [["GOGC", "limit", "goal MB", "GC/s", "GC CPU %", "peak MB", ""]];
    for (const s of w.scenarios) rows.push(scenarioRow(s));
    if (w.limitScenario) rows.push(scenarioRow(w.limitScenario));
    out.push(...table(rows, [true, true, true, true, true, true, false]));
    if (w.recommendation) {
      const rec = w.recommendation;
      const lim = rec.limitMB !== undefined ? ` GOMEMLIMIT=${Math.floor(rec.limitMB)}MiB` : "";
      out.push(...wrap(`  recommend (${rec.goal}): GOGC=${rec.gogc}${lim}:`, rec.why));
    }
    out.push("");
  }
  out.push(r.findings.length === 0 ? "Findings: none" : "Findings:");
  for (const f of r.findings) {
    out.push(clip(`  [${f.severity}] ${f.title}`));
    for (const e of f.evidence) out.push(...wrap("      -", e));
    out.push(...wrap("      →", f.suggestion));
    if (f.functions && f.functions.length > 0) out.push(...wrap("      at", f.functions.join(", ")));
  }
  for (const wn of r.warnings) out.push(...wrap("warning:", wn));
  return out.join("\n") + "\n";
}
