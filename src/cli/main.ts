#!/usr/bin/env node
// godiag command line. Commands stay thin: they parse flags, call into
// formats/analysis/report, and print. Every user-caused error is one line on
// stderr and exit code 2.

import { Command, CommanderError } from "commander";
import { InputError } from "../util/errors.js";
import { ReportError } from "../report/report.js";
import { normalizeArgv } from "./argv.js";
import { registerReportCommands, UsageError } from "./report-command.js";
import { registerConvertCommand } from "./convert-command.js";
import { registerBenchCommand } from "./bench-command.js";
import { registerCaptureCommand } from "./capture-command.js";
import { registerRunCommand } from "./run-command.js";
import { registerDiagnoseCommand } from "./diagnose-command.js";
import { registerDemoCommand } from "./demo-command.js";
import { registerGoroutinesCommand } from "./goroutines-command.js";
import { registerFlameCommand } from "./flame-command.js";
import { registerGcCommand } from "./gc-command.js";

const io = {
  out: (s: string) => process.stdout.write(s),
  err: (s: string) => process.stderr.write(s),
};

async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name("godiag")
    .description("Go performance diagnosis: read every Go profile, report exactly like go tool pprof, only faster")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  registerReportCommands(program, io);
  registerConvertCommand(program, io);
  registerBenchCommand(program, io);
  registerCaptureCommand(program, io);
  registerRunCommand(program, io);
  registerDiagnoseCommand(program, io);
  registerDemoCommand(program, io);
  registerGoroutinesCommand(program, io);
  registerFlameCommand(program, io);
  registerGcCommand(program, io);
  try {
    // parseAsync: some commands (capture, diagnose) are asynchronous.
    await program.parseAsync(normalizeArgv(argv), { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof InputError || e instanceof ReportError || e instanceof UsageError) {
      io.err(`godiag: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    const err = e as Error;
    // Anything else is our bug; still one line, but say so.
    io.err(`godiag: internal error: ${err.message}\n`);
    if (process.env.GODIAG_DEBUG) io.err(`${err.stack}\n`);
    process.exitCode = 3;
  }
}

void main(process.argv.slice(2));
