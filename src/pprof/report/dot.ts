// `dot`: pprof's printDOT. The graph is trimmed as report.newTrimmedGraph does in
// visual mode (entropy order, nodelets counted against -nodecount, redundant
// residual edges removed, -call_tree honoured) and written as graph.ComposeDot.

import { NameCache } from "../graph/graph.js";
import { buildNodeIndex, type NodeIndex } from "../graph/nodes.js";
import {
  buildTaggedGraph,
  removeRedundantEdges,
  selectTopNodes,
  sortEntropy,
  trimLowFrequencyEdges,
  trimLowFrequencyTags,
  trimTree,
  type TNode,
} from "../graph/tagged-graph.js";
import { composeDot } from "../graph/dot-compose.js";
import { fileBase } from "../graph/paths.js";
import type { Report } from "./report.js";
import { reportLabels } from "./header.js";
import { selectUnitFor } from "./trimmed-graph.js";
import { scaledLabel } from "../../core/measure/index.js";

interface DotGraph {
  nodes: TNode[];
  names: NameCache;
  origCount: number;
  droppedNodes: number;
  droppedEdges: number;
}

function keptIds(nIds: number, nodes: TNode[]): Uint8Array {
  const kept = new Uint8Array(nIds);
  for (const n of nodes) kept[n.id] = 1;
  return kept;
}

function trimmedDotGraph(rpt: Report): DotGraph {
  const cfg = rpt.cfg;
  const index: NodeIndex = buildNodeIndex(rpt.view, { trimPath: cfg.trimPath, sourcePath: cfg.sourcePath });
  const names = new NameCache(index.infos);
  const callTree = cfg.callTree;
  // Tags are named in the unit asked for, before the graph picks its own (report.newGraph).
  const unit = cfg.unit;
  const build = (kept: Uint8Array | null) =>
    buildTaggedGraph(rpt.view, index, {
      meanIndex: cfg.mean ? 0 : -1,
      numLabelUnits: rpt.numLabelUnits,
      formatTag: (v, u) => scaledLabel(v, u, unit),
      dropNegative: cfg.dropNegative,
      callTree,
      kept,
    });
  let nodes = build(null);
  let totalValue = 0;
  for (const n of nodes) totalValue += n.flat;
  const nodeCutoff = Math.abs(Math.trunc(totalValue * cfg.nodeFraction));
  const edgeCutoff = Math.abs(Math.trunc(totalValue * cfg.edgeFraction));
  let droppedNodes = 0;
  if (nodeCutoff > 0) {
    const kept = nodes.filter((n) => Math.abs(n.cum) >= nodeCutoff);
    if (kept.length !== nodes.length) {
      droppedNodes = nodes.length - kept.length;
      nodes = callTree ? trimTree(nodes, new Set(kept), names) : build(keptIds(index.infos.length, kept));
    }
  }
  const origCount = nodes.length;
  sortEntropy(nodes, names);
  if (cfg.nodeCount > 0) {
    trimLowFrequencyTags(nodes, nodeCutoff);
    trimLowFrequencyEdges(nodes, edgeCutoff);
    const top = selectTopNodes(nodes, cfg.nodeCount);
    if (top.length !== nodes.length) {
      nodes = callTree ? trimTree(nodes, new Set(top), names) : build(keptIds(index.infos.length, top));
      sortEntropy(nodes, names);
    }
  }
  trimLowFrequencyTags(nodes, nodeCutoff);
  const droppedEdges = trimLowFrequencyEdges(nodes, edgeCutoff);
  removeRedundantEdges(nodes, names);
  return { nodes, names, origCount, droppedNodes, droppedEdges };
}

export function formatDot(rpt: Report): string {
  const g = trimmedDotGraph(rpt);
  selectUnitFor(
    rpt,
    g.nodes.map((n) => [n.flatValue(), n.cumValue()]),
  );
  let shown = 0;
  for (const n of g.nodes) shown += n.flatValue();
  const labels = reportLabels(rpt, shown, g.nodes.length, g.origCount, g.droppedNodes, g.droppedEdges, true);
  const maps = rpt.view.p.mappings;
  const title = maps.length > 0 && maps[0].file !== "" ? fileBase(maps[0].file) : "";
  return composeDot(g.nodes, g.names, {
    title,
    labels,
    formatValue: (v) => rpt.formatValue(v),
    total: rpt.total,
  });
}
