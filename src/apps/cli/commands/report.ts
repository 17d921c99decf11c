// The pprof-style report commands: top, text, tree, peek, traces, tags, raw, comments, dot, callgrind, list.

import type { Command } from "commander";
import { limitOptions, type IO } from "../flags.js";
import { UsageError } from "../../../api/errors.js";
import { prepareReport, renderReport, loadProfiles, type LoadOptions, type Report, type ReportKind } from "../../../api/profiles.js";
import { addReportOptions, toConfig, type ReportFlags } from "../report-flags.js";

export function registerReportCommands(program: Command, io: IO): void {
  const kinds: { kind: ReportKind; desc: string; withRegex?: boolean }[] = [
    { kind: "top", desc: "top entries in text form (go tool pprof -top)" },
    { kind: "text", desc: "same as top" },
    { kind: "tree", desc: "text rendering of the call graph (go tool pprof -tree)" },
    { kind: "peek", desc: "callers and callees of functions matching <regex> (go tool pprof -peek)", withRegex: true },
    { kind: "traces", desc: "every sample's stack (go tool pprof -traces)" },
    { kind: "tags", desc: "label keys and values with their share (go tool pprof -tags)" },
    { kind: "raw", desc: "text dump of the profile (go tool pprof -raw)" },
    { kind: "comments", desc: "the profile's comments (go tool pprof -comments)" },
    { kind: "dot", desc: "call graph in Graphviz DOT (go tool pprof -dot)" },
    { kind: "callgrind", desc: "call graph in callgrind format, for KCachegrind (go tool pprof -callgrind)" },
    { kind: "list", desc: "annotated source of functions matching <regex> (go tool pprof -list)", withRegex: true },
  ];
  for (const k of kinds) {
    const cmd = program.command(k.kind).description(k.desc);
    if (k.withRegex) cmd.argument("<regex>", "function name regexp");
    cmd.argument("<profiles...>", "profile files (pprof proto, gzipped or not, or Go legacy text)");
    addReportOptions(cmd);
    cmd.action((...args: unknown[]) => {
      const profiles = (k.withRegex ? args[1] : args[0]) as string[];
      const flags = (k.withRegex ? args[2] : args[1]) as ReportFlags;
      const rpt = loadReport(k.kind, profiles, flags, k.withRegex ? (args[0] as string) : undefined, io);
      io.out(renderReport(rpt, flags.json === true));
    });
  }
}

/** Read the profiles and prepare one report over them, as every report command does. */
export function loadReport(kind: ReportKind, profiles: string[], flags: ReportFlags, symbol: string | undefined, io: IO): Report {
  const cfg = toConfig(flags);
  if (symbol !== undefined) cfg.symbol = symbol;
  const load: LoadOptions = {
    sources: profiles,
    bases: flags.diff_base ?? flags.base ?? [],
    diffBase: flags.diff_base !== undefined,
    normalize: flags.normalize === true,
    limits: limitOptions(flags.max_input, flags.max_decompressed),
  };
  if (flags.diff_base && flags.base) throw new UsageError("-base and -diff_base flags cannot both be specified");
  if (load.normalize && load.bases.length === 0) throw new UsageError("must have base profile to normalize by");
  const p = loadProfiles(load, io.err);
  if (flags.add_comment) p.comments = [...p.comments, flags.add_comment];
  return prepareReport(p, kind, cfg, (m) => io.err(m + "\n"));
}
