// `godiag diagnose <bundle|dir|files...>`: read a capture, run the rules, print the
// findings (text by default, --json, --md FILE, --html FILE). Exit 0 when nothing is
// above info, 1 with warnings, 3 with a critical finding; 2 stays for bad input.

import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { openBundle } from "../bundle/read.js";
import { diagnose, exitCodeFor } from "../diagnose/engine.js";
import { renderDiagnosisMarkdown } from "../report/diagnose-md.js";
import { renderDiagnosisText } from "../report/diagnose-text.js";
import { limitOptions } from "./load.js";

interface DiagnoseFlags {
  json?: boolean;
  md?: string;
  html?: string;
  verbose?: boolean;
  color?: boolean;
  max_input?: string;
  max_decompressed?: string;
}

type IO = { out: (s: string) => void; err: (s: string) => void };

export function registerDiagnoseCommand(program: Command, io: IO): void {
  program
    .command("diagnose")
    .description("name what is wrong with a Go service from a capture bundle, a directory of captured files, or files")
    .argument("<inputs...>", "bundle directory or .tar.gz, a directory of profiles/dumps/logs, or files")
    .option("--json", "print the findings as JSON (docs/JSON.md)")
    .option("--md <file>", "also write a Markdown report (for an incident ticket)")
    .option("--html <file>", "also write a self-contained HTML report")
    .option("-v, --verbose", "show informational findings too")
    .option("--no-color", "no ANSI colours even on a terminal")
    .option("--max_input <bytes>", "largest input file read")
    .option("--max_decompressed <bytes>", "largest decompressed input")
    .action(async (inputs: string[], f: DiagnoseFlags) => {
      const limits = { ...limitOptions(f.max_input, f.max_decompressed), maxFiles: 10_000 };
      const bundle = await openBundle(inputs, limits);
      const d = diagnose(bundle);
      if (f.md) writeFileSync(f.md, renderDiagnosisMarkdown(d));
      if (f.html) {
        const { renderDiagnosisHtml } = await import("../report/diagnose-html.js");
        writeFileSync(f.html, renderDiagnosisHtml(d, bundle));
      }
      if (f.json) io.out(JSON.stringify(d, null, 2) + "\n");
      else io.out(renderDiagnosisText(d, { color: f.color !== false && process.stdout.isTTY === true, verbose: f.verbose }));
      process.exitCode = exitCodeFor(d);
    });
}
