// From loaded profiles to a flame tree: pprof's pipeline (tagroot/tagleaf pseudo
// frames, sample index, filters, granularity) and then the merged call tree.
// Used by `godiag flame` and by any report that embeds a flame graph.

import type { Profile } from "../../core/model/index.js";
import type { ReportConfig } from "../report/config.js";
import { prepareReport } from "../report/report.js";
import { addLabelNodes, splitKeys } from "./tagroot.js";
import { buildFlameTree, DEFAULT_MAX_FRAMES, type FlameTree } from "./tree.js";

export interface FlameBuildOptions {
  /** comma-separated label keys, as pprof's -tagroot / -tagleaf */
  tagRoot?: string;
  tagLeaf?: string;
  /** cap on the tree's frames (default DEFAULT_MAX_FRAMES): narrower frames fold into "(other)" */
  maxFrames?: number;
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
  const tree = buildFlameTree(rpt, { labelFunctionsFrom: labelFrom, maxFrames: opts.maxFrames });
  const f = tree.folded;
  if (f !== undefined) {
    const pct = (x: number) => (x * 100).toPrecision(2) + "%";
    const root = tree.totalPos[0] + tree.totalNeg[0];
    warn(
      `flame: the tree has ${f.fullCount} frames, over --max_frames ${opts.maxFrames ?? DEFAULT_MAX_FRAMES}: ` +
        `folded ${f.foldedFrames} frames narrower than ${pct(f.minFraction)} of the total ` +
        `(${pct(root > 0 ? f.foldedWidth / root : 0)} of its width) into ${f.others} "(other)" frames`,
    );
  }
  return tree;
}

export { buildFlameTree, DEFAULT_MAX_FRAMES, type FlameTree, type FoldSummary } from "./tree.js";
export { renderFlameHtml, flameAssets, flameFragment, encodeFlamePayload, type FlameHtmlOptions, type ColorMode } from "./html.js";
export { renderFlameSvg } from "./svg.js";
