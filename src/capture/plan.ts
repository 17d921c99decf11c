// Which fetches a capture makes, in what order and with what limits.
//
// Ordering, and why:
//   1. snapshots (goroutine debug=2 #1 first, then goroutine, heap, allocs,
//      block, mutex, threadcreate, heap?debug=1, /debug/vars) run first, a few
//      at a time. They are cheap and instantaneous; taking them before the CPU
//      profile keeps their own cost (stack walks, heap profile writing) out of
//      the CPU profile, which would otherwise show runtime/pprof at the top.
//   2. the window: the CPU profile, then the execution trace, one after the
//      other. The runtime refuses overlapping CPU profiles, and a trace taken
//      during a CPU profile measures the profiler too.
//      Block and mutex *delta* profiles (?seconds=N) run alongside the CPU profile:
//      they are cheap (the server sleeps, then diffs two snapshots) and give the
//      diagnosis contention over a known window, where the cumulative snapshots
//      cover an unknown process lifetime.
//   3. goroutine debug=2 #2, --interval after #1 (default: --seconds, so it lands
//      at the end of the CPU window): the pair is what leak diffs compare.

import type { FileKind } from "../bundle/index.js";
import type { IndexEntry } from "./sources/discover.js";

/** How a response is checked before it is written: a 200 with a login page is not a profile. */
export type ContentKind = "proto" | "goroutine-text" | "heap-text" | "json" | "trace";

export type Phase = "snapshot" | "window" | "window-parallel" | "second-snapshot";

export interface FetchTask {
  /** short name for progress and errors, e.g. "heap", "goroutine debug=2 #1" */
  label: string;
  /** --only name that selects it */
  select: string;
  /** bundle path */
  file: string;
  kind: FileKind;
  url: string;
  content: ContentKind;
  phase: Phase;
  timeoutMs: number;
  /** seconds the fetch covers (CPU profile, trace): the server answers only after them */
  seconds?: number;
  /** the profile's Count on the index page, when listed */
  indexCount?: number;
  /**
   * not known to be served: /debug/vars (the pprof index does not list it), and every
   * profile when there is no index page but profiles answer. Asked once; "nothing here"
   * (404, 410, a page that is not what was asked for) records it as not offered, not as
   * a failure.
   */
  optional?: boolean;
}

export interface PlanOptions {
  /** CPU profile seconds */
  seconds: number;
  /** goroutine debug=2 snapshot spacing (seconds); 0 = one snapshot */
  interval: number;
  /** execution trace seconds; 0 = no trace (opt-in: its overhead is high) */
  traceSeconds: number;
  /** heap?gc=1: run a GC first so in-use figures are current */
  gc: boolean;
  /** --only selection (names from SELECTABLE); empty = everything the index offers */
  only: string[];
  /** per request, for instantaneous fetches (ms) */
  timeoutMs: number;
  /** there is no index page (404, not an index) but profiles answer: index is DEFAULT_INDEX, a guess, so its profiles are optional */
  indexGuessed?: boolean;
  /** most custom profiles (runtime/pprof.NewProfile) fetched from the index; default MAX_CUSTOM_PROFILES */
  maxCustom?: number;
}

/**
 * An index is the service's to write: one listing 10,000 profiles (or a hanging one
 * among them) would take hours. Services register a handful; more are skipped, said.
 */
export const MAX_CUSTOM_PROFILES = 32;

/** Names accepted by --only. */
export const SELECTABLE = [
  "cpu",
  "heap",
  "allocs",
  "block",
  "mutex",
  "goroutine",
  "threadcreate",
  "memstats",
  "trace",
  "vars",
  "proc",
] as const;

/** Index entries that are endpoints, not count profiles, or are handled by name below. */
const NOT_PROFILES = new Set(["cmdline", "symbol", "profile", "trace"]);
const STANDARD = ["heap", "allocs", "block", "mutex", "goroutine", "threadcreate"];

/** What net/http/pprof has listed since Go 1.11 (allocs); used when the index cannot be read. */
export const DEFAULT_INDEX: IndexEntry[] = [...STANDARD, "profile", "trace"].map((name) => ({ name, count: -1 }));

/** Index entries planCapture would fetch as custom profiles, before the cap. */
export function customProfileCount(index: IndexEntry[]): number {
  return index.filter((e) => !NOT_PROFILES.has(e.name) && !STANDARD.includes(e.name) && /^[\w.-]+$/.test(e.name)).length;
}

export function planCapture(base: string, index: IndexEntry[], o: PlanOptions): FetchTask[] {
  const root = base.replace(/\/+$/, "");
  const pp = `${root}/debug/pprof/`;
  const listed = new Map(index.map((e) => [e.name, e.count]));
  const want = (sel: string) => (o.only.length === 0 ? sel !== "trace" || o.traceSeconds > 0 : o.only.includes(sel));
  const has = (name: string) => listed.has(name);
  const count = (name: string) => {
    const c = listed.get(name);
    return c === undefined || c < 0 ? undefined : c;
  };
  const tasks: FetchTask[] = [];
  const snap = (t: Omit<FetchTask, "phase" | "timeoutMs">) => tasks.push({ ...t, phase: "snapshot", timeoutMs: o.timeoutMs });

  if (want("goroutine") && has("goroutine")) {
    snap({ label: "goroutine debug=2 #1", select: "goroutine", file: o.interval > 0 ? "goroutine.debug2.1.txt" : "goroutine.debug2.txt", kind: "goroutine-debug2", url: `${pp}goroutine?debug=2`, content: "goroutine-text" });
    snap({ label: "goroutine", select: "goroutine", file: "goroutine.pb.gz", kind: "goroutine", url: `${pp}goroutine`, content: "proto", indexCount: count("goroutine") });
    snap({ label: "goroutine debug=1", select: "goroutine", file: "goroutine.debug1.txt", kind: "goroutine-debug1", url: `${pp}goroutine?debug=1`, content: "goroutine-text" });
  }
  if (want("heap") && has("heap")) {
    snap({ label: "heap", select: "heap", file: "heap.pb.gz", kind: "heap", url: `${pp}heap${o.gc ? "?gc=1" : ""}`, content: "proto", indexCount: count("heap") });
  }
  for (const name of ["allocs", "block", "mutex", "threadcreate"] as const) {
    if (want(name) && has(name)) {
      snap({ label: name, select: name, file: `${name}.pb.gz`, kind: name, url: `${pp}${name}`, content: "proto", indexCount: count(name) });
    }
  }
  if (want("memstats") && has("heap")) {
    snap({ label: "heap debug=1", select: "memstats", file: "heap.debug1.txt", kind: "heap-debug1", url: `${pp}heap?debug=1`, content: "heap-text" });
  }
  // Profiles the service registered itself (runtime/pprof.NewProfile): only when nothing was selected.
  if (o.only.length === 0) {
    let custom = 0;
    for (const e of index) {
      if (NOT_PROFILES.has(e.name) || STANDARD.includes(e.name) || !/^[\w.-]+$/.test(e.name)) continue;
      // (customProfileCount counts the same entries.)
      if (custom++ >= (o.maxCustom ?? MAX_CUSTOM_PROFILES)) continue;
      snap({ label: e.name, select: e.name, file: `${e.name}.pb.gz`, kind: "other", url: `${pp}${encodeURIComponent(e.name)}`, content: "proto", indexCount: count(e.name) });
    }
  }
  if (want("vars")) {
    snap({ label: "vars", select: "vars", file: "vars.json", kind: "expvar", url: `${root}/debug/vars`, content: "json", optional: true });
  }
  // The window: slack on top of the covered seconds for the server to write the profile.
  const slack = (s: number) => Math.round(s * 1000 + Math.max(o.timeoutMs, 5000));
  if (want("cpu") && o.seconds > 0 && has("profile")) {
    tasks.push({ label: "cpu", select: "cpu", file: "cpu.pb.gz", kind: "cpu", url: `${pp}profile?seconds=${o.seconds}`, content: "proto", phase: "window", seconds: o.seconds, timeoutMs: slack(o.seconds) });
  }
  // Deltas ride along the CPU window: none when the CPU profile is not taken.
  if (o.seconds > 0 && want("cpu") && has("profile")) {
    for (const name of ["block", "mutex"] as const) {
      if (want(name) && has(name)) {
        tasks.push({ label: `${name} (${o.seconds}s delta)`, select: name, file: `${name}.delta.pb.gz`, kind: name, url: `${pp}${name}?seconds=${o.seconds}`, content: "proto", phase: "window-parallel", seconds: o.seconds, timeoutMs: slack(o.seconds) });
      }
    }
  }
  const traceSecs = o.traceSeconds > 0 ? o.traceSeconds : 1;
  if (want("trace") && has("trace") && (o.traceSeconds > 0 || o.only.includes("trace"))) {
    tasks.push({ label: "trace", select: "trace", file: "trace.out", kind: "trace", url: `${pp}trace?seconds=${traceSecs}`, content: "trace", phase: "window", seconds: traceSecs, timeoutMs: slack(traceSecs) });
  }
  if (want("goroutine") && has("goroutine") && o.interval > 0) {
    tasks.push({ label: "goroutine debug=2 #2", select: "goroutine", file: "goroutine.debug2.2.txt", kind: "goroutine-debug2", url: `${pp}goroutine?debug=2`, content: "goroutine-text", phase: "second-snapshot", timeoutMs: o.timeoutMs });
  }
  if (o.indexGuessed) for (const t of tasks) t.optional = true;
  return withUniqueFiles(tasks);
}

/**
 * Each task writes its own file: a custom profile named like a standard file ("cpu",
 * "block.delta") would overwrite it. Standard files keep their names; a colliding
 * custom one becomes NAME.custom.pb.gz (then NAME.custom2.pb.gz, ...).
 */
function withUniqueFiles(tasks: FetchTask[]): FetchTask[] {
  const isCustom = (t: FetchTask) => t.kind === "other";
  const used = new Set(tasks.filter((t) => !isCustom(t)).map((t) => t.file));
  return tasks.map((t) => {
    if (!isCustom(t)) return t;
    let file = t.file;
    const base = file.replace(/\.pb\.gz$/, "");
    for (let n = 1; used.has(file); n++) file = `${base}.custom${n === 1 ? "" : n}.pb.gz`;
    used.add(file);
    return file === t.file ? t : { ...t, file };
  });
}

/** Throws a one-line message for an unknown --only name. */
export function checkOnly(only: string[]): void {
  for (const n of only) {
    if (!(SELECTABLE as readonly string[]).includes(n)) {
      throw new Error(`unknown profile "${n}" in --only (want ${SELECTABLE.join(",")})`);
    }
  }
}

/**
 * goroutine?debug=2 is the one fetch that stops the world for as long as the
 * runtime takes to print every goroutine's stack (debug=0/1 have been
 * concurrent since Go 1.19). Measured on Go 1.26 (docs/PERFORMANCE.md): about
 * 1.7 ms per 1,000 goroutines, 17 ms at 10k, 84 ms at 50k, ~200 ms at 100k.
 */
export const DEBUG2_PAUSE_MS_PER_1000 = 1.7;
/** From this many goroutines on, a capture says what its debug=2 dumps cost. */
export const DEBUG2_WARN_GOROUTINES = 10_000;

/** The warning for a service with many goroutines, or undefined; dumps = debug=2 fetches planned. */
export function debug2PauseWarning(goroutines: number | undefined, dumps: number): string | undefined {
  if (goroutines === undefined || goroutines < DEBUG2_WARN_GOROUTINES || dumps === 0) return undefined;
  const ms = Math.round((goroutines / 1000) * DEBUG2_PAUSE_MS_PER_1000);
  const times = dumps === 1 ? "once" : "twice (--interval 0 takes it once)";
  return `the service has ${goroutines.toLocaleString("en-US")} goroutines: each goroutine?debug=2 dump stops the world while it prints them (about ${ms} ms at this count on Go 1.26); taken ${times}`;
}
