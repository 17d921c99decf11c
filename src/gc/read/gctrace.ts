// GODEBUG=gctrace=1 output: one line per GC cycle, plus scavenger lines,
// usually interleaved with whatever else the program writes to stderr.
//
// Stable API (benchstat, issue 8, imports it for GC pause ratios):
//
//   parseGcTrace(text: string, file: string): GcTrace
//     cycles    GcCycle[] in input order (see GcCycle for fields; times in ms,
//               heap sizes in MB as the runtime prints them: truncated, 1 MB = 2^20 bytes)
//     scavenger ScavLine[] (Go 1.19+ "scav" lines and older "scvg" lines)
//     skipped   number of non-empty lines that are neither (other stderr text)
//     warnings  string[] (e.g. a gc numbering restart: two processes in one log)
//   stwPauseMs(c) = c.sweepTermMs + c.markTermMs, the cycle's stop-the-world time.
//
// It never throws: unknown lines are counted in `skipped`. Callers decide whether
// a file with no cycles at all is an error (the gc command says "not a gctrace log").
//
// Formats (runtime/mgc.go gcMarkTermination; runtime package doc, GODEBUG gctrace):
//   Go 1.7+:  gc # @#s #%: a+b+c ms clock, a+b/c/d+e ms cpu, #->#-># MB, # MB goal, # P
//   Go 1.18+: ... # MB goal, # MB stacks, # MB globals, # P
//   Go 1.26:  "gc # @#s #% (checking for goroutine leaks): ..." may appear
//   Go 1.5/1.6: five clock phases "sweep termination + scan + synchronize Ps (install
//     write barrier) + mark + mark termination" and seven cpu numbers
//     "sweepTerm+scan+installWB+assist/background/idle+markTerm" (golang/go#13536:
//     from 1.6 scan and synchronize are always 0). We map them onto the 3-phase
//     model: sweepTermMs = a, markMs = b+c+d (all concurrent), markTermMs = e; cpu
//     scan+installWB time counts as background mark time.
//   Any line may end with " (forced)" (runtime.GC()).
// Time values use the runtime's fmtNSAsMS: two significant digits below 10 ms.

/** One GC cycle. */
export interface GcCycle {
  /** GC number (memstats.numgc), from 1 */
  n: number;
  /** seconds since program start when the cycle began */
  atSec: number;
  /** cumulative % of CPU spent in GC since program start (the line's "#%") */
  cpuPercent: number;
  /** wall-clock: STW sweep termination, concurrent mark, STW mark termination (ms) */
  sweepTermMs: number;
  markMs: number;
  markTermMs: number;
  /** CPU time (ms): STW sweep termination (× procs), mark assist, background mark, idle mark, STW mark termination */
  cpuSweepTermMs: number;
  cpuAssistMs: number;
  cpuBackgroundMs: number;
  cpuIdleMs: number;
  cpuMarkTermMs: number;
  /** heap at GC start, at GC end, and live (marked) heap, MB */
  heapStartMB: number;
  heapEndMB: number;
  liveMB: number;
  /** heap goal for this cycle, MB */
  goalMB: number;
  /** scannable stacks / globals (Go 1.18+), MB; undefined on older lines */
  stacksMB?: number;
  globalsMB?: number;
  /** GOMAXPROCS */
  procs: number;
  /** runtime.GC() called by the program */
  forced: boolean;
  /** line format: "go1.5" (5 clock phases) or "go1.7" (3 phases; also newer) */
  format: "go1.5" | "go1.7";
  /** 1-based line number in the input */
  line: number;
}

/** A scavenger line: "scav ..." (Go 1.19+) or "scvg..." (Go ≤ 1.18). */
export interface ScavLine {
  kind: "scav" | "scvg";
  line: number;
  /** scav: KiB released by the background / eager scavenger since the last line */
  releasedBgKiB?: number;
  releasedEagerKiB?: number;
  /** scav: KiB released to the OS in total; util: heap in use / retained, % */
  nowKiB?: number;
  utilPercent?: number;
  /** scvg: summary in MB (inuse, idle, sys, released, consumed), or "N MB released" */
  inuseMB?: number;
  idleMB?: number;
  sysMB?: number;
  releasedMB?: number;
  consumedMB?: number;
  forced: boolean;
}

export interface GcTrace {
  file: string;
  cycles: GcCycle[];
  scavenger: ScavLine[];
  /** non-empty lines that are neither gc nor scavenger lines */
  skipped: number;
  /** lines that started like a gc line but did not parse (subset of skipped) */
  malformed: number;
  warnings: string[];
}

export function stwPauseMs(c: GcCycle): number {
  return c.sweepTermMs + c.markTermMs;
}

// Numbers are plain decimals; every group is bounded by literal separators so the
// match is linear in the line length.
const GC_RE =
  /(?:^|[^A-Za-z0-9_])gc (\d+) @(\d+(?:\.\d+)?)s (\d+)%(?: \([^)]*\))?: ([0-9.+]+) ms clock, ([0-9.+/]+) ms cpu, (\d+)->(\d+)->(\d+) MB, (\d+) MB goal, (?:(\d+) MB stacks, (\d+) MB globals, )?(\d+) P( \(forced\))?/;
const GC_START_RE = /(?:^|[^A-Za-z0-9_])gc \d+ @/;
const SCAV_RE =
  /(?:^|[^A-Za-z0-9_])scav (\d+) KiB work \(bg\), (\d+) KiB work \(eager\), (\d+) KiB now, (\d+)% util( \(forced\))?/;
const SCVG_SUMMARY_RE =
  /(?:^|[^A-Za-z0-9_])scvg\d*: inuse: (\d+), idle: (\d+), sys: (\d+), released: (\d+), consumed: (\d+) \(MB\)/;
const SCVG_RELEASED_RE = /(?:^|[^A-Za-z0-9_])scvg\d*: (\d+) (KB|MB) released/;
// Before Go 1.5: "gc1(1): 0+0+0 ms, 0 -> 0 MB ..." — recognised only to say so.
const PRE15_RE = /^gc\d+\(\d+\): /;

function nums(s: string, sep: RegExp): number[] | null {
  const parts = s.split(sep);
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d+(?:\.\d+)?$/.test(p)) return null;
    out.push(Number(p));
  }
  return out;
}

function parseGcLine(m: RegExpExecArray, lineNo: number): GcCycle | null {
  const clock = nums(m[4], /\+/);
  const cpuParts = m[5].split("/");
  if (clock === null || cpuParts.length !== 3) return null;
  const first = nums(cpuParts[0], /\+/);
  const mid = nums(cpuParts[1], /\+/);
  const last = nums(cpuParts[2], /\+/);
  if (first === null || mid === null || last === null || mid.length !== 1 || last.length !== 2) return null;
  let sweepTermMs: number, markMs: number, markTermMs: number, cpuBackgroundMs: number;
  let format: GcCycle["format"];
  const cpuSweepTermMs = first[0];
  const cpuAssistMs = first[first.length - 1];
  if (clock.length === 3 && first.length === 2) {
    format = "go1.7";
    [sweepTermMs, markMs, markTermMs] = clock;
    cpuBackgroundMs = mid[0];
  } else if (clock.length === 5 && first.length === 4) {
    // Go 1.5/1.6: sweepTerm + scan + installWB + assist / bg / idle + markTerm
    format = "go1.5";
    sweepTermMs = clock[0];
    markMs = clock[1] + clock[2] + clock[3];
    markTermMs = clock[4];
    cpuBackgroundMs = first[1] + first[2] + mid[0];
  } else {
    return null;
  }
  return {
    n: Number(m[1]),
    atSec: Number(m[2]),
    cpuPercent: Number(m[3]),
    sweepTermMs,
    markMs,
    markTermMs,
    cpuSweepTermMs,
    cpuAssistMs,
    cpuBackgroundMs,
    cpuIdleMs: last[0],
    cpuMarkTermMs: last[1],
    heapStartMB: Number(m[6]),
    heapEndMB: Number(m[7]),
    liveMB: Number(m[8]),
    goalMB: Number(m[9]),
    stacksMB: m[10] === undefined ? undefined : Number(m[10]),
    globalsMB: m[11] === undefined ? undefined : Number(m[11]),
    procs: Number(m[12]),
    forced: m[13] !== undefined,
    format,
    line: lineNo,
  };
}

function parseScavLine(line: string, lineNo: number): ScavLine | null {
  let m = SCAV_RE.exec(line);
  if (m) {
    return {
      kind: "scav",
      line: lineNo,
      releasedBgKiB: Number(m[1]),
      releasedEagerKiB: Number(m[2]),
      nowKiB: Number(m[3]),
      utilPercent: Number(m[4]),
      forced: m[5] !== undefined,
    };
  }
  if ((m = SCVG_SUMMARY_RE.exec(line))) {
    return {
      kind: "scvg",
      line: lineNo,
      inuseMB: Number(m[1]),
      idleMB: Number(m[2]),
      sysMB: Number(m[3]),
      releasedMB: Number(m[4]),
      consumedMB: Number(m[5]),
      forced: line.includes("(forced)"),
    };
  }
  if ((m = SCVG_RELEASED_RE.exec(line))) {
    const v = Number(m[1]);
    return { kind: "scvg", line: lineNo, releasedMB: m[2] === "KB" ? v / 1024 : v, forced: line.includes("(forced)") };
  }
  return null;
}

export function parseGcTrace(text: string, file: string): GcTrace {
  const out: GcTrace = { file, cycles: [], scavenger: [], skipped: 0, malformed: 0, warnings: [] };
  let lineNo = 0;
  let pre15 = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const raw = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    const g = line.includes("gc ") ? GC_RE.exec(line) : null;
    if (g) {
      const c = parseGcLine(g, lineNo);
      if (c) {
        const prev = out.cycles[out.cycles.length - 1];
        if (prev && c.n <= prev.n) {
          out.warnings.push(`${file}:${lineNo}: gc numbering restarts (gc ${c.n} after gc ${prev.n}): more than one process in this log`);
        }
        out.cycles.push(c);
        continue;
      }
    }
    if (line.includes("sc")) {
      const s = parseScavLine(line, lineNo);
      if (s) {
        out.scavenger.push(s);
        continue;
      }
    }
    out.skipped++;
    if (GC_START_RE.test(line)) {
      out.malformed++;
      if (out.malformed <= 3) out.warnings.push(`${file}:${lineNo}: unrecognised gc line skipped`);
    } else if (PRE15_RE.test(line)) {
      pre15++;
    }
  }
  if (pre15 > 0) out.warnings.push(`${file}: ${pre15} pre-Go 1.5 gctrace lines (gcN(N): ...) are not supported and were skipped`);
  return out;
}
