// From loaded profiles to a flame tree: pprof's pipeline (tagroot/tagleaf pseudo
// frames, sample index, filters, granularity) and then the merged call tree.
// Used by `godiag flame` and by any report that embeds a flame graph.

import type { Profile } from "../../model/profile.js";
import type { ReportConfig } from "../config.js";
import { prepareReport } from "../report.js";
import { addLabelNodes, splitKeys } from "./tagroot.js";
import { buildFlameTree, type FlameTree } from "./tree.js";

export interface FlameBuildOptions {
  /** comma-separated label keys, as pprof's -tagroot / -tagleaf */
  tagRoot?: string;
  tagLeaf?: string;
}

export function flameTreeFromProfile(
  p: Profile,
  cfg: ReportConfig,
  opts: FlameBuildOptions,
  warn: (m: string) => void,
): FlameTree {
  let profile = p;
  let labelFrom: number | undefined;
  const rootKeys = splitKeys(opts.tagRoot ?? "");
  const leafKeys = splitKeys(opts.tagLeaf ?? "");
  if (rootKeys.length + leafKeys.length > 0) {
    const r = addLabelNodes(p, rootKeys, leafKeys, cfg.unit);
    if (rootKeys.length > 0 && !r.rootMatched) warn("TagRoot expression matched no samples");
    if (leafKeys.length > 0 && !r.leafMatched) warn("TagLeaf expression matched no samples");
    profile = r.profile;
    labelFrom = r.firstLabelFunction;
  }
  // "traces" is the report that keeps every sample's whole stack (no node trimming).
  const rpt = prepareReport(profile, "traces", cfg, warn);
  return buildFlameTree(rpt, { labelFunctionsFrom: labelFrom });
}

export { buildFlameTree, type FlameTree } from "./tree.js";
export { renderFlameHtml, flameAssets, flameFragment, type FlameHtmlOptions, type ColorMode } from "./html.js";
export { renderFlameSvg } from "./svg.js";
