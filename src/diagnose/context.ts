// What the rules see: the bundle's files by kind, with analyses computed once and
// shared (several rules read the same CPU profile's attribution), and what the
// files prove about time: the order and interval of snapshots (bundle/order.ts) and
// the process' uptime, the window of its cumulative block and mutex profiles.

import { dumpFacts, seriesOf, type Bundle, type BundleFile, type FileKind, type SnapshotSeries } from "../bundle/index.js";
import { StackFrames, type Profile } from "../core/model/index.js";
import { addDumpFrames, parseGoroutineData, type GoroutineDump } from "../goroutines/index.js";
import { CodeOriginsBuilder, type CodeOrigins } from "../core/go/index.js";
import { parseProfileData, symbolizeFromComments } from "../core/codec/index.js";
import { textOf } from "../core/input/index.js";
import { memStatsFromProfile, parseExpvar, parseGcTrace, type GcCycle, type GcTrace, type MemStats } from "../gc/index.js";
import { readTraces, type TraceInput } from "./trace-input.js";

export interface ProfileInput {
  file: BundleFile;
  profile: Profile;
  frames: StackFrames;
  /**
   * Seconds of wall time the profile's values accumulated over, when known:
   * the CPU profile's duration, a delta profile's ?seconds=N, or (for cumulative
   * block/mutex profiles) the process' uptime when the profile was taken
   * (DiagnoseContext.uptimeAt). undefined when we cannot tell; rules then use
   * relative thresholds.
   */
  seconds?: number;
  /**
   * A cumulative block/mutex profile whose window is not known but is at least
   * this long (the process had run that long when the profile was taken): rates
   * over it are upper bounds. Set only when seconds is not.
   */
  secondsAtLeast?: number;
  /** where seconds (or secondsAtLeast) came from, one line a rule can quote in evidence */
  secondsSource?: string;
  /**
   * what seconds is: "duration" the profile's own window (DurationNanos, ?seconds=N);
   * "uptime" the process' measured age when the profile was taken (a cumulative
   * profile covers it when profiling was enabled at start-up);
   * "uptime-lower-bound" secondsAtLeast is set instead of seconds
   */
  secondsBasis?: "duration" | "uptime" | "uptime-lower-bound";
}

export type ProfileKind = "cpu" | "heap" | "allocs" | "block" | "mutex" | "goroutine" | "threadcreate";

/** How long the process had been running, and how we know. */
export interface Uptime {
  seconds: number;
  /**
   * "measured": the process' start time is known (MemStats GC end times matched to
   * gctrace's seconds-since-start) and seconds is its age at `at`;
   * "lower-bound": it had run at least this long (gctrace's last "@S s", the longest
   * goroutine wait) by `at`, or by some moment of the capture when `at` is absent;
   * "estimate": an extrapolation (goroutine ids at the rate they grew between dumps)
   */
  quality: "measured" | "lower-bound" | "estimate";
  /** one line for evidence */
  source: string;
  /** RFC 3339: the moment `seconds` refers to, when known */
  at?: string;
  /** RFC 3339 process start, when measured */
  started?: string;
  /** the files it rests on */
  files: string[];
}

/** Time sources absolute enough to date a file against the process start (not mtime: copies and checkouts reset it). */
const DATED = new Set(["manifest", "proto", "content", "name"]);
/** Process starts derived from different GCs that differ more than this: not one process; no measurement. */
const MAX_START_SPREAD_MS = 2000;

interface UptimeEvidence {
  /** ms since 1970 */
  started?: { ms: number; source: string; files: string[] };
  /** lower bounds, largest first */
  bounds: Uptime[];
  estimate?: Uptime;
}

export class DiagnoseContext {
  // Keyed by the computing function itself, so two rules asking for the same
  // analysis share it and no two analyses can collide on a name.
  private readonly memo = new Map<(ctx: DiagnoseContext) => unknown, unknown>();
  private readonly profiles = new Map<ProfileKind, ProfileInput | undefined>();

  constructor(readonly bundle: Bundle) {}

  /** Files of a kind, oldest first (see BundleFile.time, timeSource, sincePrevious). */
  files(kind: FileKind): BundleFile[] {
    return this.bundle.files.filter((f) => f.kind === kind);
  }

  /** Snapshots of a kind first -> last: what proved their order, and the interval with its source. */
  series(kind: FileKind): SnapshotSeries {
    return seriesOf(this.files(kind));
  }

  /** The latest decoded profile of a kind (proto only), decoded once. */
  profile(kind: ProfileKind): ProfileInput | undefined {
    if (!this.profiles.has(kind)) this.profiles.set(kind, this.pickProfile(kind));
    return this.profiles.get(kind);
  }

  /** The goroutine debug=2 dumps (or tracebacks), oldest first, each parsed once with the bundle's limits. */
  goroutineDumps(): Array<{ file: BundleFile; dump: GoroutineDump }> {
    return this.once(parseDumps);
  }

  /** gctrace logs, each parsed once (the GC rule and the uptime both read them); a parse error is kept, not thrown. */
  gcTraces(): Array<{ file: BundleFile; trace?: GcTrace; error?: Error }> {
    return this.once(parseTraces);
  }

  /** MemStats from heap?debug=1 and /debug/vars, each parsed once; null when a heap profile has no MemStats block. */
  memStats(): Array<{ file: BundleFile; stats?: MemStats | null; error?: Error }> {
    return this.once(parseMemStats);
  }

  /**
   * Execution traces, each read and analysed once with the bundle's limits; one that
   * cannot be read is left out with a warning in the bundle's warnings.
   */
  traces(): TraceInput[] {
    return this.once(parseTraceFiles);
  }

  /**
   * Which packages are dependencies, as the bundle's profiles and goroutine dumps prove
   * by their source file paths (core/go/origins.ts): rules name the innermost frame of
   * the user's own module with originOf(fn, ctx.origins()). Learned once per bundle.
   */
  origins(): CodeOrigins {
    return this.once(learnOrigins);
  }

  /** Compute an analysis of this bundle once; later calls with the same function share it. */
  once<T>(compute: (ctx: DiagnoseContext) => T): T {
    if (this.memo.has(compute)) return this.memo.get(compute) as T;
    const v = compute(this);
    this.memo.set(compute, v);
    return v;
  }

  /**
   * The process' uptime as the files prove it, best first: measured (at the last
   * dated file), else the largest lower bound, else an estimate; undefined when
   * nothing tells.
   */
  uptime(): Uptime | undefined {
    const ev = this.once(uptimeEvidence);
    if (ev.started) {
      const dated = this.bundle.files.filter((f) => DATED.has(f.timeSource)).map((f) => Date.parse(f.time));
      if (dated.length > 0) return measured(ev.started, Math.max(...dated));
    }
    return ev.bounds[0] ?? ev.estimate;
  }

  /**
   * The process' age when a file was taken: measured, else the largest lower bound
   * that holds at that moment (a dated bound moved to the file's time). undefined
   * when the file's time is not dated or nothing bounds it; an undated bound (the
   * last gctrace line, written before or after the file was fetched) does not.
   */
  uptimeAt(file: BundleFile): Uptime | undefined {
    const ev = this.once(uptimeEvidence);
    if (!DATED.has(file.timeSource)) return undefined;
    const t = Date.parse(file.time);
    if (ev.started && t > ev.started.ms) return measured(ev.started, t);
    let best: Uptime | undefined;
    for (const lb of ev.bounds) {
      if (lb.at === undefined) continue;
      // Earlier than the bound's moment, the process was younger by the difference.
      const shift = (t - Date.parse(lb.at)) / 1000;
      const s = lb.seconds + shift;
      if (s > 0 && (best === undefined || s > best.seconds)) {
        const moved = Math.abs(shift) >= 0.05 ? ` ${shift >= 0 ? "+" : "-"} ${Math.abs(shift).toFixed(1)} s to ${file.path}` : "";
        best = { ...lb, seconds: s, at: new Date(t).toISOString(), source: `${lb.source}${moved}` };
      }
    }
    return best;
  }

  private pickProfile(kind: ProfileKind): ProfileInput | undefined {
    // Prefer a profile over a known window (a delta profile, the CPU profile) to a
    // cumulative one; among equals, the latest.
    const fs = this.files(kind).filter((f) => f.profile !== undefined);
    const windowed = fs.filter((f) => f.seconds !== undefined);
    const file = windowed[windowed.length - 1] ?? fs[fs.length - 1];
    if (!file) return kind === "heap" ? this.heapFromText() : undefined;
    const profile = file.profile!;
    return { file, profile, frames: new StackFrames(profile), ...this.secondsFor(file, profile) };
  }

  /**
   * Without a heap proto, the heap profile in heap?debug=1 text (what a user who curled
   * only that has): the same samples, named from the text's own `#` lines, since the
   * binary is not at hand to symbolize from (go tool pprof shows such a profile as
   * `<unknown>`). The latest such file; undefined when it cannot be read.
   */
  private heapFromText(): ProfileInput | undefined {
    const file = this.files("heap-debug1").at(-1);
    if (!file) return undefined;
    try {
      const profile = symbolizeFromComments(parseProfileData(file.data, file.path, this.bundle.limits), file.data);
      return { file, profile, frames: new StackFrames(profile), ...this.secondsFor(file, profile) };
    } catch {
      return undefined;
    }
  }

  private secondsFor(file: BundleFile, profile: Profile): Pick<ProfileInput, "seconds" | "secondsAtLeast" | "secondsSource" | "secondsBasis"> {
    if (profile.durationNanos > 0) {
      return { seconds: profile.durationNanos / 1e9, secondsSource: `${file.path}: the profile's duration`, secondsBasis: "duration" };
    }
    if (file.seconds !== undefined) {
      return { seconds: file.seconds, secondsSource: `${file.path}: ?seconds=${file.seconds} (manifest)`, secondsBasis: "duration" };
    }
    // A cumulative profile of a process the capture itself started covers the
    // process' life, which the manifest's CPU profile window spans (our workloads,
    // `godiag run`). Only trust that when the manifest says the target was started
    // by the capture.
    if (this.bundle.manifest?.env?.["startedByCapture"] === "true") {
      const cpu = this.files("cpu")[0];
      if (cpu?.seconds === undefined) return {};
      return { seconds: cpu.seconds, secondsSource: `the capture started the process and profiled its CPU for ${cpu.seconds} s (manifest)`, secondsBasis: "uptime" };
    }
    // Cumulative block and mutex profiles (fetched without ?seconds) hold what
    // accumulated since profiling was enabled, usually at start-up: the uptime.
    // A lower bound of it only bounds rates from above: secondsAtLeast, not seconds.
    if (file.kind === "block" || file.kind === "mutex") {
      const u = this.uptimeAt(file);
      if (u?.quality === "measured") return { seconds: u.seconds, secondsSource: `process uptime: ${u.source}`, secondsBasis: "uptime" };
      if (u?.quality === "lower-bound") {
        return { secondsAtLeast: u.seconds, secondsSource: `process uptime, at least: ${u.source}`, secondsBasis: "uptime-lower-bound" };
      }
    }
    return {};
  }
}

function measured(started: NonNullable<UptimeEvidence["started"]>, atMs: number): Uptime {
  return {
    seconds: (atMs - started.ms) / 1000,
    quality: "measured",
    source: started.source,
    at: new Date(atMs).toISOString(),
    started: new Date(started.ms).toISOString(),
    files: started.files,
  };
}

const round = (x: number, d = 1): string => x.toFixed(d);
const gcClockMs = (c: GcCycle): number => c.sweepTermMs + c.markMs + c.markTermMs;

/** Everything the bundle proves about the process' age. */
function uptimeEvidence(ctx: DiagnoseContext): UptimeEvidence {
  const ev: UptimeEvidence = { bounds: [] };
  // gctrace: "gc N @S s" is S seconds after the process started. A log holding
  // more than one run (numbering restarts) speaks for its last run only.
  const traces: Array<{ file: string; cycles: GcCycle[] }> = [];
  for (const { file: f, trace } of ctx.gcTraces()) {
    if (!trace) continue;
    const cycles = trace.cycles;
    let from = 0;
    for (let i = 1; i < cycles.length; i++) if (cycles[i]!.n <= cycles[i - 1]!.n) from = i;
    if (cycles.length > from) traces.push({ file: f.path, cycles: cycles.slice(from) });
  }
  for (const t of traces) {
    const last = t.cycles[t.cycles.length - 1]!;
    ev.bounds.push({
      seconds: last.atSec + gcClockMs(last) / 1000,
      quality: "lower-bound",
      source: `${t.file}: its last gctrace line, gc ${last.n} @${last.atSec}s`,
      files: [t.file],
    });
  }
  // MemStats (heap?debug=1, /debug/vars) date GC ends on the wall clock (LastGC,
  // PauseEnd); the gctrace line of the same GC says how long after the start it was.
  const stats: Array<{ file: string; ms: MemStats }> = [];
  // unreadable ones are the GC rule's to report
  for (const { file, stats: ms } of ctx.memStats()) if (ms) stats.push({ file: file.path, ms });
  ev.started = processStart(traces, stats);
  // A goroutine blocked for N minutes: the process is at least that old.
  for (const f of ctx.files("goroutine-debug2")) {
    const facts = dumpFacts(f.data, f.path, ctx.bundle.limits);
    if (facts.maxWaitMinutes === 0) continue;
    let id = 0;
    for (const [g, w] of facts.goroutines) if (w.minutes === facts.maxWaitMinutes) id = g;
    ev.bounds.push({
      seconds: facts.maxWaitMinutes * 60,
      quality: "lower-bound",
      source: `${f.path}: goroutine ${id} has waited ${facts.maxWaitMinutes} minutes`,
      ...(DATED.has(f.timeSource) ? { at: f.time } : {}),
      files: [f.path],
    });
  }
  ev.bounds.sort((a, b) => b.seconds - a.seconds);
  ev.estimate = idEstimate(ctx, ev.bounds[0]?.seconds ?? 0);
  return ev;
}

/** The process' start on the wall clock: MemStats GC end times minus gctrace's "@S s" plus the GC's clock time. */
function processStart(traces: Array<{ file: string; cycles: GcCycle[] }>, stats: Array<{ file: string; ms: MemStats }>): UptimeEvidence["started"] {
  const starts: number[] = [];
  let example = "";
  const files = new Set<string>();
  for (const { file, ms } of stats) {
    // Oldest first: PauseEnd[i] ends GC firstPauseGC+i; LastGC ends GC NumGC.
    const ends = ms.pauseEnd.map((end, i) => ({ n: ms.firstPauseGC + i, end }));
    if (ends.length === 0 && ms.lastGC > 0 && ms.numGC > 0) ends.push({ n: ms.numGC, end: ms.lastGC });
    for (const t of traces) {
      const byN = new Map(t.cycles.map((c) => [c.n, c]));
      for (const { n, end } of ends) {
        const c = byN.get(n);
        if (c === undefined || end <= 0) continue;
        starts.push(end / 1e6 - c.atSec * 1000 - gcClockMs(c));
        files.add(file).add(t.file);
        if (n === ms.numGC) {
          example = `${file}: gc ${n} ended at ${new Date(end / 1e6).toISOString()}; ${t.file}: gc ${n} began @${c.atSec}s and took ${round(gcClockMs(c), 1)} ms`;
        }
      }
    }
  }
  if (starts.length === 0) return undefined;
  starts.sort((a, b) => a - b);
  if (starts[starts.length - 1]! - starts[0]! > MAX_START_SPREAD_MS) return undefined;
  const ms = starts[starts.length >> 1]!;
  const n = starts.length > 1 ? ` (${starts.length} GCs agree within ${round(starts[starts.length - 1]! - starts[0]!, 0)} ms)` : "";
  return { ms, source: `process started ${new Date(ms).toISOString()}: ${example}${n}`, files: [...files] };
}

/**
 * Goroutine ids count the goroutines created: at the rate the highest id grew
 * between two dumps a known time apart, how long the process took to reach it.
 * Assumes a steady rate since start; only offered when nothing better is known.
 */
function idEstimate(ctx: DiagnoseContext, floor: number): Uptime | undefined {
  const files = ctx.files("goroutine-debug2");
  if (files.length < 2) return undefined;
  const s = ctx.series("goroutine-debug2");
  if (!s.interval || s.interval.lowerBound) return undefined;
  const first = dumpFacts(files[0]!.data, files[0]!.path, ctx.bundle.limits);
  const last = dumpFacts(files[files.length - 1]!.data, files[files.length - 1]!.path, ctx.bundle.limits);
  const rate = (last.maxId - first.maxId) / s.interval.seconds;
  if (!(rate > 0)) return undefined;
  const seconds = last.maxId / rate;
  if (seconds < floor) return undefined;
  const lastFile = files[files.length - 1]!;
  return {
    seconds,
    quality: "estimate",
    source: `goroutine ids rose ${first.maxId} -> ${last.maxId} in ${round(s.interval.seconds)} s (${s.interval.source}): ${round(rate)}/s since start would take ${round(seconds)} s`,
    ...(DATED.has(lastFile.timeSource) ? { at: lastFile.time } : {}),
    files: files.map((f) => f.path),
  };
}

// One builder over all inputs: package main seen in any of them clears its own module.
function learnOrigins(ctx: DiagnoseContext): CodeOrigins {
  const b = new CodeOriginsBuilder();
  for (const f of ctx.bundle.files) if (f.profile) b.addProfile(f.profile);
  // without a heap proto, the heap?debug=1 text's own frames (named from its # lines)
  const heap = ctx.profile("heap");
  if (heap && !heap.file.profile) b.addProfile(heap.profile);
  for (const { dump } of ctx.goroutineDumps()) addDumpFrames(b, dump);
  return b.build();
}

function parseDumps(ctx: DiagnoseContext): Array<{ file: BundleFile; dump: GoroutineDump }> {
  return ctx.files("goroutine-debug2").map((file) => {
    const dump = parseGoroutineData(file.data, file.path, ctx.bundle.limits);
    // A cut dump is analysed as far as it goes; the reader of the verdict must know.
    if (dump.truncation !== undefined) ctx.bundle.warnings.push(dump.truncation);
    return { file, dump };
  });
}

function parseTraceFiles(ctx: DiagnoseContext): TraceInput[] {
  return readTraces(ctx.files("trace"), ctx.bundle);
}

function parseTraces(ctx: DiagnoseContext): Array<{ file: BundleFile; trace?: GcTrace; error?: Error }> {
  return ctx.files("gctrace").map((file) => {
    try {
      return { file, trace: parseGcTrace(textOf(file.data, file.path), file.path) };
    } catch (e) {
      return { file, error: e as Error };
    }
  });
}

function parseMemStats(ctx: DiagnoseContext): Array<{ file: BundleFile; stats?: MemStats | null; error?: Error }> {
  const out: Array<{ file: BundleFile; stats?: MemStats | null; error?: Error }> = [];
  for (const file of ctx.files("heap-debug1")) {
    try {
      const p = parseProfileData(file.data, file.path, ctx.bundle.limits);
      if (p.extras.truncation !== undefined) ctx.bundle.warnings.push(p.extras.truncation);
      out.push({ file, stats: memStatsFromProfile(p) });
    } catch (e) {
      out.push({ file, error: e as Error });
    }
  }
  for (const file of ctx.files("expvar")) {
    try {
      out.push({ file, stats: parseExpvar(textOf(file.data, file.path), file.path).memStats });
    } catch (e) {
      out.push({ file, error: e as Error });
    }
  }
  return out;
}
