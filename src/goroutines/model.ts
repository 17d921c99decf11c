// Goroutine dumps: the goroutines of one Go process at one instant, as read from
// goroutine?debug=2 text, crash tracebacks, goroutine?debug=1 text or the
// goroutine profile proto. debug=2/tracebacks carry one record per goroutine with
// its state; debug=1/proto carry one record per distinct stack with a count and
// no state. Everything downstream (buckets, diff, suspects) works on this model;
// goroutineDumpToProfile turns it into the shared Profile for flame graphs.

import { classifyGoroutine, type WaitClass } from "../core/go/index.js";
import { ProfileBuilder, type LabelInput, type Profile } from "../core/model/index.js";

export interface GoFrame {
  /** function as printed, e.g. "net/http.(*conn).serve" (generic shapes printed as "[...]") */
  func: string;
  /** argument text between the parentheses, "" when absent; "..." for inlined frames */
  args: string;
  file: string;
  line: number;
  /** pc offset from the function entry (the "+0x1d"), -1 when not printed */
  offset: number;
}

export interface CreatedBy {
  func: string;
  file: string;
  line: number;
  /** the creating goroutine (Go 1.21+: "created by F in goroutine N"), 0 when not printed */
  goroutine: number;
}

/** An ancestor section printed with GODEBUG=tracebackancestors=N. */
export interface Ancestor {
  id: number;
  frames: GoFrame[];
  elided: boolean;
  createdBy: CreatedBy | null;
}

/**
 * A dump is read-only once parsed: to keep 50,000-goroutine dumps small the
 * debug=2 parser shares frames arrays, GoFrame and CreatedBy objects among the
 * goroutines that print the same, and one frozen empty flags/ancestors/labels.
 */
export interface Goroutine {
  /** goroutine id; 0 for debug=1/proto records, which have none */
  id: number;
  /**
   * the runtime's wait reason or status ("IO wait", "chan send", "running"), without
   * flags, minutes or "locked to thread"; "" for debug=1/proto records
   */
  state: string;
  /** extra markers printed after the state: "scan", "leaked", "durable" */
  flags: string[];
  /** "N minutes" from the header, 0 when not printed (waits under a minute) */
  waitMinutes: number;
  lockedToThread: boolean;
  /** frames, leaf first */
  frames: GoFrame[];
  /** frames left out by the runtime: a count from "...N frames elided...", -1 for "...additional frames elided...", 0 none */
  elided: number;
  createdBy: CreatedBy | null;
  ancestors: Ancestor[];
  /** pprof labels (debug=1, proto, or Go 1.26 GODEBUG=tracebacklabels=1 headers) */
  labels: Record<string, string>;
  /** goroutines this record stands for: 1 for debug=2, the record's count for debug=1/proto */
  count: number;
  /** "goroutine running on other thread; stack unavailable" */
  stackUnavailable: boolean;
  /** 1-based line of the record's header in the input, 0 for proto */
  sourceLine: number;
  /**
   * debug=1 only: the return addresses of the leaf frames the text leaves out. runtime/pprof
   * (printStackRecord) prints no runtime.* frame above the first other one, so a goroutine
   * parked in a select or a channel operation shows only the code that called it.
   */
  hiddenPcs?: number[];
}

export type GoroutineFormat = "goroutine-debug2" | "traceback" | "goroutine-debug1" | "goroutine-proto";

export interface GoroutineDump {
  format: GoroutineFormat;
  goroutines: Goroutine[];
  /** crash headers before the goroutines: "panic: ...", "fatal error: ...", "[signal ...]" */
  header: string[];
  /** total the dump claims ("goroutine profile: total N"), null when it claims none */
  claimedTotal: number | null;
  /** problems that did not stop the read (skipped lines, truncation) */
  warnings: string[];
  /** "FILE: truncated at byte N: ...": the dump stops before its end (also in warnings) */
  truncation?: string;
}

/** A goroutine record with nothing read yet but its id, count and header line; readers fill it in. */
export function newGoroutine(id: number, count: number, sourceLine: number): Goroutine {
  return {
    id,
    state: "",
    flags: [],
    waitMinutes: 0,
    lockedToThread: false,
    frames: [],
    elided: 0,
    createdBy: null,
    ancestors: [],
    labels: {},
    count,
    stackUnavailable: false,
    sourceLine,
  };
}

/** Sum of counts: the number of goroutines the dump accounts for. */
export function goroutineTotal(d: GoroutineDump): number {
  let n = 0;
  for (const g of d.goroutines) n += g.count;
  return n;
}

/** The wait class of a goroutine, from its state and its top frames. */
export function waitClassOf(g: Goroutine): WaitClass {
  return classifyGoroutine(g.state, funcNames(g)).cls;
}

export function funcNames(g: Goroutine): string[] {
  const n = Math.min(g.frames.length, 16); // the classifier reads the top 12 frames at most
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = g.frames[i]!.func;
  return out;
}

/**
 * The dump as a goroutine profile: sample type goroutine/count, one sample per
 * record (value = its count), labels `state` and `wait_class` plus the record's
 * own labels. Locations are one per distinct func+file+line.
 */
export function goroutineDumpToProfile(d: GoroutineDump): Profile {
  const b = new ProfileBuilder();
  b.sampleTypes = [{ type: "goroutine", unit: "count" }];
  b.defaultSampleType = "goroutine";
  b.periodType = { type: "goroutine", unit: "count" };
  b.period = 1;
  const locs = new Map<string, number>();
  for (const g of d.goroutines) {
    const stack: number[] = [];
    for (const f of g.frames) {
      const key = `${f.func}\u0000${f.file}\u0000${f.line}`;
      let loc = locs.get(key);
      if (loc === undefined) {
        const fn = b.internFunction(f.func, f.func, f.file);
        loc = b.addLocation([{ func: fn, line: f.line }]);
        locs.set(key, loc);
      }
      stack.push(loc);
    }
    const labels: LabelInput[] = [];
    if (g.state !== "") labels.push({ key: "state", str: g.state });
    labels.push({ key: "wait_class", str: waitClassOf(g) });
    for (const [k, v] of Object.entries(g.labels)) labels.push({ key: k, str: v });
    b.addSample(stack, [g.count], labels);
  }
  const p = b.build();
  p.extras.sourceFormat = d.format;
  return p;
}
