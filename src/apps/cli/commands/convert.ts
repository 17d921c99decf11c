// `godiag convert --to proto|folded`: write the (merged, filtered) profile as a
// gzipped profile.proto that go tool pprof reads, or as Brendan Gregg's folded stacks.

import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { limitOptions } from "../flags.js";
import { materialize, defaultConfig, prepareReport, formatFolded, writeProfileGz, loadProfiles } from "../../../api/profiles.js";
import { UsageError } from "../../../api/errors.js";

interface ConvertFlags {
  to: string;
  output?: string;
  sample_index?: string;
  focus?: string;
  ignore?: string;
  hide?: string;
  tagfocus?: string;
  tagignore?: string;
  max_input?: string;
  max_decompressed?: string;
}

export function registerConvertCommand(program: Command, io: { out: (s: string) => void; err: (s: string) => void }): void {
  program
    .command("convert")
    .description("convert profiles: --to proto (gzipped profile.proto) or --to folded (collapsed stacks)")
    .argument("<profiles...>", "profile files (merged when several)")
    .requiredOption("--to <format>", "proto | folded")
    .option("-o, --output <file>", "output file (default: stdout for folded)")
    .option("--sample_index <index>", "value to write for folded stacks")
    .option("--focus <regexp>", "only samples with a frame matching")
    .option("--ignore <regexp>", "drop samples with a frame matching")
    .option("--hide <regexp>", "remove matching frames")
    .option("--tagfocus <filter>", "only samples with a matching label")
    .option("--tagignore <filter>", "drop samples with a matching label")
    .option("--max_input <bytes>", "largest input file read")
    .option("--max_decompressed <bytes>", "largest decompressed profile")
    .action((files: string[], f: ConvertFlags) => {
      const p = loadProfiles(
        { sources: files, bases: [], diffBase: false, normalize: false, limits: limitOptions(f.max_input, f.max_decompressed) },
        io.err,
      );
      const cfg = {
        ...defaultConfig(),
        sampleIndex: f.sample_index ?? "",
        focus: f.focus ?? "",
        ignore: f.ignore ?? "",
        hide: f.hide ?? "",
        tagFocus: f.tagfocus ?? "",
        tagIgnore: f.tagignore ?? "",
      };
      // proto keeps everything (pprof's raw granularity); folded stacks are per function.
      const rpt = prepareReport(p, f.to === "folded" ? "traces" : "raw", cfg, (m) => io.err(m + "\n"));
      if (f.to === "proto") {
        if (!f.output) throw new UsageError("--to proto needs -o FILE (binary output)");
        writeFileSync(f.output, writeProfileGz(materialize(rpt.view)));
      } else if (f.to === "folded") {
        const text = formatFolded(rpt.view);
        if (f.output) writeFileSync(f.output, text);
        else io.out(text);
      } else {
        throw new UsageError(`unknown --to format "${f.to}" (want proto or folded)`);
      }
    });
}
