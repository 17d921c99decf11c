// godiag svg: the call graph `godiag dot` writes, laid out by Graphviz compiled to
// WebAssembly (no Graphviz install needed), as go tool pprof -svg writes it.
// godiag weblist: pprof's weblist page (source with per-line values) as one HTML file.

import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { IO } from "../flags.js";
import { UsageError } from "../../../api/errors.js";
import { renderReport } from "../../../api/profiles.js";
import { dotToSvg } from "../../../api/callgraph.js";
import { addReportOptions, type ReportFlags } from "../report-flags.js";
import { loadReport } from "./report.js";

interface ViewFlags extends ReportFlags {
  output?: string;
}

function emit(text: string, flags: ViewFlags, io: IO, what: string): void {
  if (flags.output === undefined || flags.output === "-") {
    io.out(text);
    return;
  }
  // A refused write is reported by main's one path for system errors (one line, exit 2).
  writeFileSync(flags.output, text);
  io.err(`wrote ${flags.output} (${what}, ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB)\n`);
}

export function registerGraphViewCommands(program: Command, io: IO): void {
  const svg = program
    .command("svg")
    .description("call graph as SVG, laid out with Graphviz in WebAssembly (go tool pprof -svg)")
    .argument("<profiles...>", "profile files (pprof proto, gzipped or not, or Go legacy text)")
    .option("-o, --output <file>", "write the SVG here (default: standard output)");
  addReportOptions(svg);
  svg.action(async (profiles: string[], flags: ViewFlags) => {
    if (flags.json) throw new UsageError("svg: --json is not available (use `godiag dot --json`)");
    const rpt = loadReport("dot", profiles, flags, undefined, io);
    const text = await dotToSvg(renderReport(rpt, false));
    emit(text, flags, io, "call graph");
  });

  const web = program
    .command("weblist")
    .description("annotated source of functions matching <regex> as an HTML page (go tool pprof -weblist)")
    .argument("<regex>", "function name regexp")
    .argument("<profiles...>", "profile files (pprof proto, gzipped or not, or Go legacy text)")
    .option("-o, --output <file>", "write the page here (default: standard output)");
  addReportOptions(web);
  web.action((regex: string, profiles: string[], flags: ViewFlags) => {
    const rpt = loadReport("weblist", profiles, flags, regex, io);
    emit(renderReport(rpt, flags.json === true), flags, io, "source listing");
  });
}
