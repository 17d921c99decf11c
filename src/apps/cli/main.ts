#!/usr/bin/env node
// godiag command line. Commands stay thin: they parse flags, call into
// formats/analysis/report, and print. Every user-caused error is one line on
// stderr and exit code 2.

import { isMainThread } from "node:worker_threads";
import { Command, CommanderError } from "commander";
import type { IO } from "./flags.js";
import { InputError, ReportError, UsageError } from "../../api/errors.js";
import { normalizeArgv } from "./argv.js";
import { EXIT } from "./exit.js";
import { guardStreams, oneLine, systemErrorLine } from "./failures.js";

type Register = (program: Command, io: IO) => void;

// Each command's module is loaded only when that command runs (esbuild splits them
// into chunks): start-up then compiles the code one command needs, not the whole
// tool (the GC analysis, flame viewer, zod, tar... are over a megabyte of JS).
// `godiag --help` and unknown commands load them all.
const COMMANDS: Array<[string[], () => Promise<Register>]> = [
  [["top", "text", "tree", "peek", "traces", "tags", "raw", "comments", "dot", "callgrind", "list"], async () => (await import("./commands/report.js")).registerReportCommands],
  [["svg", "weblist"], async () => (await import("./commands/graph-views.js")).registerGraphViewCommands],
  [["convert"], async () => (await import("./commands/convert.js")).registerConvertCommand],
  [["bench"], async () => (await import("./commands/bench.js")).registerBenchCommand],
  [["capture"], async () => (await import("./commands/capture.js")).registerCaptureCommand],
  [["run"], async () => (await import("./commands/run.js")).registerRunCommand],
  [["diagnose"], async () => (await import("./commands/diagnose.js")).registerDiagnoseCommand],
  [["demo"], async () => (await import("./commands/demo.js")).registerDemoCommand],
  [["goroutines"], async () => (await import("./commands/goroutines.js")).registerGoroutinesCommand],
  [["flame"], async () => (await import("./commands/flame.js")).registerFlameCommand],
  [["gc"], async () => (await import("./commands/gc.js")).registerGcCommand],
  [["trace"], async () => (await import("./commands/trace.js")).registerTraceCommand],
  [["serve"], async () => (await import("./commands/serve.js")).registerServeCommand],
  [["pcap"], async () => (await import("./commands/pcap.js")).registerPcapCommand],
  [["http"], async () => (await import("./commands/http.js")).registerHttpCommand],
  [["probe"], async () => (await import("./commands/probe.js")).registerProbeCommand],
  [["watch"], async () => (await import("./commands/watch.js")).registerWatchCommand],
  [["query"], async () => (await import("./commands/query.js")).registerQueryCommand],
];

/** The registrations needed for argv: the named command's, or all of them. */
async function registrations(argv: string[]): Promise<Register[]> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) return [];
  const name = argv.find((a) => !a.startsWith("-"));
  const one = COMMANDS.find(([names]) => name !== undefined && names.includes(name));
  return Promise.all((one ? [one] : COMMANDS).map(([, load]) => load()));
}

const io: IO = {
  out: (s: string) => process.stdout.write(s),
  err: (s: string) => process.stderr.write(s),
};

async function main(argv: string[]): Promise<void> {
  guardStreams(io);
  const program = new Command();
  program
    .name("godiag")
    .description("Go performance diagnosis: capture a Go service, name what is wrong (diagnose), and read every Go profile exactly like go tool pprof")
    .version("0.1.0")
    .exitOverride()
    // Commander's usage errors are two lines ("error: unknown option", "(Did you mean ...?)"):
    // one line, like every other error godiag prints.
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (s, write) => write(`godiag: ${oneLine(s.replace(/^error: /, ""))}\n`) });
  for (const register of await registrations(argv)) register(program, io);
  try {
    // parseAsync: some commands (capture, diagnose) are asynchronous.
    await program.parseAsync(normalizeArgv(argv), { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    if (e instanceof InputError || e instanceof ReportError || e instanceof UsageError) {
      io.err(`godiag: ${oneLine(e.message)}\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    // A write the system refused (missing directory, full disk): the user's to fix.
    const sys = systemErrorLine(e);
    if (sys !== null) {
      io.err(`godiag: ${sys}\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    const err = e as Error;
    // Anything else is our bug; still one line, but say so.
    io.err(`godiag: internal error: ${oneLine(String(err.message))}\n`);
    if (process.env.GODIAG_DEBUG) io.err(`${err.stack}\n`);
    process.exitCode = EXIT.INTERNAL;
  }
}

// A worker thread started on a module bundled into this file (serve's view worker) must not run the CLI again.
if (isMainThread) void main(process.argv.slice(2));
