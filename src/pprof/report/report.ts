// The driver half of a report: pprof's generateRawReport + report.New.
// Selects the sample type, prunes, filters (before or after computing the total,
// as -relative_percentages says), aggregates to the granularity, and knows how
// to format values and the header lines every text report starts with.

import type { Profile } from "../../core/model/index.js";
import {
  filterSamplesByName,
  filterSamplesByTag,
  filterTagsByName,
  pruneFrom,
  removeUninteresting,
  showFrom, compileTagFilter, numLabelUnits, KEEP_ALL, ProfileView, type Granularity
} from "../../core/transform/index.js";
import { goRegExp, type GoRegExp, type RegexError } from "../../core/go/index.js";
import { applyCommandOverrides, type ReportConfig, type ReportKind } from "./config.js";
import { scaledLabel } from "../../core/measure/index.js";
import { ReportError } from "../../core/input/index.js";
export { ReportError };

/** A user error in the report request (bad flag value, bad regexp): exit code 2 in the CLI. */

export interface Report {
  kind: ReportKind;
  cfg: ReportConfig;
  view: ProfileView;
  total: number;
  sampleType: string;
  sampleUnit: string;
  /** starts as cfg.unit; "minimum" is resolved by selectOutputUnit for graph reports */
  outputUnit: string;
  ratio: number;
  activeFilters: string[];
  numLabelUnits: Map<string, string>;
  formatValue(v: number): string;
}

/** pprof's SampleIndexByName. */
export function sampleIndexByName(p: Profile, name: string): number {
  const types = p.sampleTypes.map((t) => t.type);
  if (name === "") {
    if (p.defaultSampleType !== "") {
      const i = types.indexOf(p.defaultSampleType);
      if (i >= 0) return i;
    }
    return types.length - 1;
  }
  if (/^[+-]?\d+$/.test(name)) {
    const i = parseInt(name, 10);
    if (i < 0 || i >= types.length) {
      throw new ReportError(`sample_index ${name} is outside the range [0..${types.length - 1}]`);
    }
    return i;
  }
  const noInuse = name.startsWith("inuse_") ? name.slice("inuse_".length) : name;
  for (let i = 0; i < types.length; i++) {
    if (types[i] === name || types[i] === noInuse) return i;
  }
  throw new ReportError(`sample_index "${name}" must be one of: [${types.join(" ")}]`);
}

function compileOption(name: string, value: string): GoRegExp | null {
  if (value === "") return null;
  try {
    return goRegExp(value);
  } catch (e) {
    throw new ReportError(`parsing ${name} regexp: ${(e as RegexError).message}`);
  }
}

/** pprof's applyFocus: name filters, show_from, tag filters, tagshow/taghide, prune_from. */
function applyFocus(view: ProfileView, units: Map<string, string>, cfg: ReportConfig, warn: (m: string) => void): void {
  const focus = compileOption("focus", cfg.focus);
  const ignore = compileOption("ignore", cfg.ignore);
  const hide = compileOption("hide", cfg.hide);
  const show = compileOption("show", cfg.show);
  const from = compileOption("show_from", cfg.showFrom);
  const tagFilter = (name: string, value: string) => {
    if (value === "") return null;
    try {
      return compileTagFilter(name, value, units, warn);
    } catch (e) {
      throw new ReportError(`parsing ${name} regexp: ${(e as Error).message}`);
    }
  };
  const tagfocus = tagFilter("tagfocus", cfg.tagFocus);
  const tagignore = tagFilter("tagignore", cfg.tagIgnore);
  const prunefrom = compileOption("prune_from", cfg.pruneFrom);
  const noMatch = (ok: boolean, what: string) => {
    if (!ok) warn(`${what} expression matched no samples`);
  };

  const r = filterSamplesByName(view, focus, ignore, hide, show);
  noMatch(focus === null || r.focusMatched, "Focus");
  noMatch(ignore === null || r.ignoreMatched, "Ignore");
  noMatch(hide === null || r.hideMatched, "Hide");
  noMatch(show === null || r.showMatched, "Show");
  if (from !== null) noMatch(showFrom(view, from), "ShowFrom");
  if (tagfocus !== null || tagignore !== null) {
    const t = filterSamplesByTag(view, tagfocus, tagignore);
    noMatch(tagfocus === null || t.focusMatched, "TagFocus");
    noMatch(tagignore === null || t.ignoreMatched, "TagIgnore");
  }
  const tagshow = compileOption("tagshow", cfg.tagShow);
  const taghide = compileOption("taghide", cfg.tagHide);
  if (tagshow !== null || taghide !== null) {
    const t = filterTagsByName(view, tagshow, taghide);
    noMatch(tagshow === null || t.showMatched, "TagShow");
    noMatch(taghide === null || t.hideMatched, "TagHide");
  }
  if (prunefrom !== null) pruneFrom(view, prunefrom);
}

/** pprof's driver aggregate(): which attributes the granularity keeps. */
function granularityOf(cfg: ReportConfig): Granularity {
  const inlineFrame = !cfg.noInlines;
  const g: Granularity = {
    inlineFrame,
    function: false,
    filename: false,
    linenumber: false,
    columnnumber: cfg.showColumns,
    address: false,
  };
  switch (cfg.granularity) {
    case "":
    case "functions":
      g.function = true;
      break;
    case "addresses":
      if (inlineFrame) return KEEP_ALL;
      g.function = g.filename = g.linenumber = g.address = true;
      break;
    case "lines":
      g.function = g.filename = g.linenumber = true;
      break;
    case "files":
      g.filename = true;
      break;
    case "filefunctions":
      g.function = g.filename = true;
      break;
  }
  return g;
}

/** Whether a sample carries pprof::base=true (it came from a -diff_base profile). */
function diffBaseSamples(view: ProfileView): Uint8Array | null {
  const p = view.p;
  const keyIdx = p.strings.all().indexOf("pprof::base");
  if (keyIdx < 0) return null;
  const out = new Uint8Array(view.sampleCount);
  let any = false;
  for (let i = 0; i < view.sampleCount; i++) {
    view.forEachLabel(i, (r) => {
      if (p.labels.key[r] === keyIdx && p.labels.str[r] !== 0 && p.str(p.labels.str[r]) === "true") {
        out[i] = 1;
        any = true;
      }
    });
  }
  return any ? out : null;
}

/** report.computeTotal: sum of |value|; only the diff base's samples when there are any. */
function computeTotal(view: ProfileView, meanIndex: number): number {
  const base = diffBaseSamples(view);
  let total = 0;
  let div = 0;
  let diffTotal = 0;
  let diffDiv = 0;
  for (let i = 0; i < view.sampleCount; i++) {
    const v = Math.abs(view.value(i));
    const d = meanIndex >= 0 ? view.valueAt(i, meanIndex) : 0;
    total += v;
    div += d;
    if (base !== null && base[i]) {
      diffTotal += v;
      diffDiv += d;
    }
  }
  if (diffTotal > 0) {
    total = diffTotal;
    div = diffDiv;
  }
  return div !== 0 ? Math.trunc(total / div) : total;
}

export function prepareReport(
  p: Profile,
  kind: ReportKind,
  config: ReportConfig,
  warn: (m: string) => void,
): Report {
  const view = new ProfileView(p, 0);
  removeUninteresting(view);
  const { units, ignored } = numLabelUnits(view);
  for (const [k, us] of ignored) {
    warn(`For tag ${k} used unit ${units.get(k)}, also encountered unit(s) ${us.join(", ")}`);
  }
  const cfg = applyCommandOverrides(kind, config);
  if (cfg.relativePercentages) applyFocus(view, units, cfg, warn);
  if (p.sampleTypes.length === 0) throw new ReportError("profile has no samples");
  const index = sampleIndexByName(p, cfg.sampleIndex);
  view.valueIndex = index;
  if (cfg.divideBy === 0) throw new ReportError("zero divisor specified");
  const st = p.sampleTypes[index];
  const total = computeTotal(view, cfg.mean ? 0 : -1);
  if (!cfg.relativePercentages) applyFocus(view, units, cfg, warn);
  view.granularity = granularityOf(cfg);

  const filters: string[] = [];
  const add = (k: string, v: string) => {
    if (v !== "") filters.push(`${k}=${v}`);
  };
  add("focus", cfg.focus);
  add("ignore", cfg.ignore);
  add("hide", cfg.hide);
  add("show", cfg.show);
  add("show_from", cfg.showFrom);
  add("tagfocus", cfg.tagFocus);
  add("tagignore", cfg.tagIgnore);
  add("tagshow", cfg.tagShow);
  add("taghide", cfg.tagHide);

  const rpt: Report = {
    kind,
    cfg,
    view,
    total,
    sampleType: (cfg.mean ? "mean_" : "") + st.type,
    sampleUnit: st.unit,
    outputUnit: cfg.unit,
    ratio: 1 / cfg.divideBy,
    activeFilters: filters,
    numLabelUnits: units,
    formatValue: (v: number) => {
      const r = rpt.ratio;
      if (r > 0 && r !== 1) v = Math.trunc(v * r);
      return scaledLabel(v, rpt.sampleUnit, rpt.outputUnit);
    },
  };
  return rpt;
}
