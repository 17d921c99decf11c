// `godiag diagnose <bundle|dir|files...>`: read a capture, run the rules, print the
// findings (text by default, --json, --md FILE, --html FILE). Exit 0 when nothing is
// above info, 1 with warnings, 3 with a critical finding; 2 stays for bad input.

import { existsSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { durationFlag, limitOptions, type IO } from "../flags.js";
import { EXIT, exitForSeverities } from "../exit.js";
import { captureBundle, removeBundle } from "../../../api/capture.js";
import { openBundle, diagnose, nothingReadable, renderDiagnosisHtml, renderDiagnosisMarkdown, renderDiagnosisText } from "../../../api/diagnose.js";
import { InputError, ReportError, UsageError } from "../../../api/errors.js";
import { progressRenderer } from "../progress.js";
import { withInterrupt } from "../interrupt.js";

interface DiagnoseFlags {
  json?: boolean;
  md?: string;
  html?: string;
  verbose?: boolean;
  color?: boolean;
  max_input?: string;
  max_decompressed?: string;
  seconds?: string;
  keep?: string;
  quiet?: boolean;
}

/** One-shot live diagnosis records a CPU profile this long unless --seconds says otherwise. */
const LIVE_SECONDS = 15;

/**
 * A live target: a URL, or (as `capture` accepts) host:port without a scheme when no
 * file of that name exists (127.0.0.1:6061, localhost:8080/debug/pprof/, [::1]:6060, :6060).
 */
const isUrl = (s: string) => /^https?:\/\//i.test(s) || (/^(\[[0-9a-f:.]+\]|[\w.-]+):\d{1,5}(\/.*)?$/i.test(s) && !existsSync(s));


export function registerDiagnoseCommand(program: Command, io: IO): void {
  program
    .command("diagnose")
    .description("name what is wrong with a Go service from a capture bundle, a directory of captured files, or files")
    .argument("<inputs...>", "bundle directory or .tar.gz, a directory of profiles/dumps/logs, files, or a live http://host:port")
    .option("--json", "print the findings as JSON (docs/JSON.md)")
    .option("--md <file>", "also write a Markdown report (for an incident ticket)")
    .option("--html <file>", "also write a self-contained HTML report")
    .option("-v, --verbose", "show informational findings too")
    .option("--no-color", "no ANSI colours even on a terminal")
    .option("--max_input <bytes>", "largest input file read")
    .option("--max_decompressed <bytes>", "largest decompressed input")
    .option("--seconds <duration>", `live target: CPU profile and delta window (Go duration or seconds; default ${LIVE_SECONDS}s)`)
    .option("--keep <dir>", "live target: keep the capture bundle in this directory (or .tar.gz)")
    .option("-q, --quiet", "live target: no capture progress")
    .action(async (inputs: string[], f: DiagnoseFlags) => {
      const limits = { ...limitOptions(f.max_input, f.max_decompressed), maxFiles: 10_000 };
      const urls = inputs.filter(isUrl);
      if (urls.length > 1) throw new InputError(urls.join(" "), "diagnose takes one live target at a time");
      let temp: string | undefined;
      if (urls.length === 1) {
        const seconds = f.seconds === undefined ? LIVE_SECONDS : durationFlag("--seconds", f.seconds);
        if (!Number.isInteger(seconds) || seconds < 1) throw new UsageError(`invalid value "${f.seconds}" for --seconds (want whole seconds >= 1)`);
        const r = progressRenderer(process.stderr, f.quiet ?? false);
        let res;
        try {
          // Ctrl-C cuts the capture short; what arrived is still diagnosed.
          res = await withInterrupt(io.err, "godiag diagnose", (signal) => captureBundle(urls[0]!, { seconds, out: f.keep, signal }, r.onEvent));
        } catch (e) {
          // No /debug/pprof at the URL (the line names where it is, when it can): nothing to diagnose.
          r.stop();
          io.err(`godiag diagnose: ${(e as Error).message}\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        r.stop();
        if (res.interrupted) io.err(`godiag: capture interrupted: diagnosing what arrived\n`);
        if (res.unreachable) throw new InputError(urls[0]!, res.failures[0]?.error.replace(/^\S+: /, "") ?? "unreachable");
        // (The index page's error already starts with its URL.)
        for (const fail of res.failures) if (!fail.error.endsWith("interrupted")) io.err(`godiag: capture: ${fail.file === undefined ? "" : `${fail.file}: `}${fail.error}\n`);
        // Never "no problem found" about a capture that holds nothing from the service.
        const got = res.manifest.files.filter((x) => x.error === undefined && x.kind !== "proc");
        if (got.length === 0 && !res.interrupted) {
          if (!f.keep) removeBundle(res.dir);
          io.err(`godiag diagnose: nothing captured from ${urls[0]}: every fetch failed\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        if (f.keep) io.err(`godiag: capture bundle kept in ${res.dir}\n`);
        else temp = res.dir;
        inputs = inputs.map((i) => (isUrl(i) ? res.dir : i));
      }
      try {
        await diagnoseInputs(inputs, limits, f, io, temp ? "" : undefined);
      } finally {
        if (temp) removeBundle(temp);
      }
    });
}

async function diagnoseInputs(
  inputs: string[],
  limits: Parameters<typeof openBundle>[1],
  f: DiagnoseFlags,
  io: IO,
  label?: string,
): Promise<void> {
  const bundle = await openBundle(inputs, limits, { label });
  const d = diagnose(bundle);
  // Nothing was read: an error (exit 2), not a clean bill of health.
  if (nothingReadable(d)) throw new ReportError(d.unreadable[0]!.error);
  if (f.md) writeFileSync(f.md, renderDiagnosisMarkdown(d));
  if (f.html) writeFileSync(f.html, renderDiagnosisHtml(d, bundle));
  if (f.json) io.out(JSON.stringify(d, null, 2) + "\n");
  else io.out(renderDiagnosisText(d, { color: f.color !== false && process.stdout.isTTY === true, verbose: f.verbose }));
  process.exitCode = exitForSeverities(d.findings.map((f) => f.severity));
}
