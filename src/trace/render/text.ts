// Terminal text for `godiag trace`: what a Go engineer looks at first in an execution
// trace — GC and stop-the-world cost, MMU, who waited for the scheduler and why
// goroutines blocked, user tasks and regions, long runs. Fits 100 columns.

import { nonOverlapping, type ExecStats } from "../analyze/exec-stats.js";
import type { Latency } from "../analyze/groups.js";
import type { TraceReport } from "../analyze/report.js";
import type { TypeReport } from "../analyze/tasks.js";
import type { StackFrame } from "../model/event.js";

const WIDTH = 100;

/** A duration the way Go engineers read them: 3 significant digits, ns..s. */
export function fmtDur(ns: number): string {
  if (!Number.isFinite(ns)) return "-";
  const a = Math.abs(ns);
  const f = (v: number, u: string) => `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${u}`;
  if (a < 1e3) return `${Math.round(ns)}ns`;
  if (a < 1e6) return f(ns / 1e3, "µs");
  if (a < 1e9) return f(ns / 1e6, "ms");
  return f(ns / 1e9, "s");
}

const pct = (x: number, total: number) => (total > 0 ? `${((100 * x) / total).toFixed(1)}%` : "-");
const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);
const clip = (s: string, n: number) => (s.length <= n ? s : s.slice(0, Math.max(0, n - 1)) + "…");
const lat = (l: Latency) => (l.count ? `p50 ${fmtDur(l.p50Ns)}  p90 ${fmtDur(l.p90Ns)}  p99 ${fmtDur(l.p99Ns)}  max ${fmtDur(l.maxNs)}` : "none");

function shortFile(f: string): string {
  const parts = f.split("/");
  return parts.slice(-2).join("/");
}

/** The runtime's preemption frames say only "preempted"; the code that ran is below them. */
const PREEMPT_FRAME = /^runtime\.(asyncPreempt2?|gopreempt_m|goschedIfBusy|Gosched|newstack|morestack)$/;

function stackLines(all: readonly StackFrame[], indent: string, max = 6): string[] {
  let skip = 0;
  while (skip < all.length - 1 && PREEMPT_FRAME.test(all[skip].func)) skip++;
  let fs = all.slice(skip);
  // Keep the innermost frame (what it was doing) and jump to the first frame outside the
  // runtime (the code that got it there), which is what a reader acts on.
  const firstUser = fs.findIndex((f) => !f.func.startsWith("runtime.") && !f.func.startsWith("internal/"));
  let elided = 0;
  if (firstUser > 1 && firstUser >= max) {
    elided = firstUser - 1;
    fs = [fs[0], ...fs.slice(firstUser)];
  }
  const out = fs.slice(0, max).flatMap((f, i) => {
    const loc = `${shortFile(f.file)}:${f.line}`;
    const room = WIDTH - indent.length - loc.length - 2;
    const line = `${indent}${pad(clip(f.func, room), room)}  ${loc}`;
    return i === 1 && elided ? [`${indent}... ${elided} runtime frames`, line] : [line];
  });
  if (fs.length > max) out.push(`${indent}... ${fs.length - max} more`);
  return out;
}

/** The largest non-overlapping categories, e.g. "exec 40% · sched 30% · block (chan receive) 20%". */
function split(m: Map<string, number>, n = 4): string {
  let total = 0;
  for (const v of m.values()) total += v;
  const short = (k: string) =>
    k === "Execution time"
      ? "exec"
      : k === "Sched wait time"
        ? "sched wait"
        : k === "Syscall execution time"
          ? "in syscall"
          : k === "Block time (syscall)"
            ? "blocked in syscall"
            : k === "Unknown time"
              ? "unknown"
              : k === "Block time ()"
                ? "blocked (no reason)"
                : k.replace(/^Block time \((.*)\)$/, "$1");
  return [...m]
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${short(k)} ${pct(v, total)}`)
    .join(" · ");
}

function statsSplit(s: ExecStats): string {
  return split(nonOverlapping(s));
}

function typeLines(title: string, ts: TypeReport[]): string[] {
  if (ts.length === 0) return [];
  const out = ["", title];
  for (const t of ts.slice(0, 15)) {
    const inc = t.incomplete ? ` (+${t.incomplete} incomplete)` : "";
    out.push(`  ${pad(clip(t.type, 30), 30)} n=${t.count}${inc}  ${lat(t.latency)}`);
    if (t.split.size) out.push(clip(`    time: ${split(t.split)}`, WIDTH));
    const worst = t.slowest[0];
    if (worst) {
      const what = title.startsWith("User tasks") ? "task" : "goroutine";
      const where = worst.split.size ? split(worst.split, 3) : "(no regions: time not attributed)";
      out.push(clip(`    slowest: ${fmtDur(worst.durationNs)} (${what} ${worst.id}): ${where}`, WIDTH));
    }
  }
  return out;
}

export function renderTraceText(r: TraceReport): string {
  const s = r.summary;
  const out: string[] = [];
  out.push(`Execution trace ${r.file} (go1.${r.version} format, ${r.generations} generation${r.generations === 1 ? "" : "s"})`);
  // The header names the file; the reader's warnings start with it too.
  for (const w of r.warnings) out.push(`warning: ${w.startsWith(r.file + ": ") ? w.slice(r.file.length + 2) : w}`);
  out.push(`  duration ${fmtDur(s.durationNs)}, GOMAXPROCS ${s.gomaxprocs}, goroutines created ${s.goroutinesCreated}, ended ${s.goroutinesEnded}`);
  const busy = s.utilisation.map((b) => b.busy);
  if (busy.length) {
    const levels = " ▁▂▃▄▅▆▇█";
    out.push(`  Ps busy  |${busy.map((b) => levels[b > 0 ? Math.max(1, Math.min(8, Math.round(b * 8))) : 0]).join("")}|  mean ${pct(busy.reduce((a, b) => a + b, 0), busy.length)}`);
  }
  out.push("");
  out.push("GC");
  const cpu = s.durationNs * Math.max(1, s.gomaxprocs);
  let workers = 0;
  for (const v of s.gcWorkerNs.values()) workers += v;
  out.push(`  cycles ${s.gcCycles}; mark workers ran ${fmtDur(workers)} (${pct(workers, cpu)} of CPU time)`);
  if (s.gcWorkerNs.size) out.push(`    ${[...s.gcWorkerNs].map(([k, v]) => `${k} ${fmtDur(v)}`).join(", ")}`);
  out.push(`  mark assists ${s.markAssist.count}, total ${fmtDur(s.markAssist.totalNs)}, longest ${fmtDur(s.markAssist.maxNs)}`);
  out.push(`  stop-the-world ${s.stw.count}, total ${fmtDur(s.stw.totalNs)} (${pct(s.stw.totalNs, s.durationNs)} of wall time), longest ${fmtDur(s.stw.maxNs)}`);
  for (const [reason, d] of [...s.stwByReason].sort((a, b) => b[1].totalNs - a[1].totalNs)) {
    out.push(`    ${pad(clip(reason, 32), 32)} ${lpad(String(d.count), 5)}  total ${lpad(fmtDur(d.totalNs), 8)}  max ${lpad(fmtDur(d.maxNs), 8)}`);
  }
  if (r.mmu.length) {
    const flags = Object.entries(r.mmuFlags).filter(([, v]) => v).map(([k]) => k).join("+");
    // Two aligned rows (window, MMU) keep ten windows within 100 columns.
    const win = (ns: number) => (ns >= 1e9 && ns % 1e9 === 0 ? `${ns / 1e9}s` : ns % 1e6 === 0 ? `${ns / 1e6}ms` : fmtDur(ns));
    const cols = r.mmu.map((p) => [win(p.windowNs), `${(100 * p.mmu).toFixed(0)}%`]);
    out.push(`  minimum mutator utilisation (${flags}); over the whole trace ${(100 * r.wholeTraceUtil).toFixed(1)}%`);
    out.push(`    window ${cols.map(([w]) => lpad(w, 6)).join("")}`);
    out.push(`    MMU    ${cols.map(([, m]) => lpad(m, 6)).join("")}`);
  }
  out.push("");
  out.push(`Scheduler latency (runnable -> running): n=${r.schedLatency.count}  ${lat(r.schedLatency)}`);
  out.push("");
  out.push("Goroutine groups (by start function; sorted by execution time)");
  out.push(`  ${pad("start function", 44)} ${lpad("count", 6)} ${lpad("exec", 9)} ${lpad("sched wait", 10)} ${lpad("p99 sched", 9)}`);
  for (const g of r.groups.slice(0, 15)) {
    out.push(
      `  ${pad(clip(g.name || "(no stack seen)", 44), 44)} ${lpad(String(g.count), 6)} ${lpad(fmtDur(g.stats.execNs), 9)} ${lpad(fmtDur(g.stats.schedWaitNs), 10)} ${lpad(g.schedLatency.count ? fmtDur(g.schedLatency.p99Ns) : "-", 9)}`,
    );
    out.push(`      ${clip(statsSplit(g.stats), WIDTH - 6)}`);
  }
  if (r.groups.length > 15) out.push(`  ... ${r.groups.length - 15} more groups (--json lists all)`);
  out.push(...typeLines("User tasks (latency; time split over their regions)", r.tasks));
  out.push(...typeLines("User regions (latency; the goroutine's time inside)", r.regions));
  const lr = r.longRuns;
  if (lr.runs.length || lr.stwDelays.length) {
    out.push("");
    out.push(`Long runs (>= ${fmtDur(lr.thresholdNs)} on a P while others waited runnable)`);
    for (const x of lr.runs.slice(0, 5)) {
      out.push(`  goroutine ${x.goroutine} ${clip(x.name, 50)} ran ${fmtDur(x.durationNs)} at +${fmtDur(x.startNs - s.startNs)}`);
      out.push(`    others waited ${fmtDur(x.othersRunnableNs)} runnable meanwhile (up to ${x.maxRunnable} at once); it stopped at:`);
      out.push(...stackLines(r.stacks.get(x.endStack) ?? [], "      ", 3));
    }
    for (const x of lr.stwDelays.slice(0, 5)) {
      out.push(`  stop-the-world (${clip(x.reason, 30)}) at +${fmtDur(x.startNs - s.startNs)} waited ${fmtDur(x.waitedNs)} to stop`);
      out.push(`    goroutine ${x.goroutine} ${clip(x.name, 60)}, which stopped at:`);
      out.push(...stackLines(r.stacks.get(x.endStack) ?? [], "      ", 3));
    }
  }
  if (r.topGoroutines.length) {
    out.push("");
    out.push("Top goroutines by execution time");
    for (const t of r.topGoroutines.slice(0, 5)) {
      const g = t.summary;
      out.push(`  goroutine ${g.id} ${clip(g.name || "(no stack seen)", 60)}: exec ${fmtDur(g.stats.execNs)} of ${fmtDur(g.stats.totalNs)}`);
      out.push(`    ${clip(statsSplit(g.stats), WIDTH - 4)}`);
      if (t.stack.length) out.push(`    ${t.stackIsCreation ? "created at" : "seen at"}:`, ...stackLines(t.stack, "      ", 4));
    }
  }
  return out.join("\n") + "\n";
}
