// `godiag trace trace.out`: what an execution trace says about GC, stop-the-world,
// scheduler latency, goroutine groups, user tasks/regions and long runs.
// `godiag trace --pprof=net|sync|syscall|sched|cpu trace.out -o x.pb.gz`: a profile from it.

import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Command } from "commander";
import { durationFlag, limitOptions, type IO } from "../flags.js";
import { InputError, UsageError } from "../../../api/errors.js";
import {
  analyzeTraceFile,
  analyzeTraceFileWithTimeline,
  DEFAULT_UTIL_FLAGS,
  encodeTraceProfile,
  isTraceProfileMode,
  renderTimelineHtml,
  renderTraceJson,
  renderTraceText,
  timelineSummary,
  traceProfileFile,
  TRACE_PROFILE_MODES,
  type TraceReport,
  type UtilFlags,
} from "../../../api/trace.js";

interface TraceFlags {
  json?: boolean;
  html?: string;
  longRun?: string;
  mmu?: string;
  pprof?: string;
  output?: string;
  max_input?: string;
  max_decompressed?: string;
}

const MMU_FLAG_NAMES = ["stw", "background", "assist", "sweep", "perProc"] as const;

/** go tool trace's /mmu flags syntax: "stw|background|assist" (perProc for the per-P view). */
function mmuFlags(v: string): UtilFlags {
  const f: UtilFlags = { stw: false, background: false, assist: false, sweep: false, perProc: false };
  for (const name of v.split(/[|,]/).filter((x) => x !== "")) {
    if (!(MMU_FLAG_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--mmu: unknown flag "${name}" (want some of ${MMU_FLAG_NAMES.join("|")})`);
    }
    f[name as (typeof MMU_FLAG_NAMES)[number]] = true;
  }
  return f;
}

/**
 * A capture bundle directory stands for its execution trace (godiag capture --trace SECONDS).
 * The manifest reader (zod, the GC domain) loads only for a directory: importing it on every
 * `godiag trace` cost ~35 ms of module compilation.
 */
async function traceOf(path: string): Promise<string> {
  if (!existsSync(path) || !statSync(path).isDirectory()) return path;
  const mf = join(path, "manifest.json");
  if (!existsSync(mf)) throw new InputError(path, "is a directory without manifest.json (not a capture bundle)");
  const { parseManifest } = await import("../../../api/gc.js");
  let files;
  try {
    files = parseManifest(readFileSync(mf, "utf8")).files;
  } catch (e) {
    throw new InputError(mf, (e as Error).message);
  }
  const t = files.find((f) => f.kind === "trace" && !f.error);
  if (!t) throw new InputError(path, "the bundle has no execution trace (capture with --trace SECONDS)");
  return join(path, t.path);
}

export function registerTraceCommand(program: Command, io: IO): void {
  program
    .command("trace")
    .description(
      "Execution trace (runtime/trace, Go 1.11 to 1.26): GC and STW, MMU, scheduler latency, goroutine groups, tasks, regions, long runs; " +
        "--pprof: a profile of network/sync/syscall blocking, scheduler latency or CPU samples",
    )
    .argument("<file>", "trace written by runtime/trace, /debug/pprof/trace or go test -trace, or a capture bundle dir")
    .option("--json", "JSON output (docs/TRACE.md)")
    .option("--html <file>", "also write a self-contained HTML timeline (docs/TRACE.md, Timeline)")
    .option("--long-run <duration>", "shortest run reported as a long run (Go duration)", "10ms")
    .option("--mmu <flags>", "what counts against mutator utilisation, go tool trace's names: stw|background|assist|sweep|perProc", "stw|background|assist")
    .option("--pprof <mode>", "write a profile instead: net, sync, syscall, sched (go tool trace -pprof's) or cpu (the trace's CPU samples)")
    .option("-o, --output <file>", "where --pprof writes the profile (gzipped profile.proto)")
    .option("--max_input <bytes>", "largest input file read")
    .option("--max_decompressed <bytes>", "largest decompressed input")
    .action(async (file: string, f: TraceFlags) => {
      const limits = limitOptions(f.max_input, f.max_decompressed);
      if (f.pprof !== undefined) {
        writeProfile(await traceOf(file), f.pprof, f.output, limits, io);
        return;
      }
      if (f.output !== undefined) throw new UsageError("-o is for --pprof (the report goes to stdout)");
      const longRunNs = Math.round(durationFlag("--long-run", f.longRun ?? "10ms") * 1e9);
      if (longRunNs <= 0) throw new UsageError(`--long-run: want a positive duration, got "${f.longRun}"`);
      const path = await traceOf(file);
      const opts = { limits, longRunNs, mmuFlags: f.mmu !== undefined ? mmuFlags(f.mmu) : DEFAULT_UTIL_FLAGS };
      let report: TraceReport;
      if (f.html !== undefined) {
        if (f.html === "") throw new UsageError("--html: want an output file name");
        const r = analyzeTraceFileWithTimeline(path, opts);
        report = r.report;
        const title = `${basename(path)}: execution trace timeline`;
        const subtitle = `go1.${report.version} trace, ${report.generations} generations`;
        writeFileSync(f.html, renderTimelineHtml(r.timeline, { title, subtitle, summary: timelineSummary(report) }));
      } else {
        report = analyzeTraceFile(path, opts);
      }
      io.out(f.json ? renderTraceJson(report) : renderTraceText(report));
    });
}

function writeProfile(file: string, mode: string, output: string | undefined, limits: ReturnType<typeof limitOptions>, io: IO): void {
  if (!isTraceProfileMode(mode)) throw new UsageError(`--pprof: unknown profile "${mode}" (want ${TRACE_PROFILE_MODES.join(", ")})`);
  if (output === undefined || output === "") throw new UsageError("--pprof needs -o FILE (the profile is binary)");
  const { profile, warnings } = traceProfileFile(file, mode, { limits });
  for (const w of warnings) io.err(`godiag: ${w}\n`);
  writeFileSync(output, encodeTraceProfile(profile));
}
