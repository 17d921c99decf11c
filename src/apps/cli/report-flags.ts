// go tool pprof's report flags (-nodecount, -focus, -sample_index, ...), shared by the
// report commands and flame, and their translation into a ReportConfig.

import { type Command, Option } from "commander";
import { defaultConfig, type Granularity, type ReportConfig } from "../../api/profiles.js";
import { numberFlag } from "./flags.js";

export interface ReportFlags {
  sample_index?: string;
  cum?: boolean;
  flat?: boolean;
  nodecount?: string;
  nodefraction?: string;
  edgefraction?: string;
  trim?: boolean;
  focus?: string;
  ignore?: string;
  hide?: string;
  show?: string;
  show_from?: string;
  prune_from?: string;
  tagfocus?: string;
  tagignore?: string;
  tagshow?: string;
  taghide?: string;
  functions?: boolean;
  filefunctions?: boolean;
  files?: boolean;
  lines?: boolean;
  addresses?: boolean;
  noinlines?: boolean;
  showcolumns?: boolean;
  unit?: string;
  compact_labels?: boolean;
  relative_percentages?: boolean;
  drop_negative?: boolean;
  divide_by?: string;
  trim_path?: string;
  source_path?: string;
  call_tree?: boolean;
  diff_base?: string[];
  base?: string[];
  normalize?: boolean;
  json?: boolean;
  inuse_space?: boolean;
  inuse_objects?: boolean;
  alloc_space?: boolean;
  alloc_objects?: boolean;
  total_delay?: boolean;
  contentions?: boolean;
  add_comment?: string;
  max_input?: string;
  max_decompressed?: string;
}

function num(name: string, v: string | undefined, dflt: number): number {
  return v === undefined ? dflt : numberFlag(`-${name}`, v);
}


export function toConfig(f: ReportFlags): ReportConfig {
  const c = defaultConfig();
  const legacyIndex: [keyof ReportFlags, string][] = [
    ["inuse_space", "inuse_space"],
    ["inuse_objects", "inuse_objects"],
    ["alloc_space", "alloc_space"],
    ["alloc_objects", "alloc_objects"],
    ["total_delay", "delay"],
    ["contentions", "contentions"],
  ];
  c.sampleIndex = f.sample_index ?? "";
  for (const [flag, idx] of legacyIndex) if (f[flag]) c.sampleIndex = idx;
  c.cum = f.cum === true;
  c.nodeCount = Math.trunc(num("nodecount", f.nodecount, c.nodeCount));
  c.nodeFraction = num("nodefraction", f.nodefraction, c.nodeFraction);
  c.edgeFraction = num("edgefraction", f.edgefraction, c.edgeFraction);
  if (f.trim === false) c.trim = false;
  c.focus = f.focus ?? "";
  c.ignore = f.ignore ?? "";
  c.hide = f.hide ?? "";
  c.show = f.show ?? "";
  c.showFrom = f.show_from ?? "";
  c.pruneFrom = f.prune_from ?? "";
  c.tagFocus = f.tagfocus ?? "";
  c.tagIgnore = f.tagignore ?? "";
  c.tagShow = f.tagshow ?? "";
  c.tagHide = f.taghide ?? "";
  const grains: [keyof ReportFlags, Granularity][] = [
    ["functions", "functions"],
    ["filefunctions", "filefunctions"],
    ["files", "files"],
    ["lines", "lines"],
    ["addresses", "addresses"],
  ];
  for (const [flag, g] of grains) if (f[flag]) c.granularity = g;
  c.noInlines = f.noinlines === true;
  c.showColumns = f.showcolumns === true;
  c.unit = f.unit ?? c.unit;
  c.compactLabels = f.compact_labels === true;
  c.relativePercentages = f.relative_percentages === true;
  c.dropNegative = f.drop_negative === true;
  c.divideBy = num("divide_by", f.divide_by, 1);
  c.trimPath = f.trim_path ?? "";
  c.sourcePath = f.source_path ?? "";
  c.callTree = f.call_tree === true;
  return c;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Options shared by every report command, named as in `go tool pprof`. */
export function addReportOptions(cmd: Command): Command {
  return cmd
    .option("--sample_index <index>", "sample value to report (index or name)")
    .option("--cum", "sort by cumulative value")
    .option("--flat", "sort by flat value (default)")
    .option("--nodecount <n>", "max number of nodes to show")
    .option("--nodefraction <f>", "hide nodes below <f>*total")
    .option("--edgefraction <f>", "hide edges below <f>*total")
    .option("--no-trim", "honor nodefraction/edgefraction/nodecount defaults as 0")
    .option("--focus <regexp>", "only samples with a frame matching")
    .option("--ignore <regexp>", "drop samples with a frame matching")
    .option("--hide <regexp>", "remove matching frames")
    .option("--show <regexp>", "keep only matching frames")
    .option("--show_from <regexp>", "drop frames above the highest match")
    .option("--prune_from <regexp>", "drop frames below the lowest match")
    .option("--tagfocus <filter>", "only samples with a matching label (regexp or range like 1mb:)")
    .option("--tagignore <filter>", "drop samples with a matching label")
    .option("--tagshow <regexp>", "only show labels with matching keys")
    .option("--taghide <regexp>", "hide labels with matching keys")
    .option("--functions", "report at function level (default)")
    .option("--filefunctions", "report at function level, split by file")
    .option("--files", "report at source file level")
    .option("--lines", "report at source line level")
    .option("--addresses", "report at instruction address level")
    .option("--noinlines", "attribute inlined calls to their caller")
    .option("--showcolumns", "show column numbers at line level")
    .option("--unit <unit>", "unit for values (minimum, auto, ms, MB, ...)")
    .option("--compact_labels", "omit the File/Type/Duration header")
    .option("--relative_percentages", "percentages relative to the focused subgraph")
    .option("--drop_negative", "drop nodes with negative values")
    .option("--divide_by <n>", "divide all values by <n>")
    .option("--trim_path <path>", "path prefix to trim from source paths")
    .option("--source_path <path>", "search path for source files")
    .option("--call_tree", "dot: one node per call path instead of per function")
    .option("--diff_base <profile>", "base profile to compare against (repeatable)", collect)
    .option("--base <profile>", "base profile to subtract (repeatable)", collect)
    .option("--normalize", "scale the profile to the base's total")
    .option("--inuse_space", "same as --sample_index=inuse_space")
    .option("--inuse_objects", "same as --sample_index=inuse_objects")
    .option("--alloc_space", "same as --sample_index=alloc_space")
    .option("--alloc_objects", "same as --sample_index=alloc_objects")
    .option("--total_delay", "same as --sample_index=delay")
    .option("--contentions", "same as --sample_index=contentions")
    .option("--add_comment <text>", "annotate the profile with a comment")
    .option("--json", "machine-readable output with raw integer values")
    .addOption(new Option("--max_input <bytes>", "largest input file read").default(undefined))
    .addOption(new Option("--max_decompressed <bytes>", "largest decompressed profile").default(undefined));
}

