// eBPF probe reports (godiag probe / capture --ebpf: the bundle's "ebpf" files),
// parsed once. A report that is not one (bad JSON, missing sections) is skipped
// with a warning: rules see only well-formed reports.

import type { ProbeReport } from "../ebpf/index.js";
import type { BundleFile } from "../bundle/index.js";
import type { DiagnoseContext } from "./context.js";
import { classifyGoroutine, originOf, type PackageOrigins, type WaitClass } from "../core/go/index.js";

export interface EbpfInput {
  file: BundleFile;
  report: ProbeReport;
}

function parseReports(ctx: DiagnoseContext): EbpfInput[] {
  const out: EbpfInput[] = [];
  for (const file of ctx.files("ebpf")) {
    if (file.error) continue;
    try {
      const r = JSON.parse(Buffer.from(file.data).toString("utf8")) as ProbeReport;
      if (typeof r !== "object" || r === null || typeof r.window?.seconds !== "number" || !r.target) throw new Error("not a godiag probe report");
      out.push({ file, report: r });
    } catch (e) {
      ctx.bundle.warnings.push(`${file.path}: skipped (${(e as Error).message})`);
    }
  }
  return out;
}

export function ebpfReports(ctx: DiagnoseContext): EbpfInput[] {
  return ctx.once(parseReports);
}

/** What every eBPF finding's evidence says: pprof and dumps cannot show it. */
export const EBPF_ONLY = "seen only by eBPF";

/**
 * A connect this slow waited for a retransmitted SYN: the first retransmit comes after 1 s
 * (then 3 s, 7 s in all), while a loopback or LAN handshake takes well under a millisecond.
 * Log2 buckets: the one holding 1 s starts at 524288 µs.
 */
const RETRANSMIT_STEP_US = 524_288;

/** Connects the TCP probe timed in the SYN-retransmit steps (0.5 s or more). */
export function connectsInRetransmitSteps(t: NonNullable<ProbeReport["tcp"]>): number {
  return t.connectUs.buckets.filter((b) => b.min >= RETRANSMIT_STEP_US).reduce((a, b) => a + b.count, 0);
}

/**
 * The first frame of a stack that is the program's own code: not the runtime, not the
 * standard library (io.Copy's readers are not where a connection leaks), not x/sys's
 * syscall wrappers, not an address.
 */
export function userFrame(frames: string[], origins?: PackageOrigins): string | undefined {
  return frames.find((f) => !f.startsWith("0x") && !f.startsWith("golang.org/x/sys/") && originOf(f, origins) === "user");
}

/**
 * The user frame of a probe stack with its source line: "main.saveOrder (/src/svc/main.go:98)"
 * (the line of the call it was in), or the bare name when the report has no lines.
 */
export function userFrameAt(frames: string[], lines: string[] | undefined, origins?: PackageOrigins): { fn: string; at: string } | undefined {
  const fn = userFrame(frames, origins);
  if (fn === undefined) return undefined;
  const line = lines?.[frames.indexOf(fn)] ?? "";
  return { fn, at: line ? `${fn} (${line})` : fn };
}

export interface DumpWaits {
  file: BundleFile;
  /** goroutines in the dump (debug=1 records count as many) */
  total: number;
  /** of them, in one of the classes asked for */
  matching: number;
  /** matching goroutines by their first user frame (userFrame); "" when they have none */
  byFunction: Map<string, number>;
}

/**
 * The bundle's goroutine dumps, counted by wait class: what pprof's side of an eBPF
 * cross-check says about where goroutines wait (the dumps are snapshots of the same
 * process, taken during the probes' window by capture --ebpf / run --ebpf).
 */
export function dumpWaits(ctx: DiagnoseContext, classes: ReadonlySet<WaitClass>): DumpWaits[] {
  return ctx.goroutineDumps().map(({ file, dump }) => {
    const out: DumpWaits = { file, total: 0, matching: 0, byFunction: new Map() };
    for (const g of dump.goroutines) {
      out.total += g.count;
      const frames = g.frames.map((f) => f.func);
      if (!classes.has(classifyGoroutine(g.state, frames).cls)) continue;
      out.matching += g.count;
      const fn = userFrame(frames, ctx.origins()) ?? "";
      out.byFunction.set(fn, (out.byFunction.get(fn) ?? 0) + g.count);
    }
    return out;
  });
}

/** Goroutines waiting in `fn` across dumps, and in how many dumps it was seen. */
export function waitsIn(dumps: DumpWaits[], fn: string): { goroutines: number; dumps: number } {
  let goroutines = 0;
  let seen = 0;
  for (const d of dumps) {
    const n = d.byFunction.get(fn) ?? 0;
    goroutines += n;
    if (n > 0) seen++;
  }
  return { goroutines, dumps: seen };
}
