// godiag flame <profiles...> -o out.html|out.svg: a self-contained flame graph.

import { writeFileSync } from "node:fs";
import { basename, extname } from "node:path";
import type { Command } from "commander";
import { limitOptions, numberFlag } from "../flags.js";
import { DEFAULT_MAX_FRAMES, flameTreeFromProfile, renderFlameHtml, renderFlameSvg, type ColorMode } from "../../../api/flame.js";
import { scaledLabel, loadProfiles } from "../../../api/profiles.js";
import { UsageError } from "../../../api/errors.js";
import { addReportOptions, toConfig, type ReportFlags } from "../report-flags.js";

interface FlameFlags extends ReportFlags {
  output?: string;
  format?: string;
  tagroot?: string;
  tagleaf?: string;
  color?: string;
  title?: string;
  max_frames?: string;
}

export function registerFlameCommand(program: Command, io: { out: (s: string) => void; err: (s: string) => void }): void {
  const cmd = program
    .command("flame")
    .description("flame graph as a self-contained HTML page or a static SVG")
    .argument("<profiles...>", "profile files (pprof proto, gzipped or not, or Go legacy text)")
    .option("-o, --output <file>", "output file: .html (interactive) or .svg (static)")
    .option("--format <format>", "html or svg (default: from the output file's extension)")
    .option("--tagroot <keys>", "comma-separated label keys: pseudo frames per label value at the root")
    .option("--tagleaf <keys>", "comma-separated label keys: pseudo frames per label value at the leaf")
    .option("--color <mode>", "initial colours: package, wait (wait reason) or diff")
    .option("--title <text>", "title shown above the graph")
    .option(
      "--max_frames <n>",
      `most frames in the graph; narrower frames fold into "(other)" frames (default ${DEFAULT_MAX_FRAMES})`,
    );
  addReportOptions(cmd);
  cmd.action((profiles: string[], flags: FlameFlags) => {
    const out = flags.output;
    if (out === undefined || out === "") throw new UsageError("flame: -o <file.html|file.svg> is required");
    const format = (flags.format ?? extname(out).slice(1)).toLowerCase();
    if (format !== "html" && format !== "svg") {
      throw new UsageError(`flame: cannot tell the format of "${out}": use .html or .svg, or --format`);
    }
    const color = flags.color as ColorMode | undefined;
    if (color !== undefined && !["package", "wait", "diff"].includes(color)) {
      throw new UsageError(`flame: --color must be package, wait or diff, not "${color}"`);
    }
    if (flags.diff_base && flags.base) throw new UsageError("-base and -diff_base flags cannot both be specified");
    const bases = flags.diff_base ?? flags.base ?? [];
    if (flags.normalize && bases.length === 0) throw new UsageError("must have base profile to normalize by");
    let maxFrames: number | undefined;
    if (flags.max_frames !== undefined) {
      maxFrames = numberFlag("--max_frames", flags.max_frames, { min: 100, integer: true });
    }
    const cfg = toConfig(flags);
    const p = loadProfiles(
      {
        sources: profiles,
        bases,
        diffBase: flags.diff_base !== undefined,
        normalize: flags.normalize === true,
        limits: limitOptions(flags.max_input, flags.max_decompressed),
      },
      io.err,
    );
    const tree = flameTreeFromProfile(p, cfg, { tagRoot: flags.tagroot, tagLeaf: flags.tagleaf, maxFrames }, (m) => io.err(m + "\n"));
    if (color === "diff" && !tree.diff) throw new UsageError("flame: --color diff needs --diff_base or --base");
    const names = profiles.map((f) => basename(f)).join(" + ");
    const title = flags.title ?? `${names}: ${tree.sampleType}`;
    const total = tree.totalPos[0] - tree.totalNeg[0];
    const bits = [`${tree.sampleType} (${tree.unit})`, `total ${scaledLabel(total, tree.unit, "minimum")}`];
    if (flags.diff_base) bits.push(`diff against ${flags.diff_base.map((f) => basename(f)).join(" + ")}`);
    const filters = ["focus", "ignore", "hide", "show", "show_from", "prune_from", "tagfocus", "tagignore"] as const;
    for (const k of filters) if (flags[k]) bits.push(`${k}=${flags[k]}`);
    const subtitle = bits.join(", ");
    const text =
      format === "svg"
        ? renderFlameSvg(tree, { title, subtitle, colorMode: color })
        : renderFlameHtml(tree, { title, subtitle, colorMode: color });
    // A refused write is reported by main's one path for system errors (one line, exit 2).
    writeFileSync(out, text);
    io.err(`wrote ${out} (${tree.count} frames, ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB)\n`);
  });
}
