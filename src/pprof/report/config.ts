// Report settings, named and defaulted like pprof's driver config
// (internal/driver/config.go defaultConfig) so flags read the same.

export type Granularity = "" | "functions" | "filefunctions" | "files" | "lines" | "addresses";

export type ReportKind =
  | "text"
  | "top"
  | "tree"
  | "peek"
  | "traces"
  | "tags"
  | "raw"
  | "comments"
  | "dot"
  | "list"
  | "callgrind"
  | "weblist";

export interface ReportConfig {
  sampleIndex: string;
  mean: boolean;
  /** sort by cumulative value (pprof -cum) */
  cum: boolean;
  /** -1 = pprof's "unset": unlimited for text, 80 for graphs */
  nodeCount: number;
  nodeFraction: number;
  edgeFraction: number;
  trim: boolean;
  focus: string;
  ignore: string;
  hide: string;
  show: string;
  showFrom: string;
  pruneFrom: string;
  tagFocus: string;
  tagIgnore: string;
  tagShow: string;
  tagHide: string;
  granularity: Granularity;
  noInlines: boolean;
  showColumns: boolean;
  unit: string;
  compactLabels: boolean;
  relativePercentages: boolean;
  dropNegative: boolean;
  divideBy: number;
  trimPath: string;
  sourcePath: string;
  /** -call_tree: one node per call path (dot only) */
  callTree: boolean;
  /** regexp argument of peek and list (and of tags: a tag filter) */
  symbol: string;
}

export function defaultConfig(): ReportConfig {
  return {
    sampleIndex: "",
    mean: false,
    cum: false,
    nodeCount: -1,
    nodeFraction: 0.005,
    edgeFraction: 0.001,
    trim: true,
    focus: "",
    ignore: "",
    hide: "",
    show: "",
    showFrom: "",
    pruneFrom: "",
    tagFocus: "",
    tagIgnore: "",
    tagShow: "",
    tagHide: "",
    granularity: "",
    noInlines: false,
    showColumns: false,
    unit: "minimum",
    compactLabels: false,
    relativePercentages: false,
    dropNegative: false,
    divideBy: 1,
    trimPath: "",
    sourcePath: "",
    callTree: false,
    symbol: "",
  };
}

/** pprof's applyCommandOverrides: per-report trimming and granularity rules. */
export function applyCommandOverrides(kind: ReportKind, cfg: ReportConfig): ReportConfig {
  const c = { ...cfg };
  let trim = c.trim;
  switch (kind) {
    case "peek":
      trim = false;
      break;
    case "list":
      // source lines; -noinlines stays as the user set it (pprof's applyCommandOverrides)
      trim = false;
      c.granularity = "lines";
      break;
    case "weblist":
      // pprof: per address, with the inline frames weblist expands
      trim = false;
      c.granularity = "addresses";
      c.noInlines = false;
      break;
    case "text":
    case "top":
      if (c.nodeCount === -1) c.nodeCount = 0;
      break;
    default:
      if (c.nodeCount === -1) c.nodeCount = 80;
  }
  if (kind === "raw" || kind === "callgrind") {
    trim = false;
    c.granularity = "addresses";
  }
  if (!trim) {
    c.nodeCount = 0;
    c.nodeFraction = 0;
    c.edgeFraction = 0;
  }
  return c;
}
