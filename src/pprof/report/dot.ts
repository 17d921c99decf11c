// `dot`: pprof's printDOT. The graph is trimmed as report.newTrimmedGraph does in
// visual mode (entropy order, nodelets counted against -nodecount, redundant
// residual edges removed, -call_tree honoured) and written as graph.ComposeDot.

import { buildGraph, NameCache } from "../graph/graph.js";
import { groupStacks } from "../graph/stack-groups.js";
import { buildNodeIndex, type NodeIndex } from "../graph/nodes.js";
import {
  buildTaggedGraph,
  removeRedundantEdges,
  selectTopNodes,
  sortEntropy,
  tagGroups,
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

function keptNodeIds(nIds: number, ids: number[]): Uint8Array {
  const kept = new Uint8Array(nIds);
  for (const id of ids) kept[id] = 1;
  return kept;
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
  // the samples, grouped once for the (up to three) builds of the trimming steps
  const stacks = groupStacks(rpt.view);
  const groups = tagGroups(rpt.view, cfg.mean ? 0 : -1, stacks);
  const build = (kept: Uint8Array | null) =>
    buildTaggedGraph(rpt.view, index, {
      meanIndex: cfg.mean ? 0 : -1,
      numLabelUnits: rpt.numLabelUnits,
      formatTag: (v, u) => scaledLabel(v, u, unit),
      dropNegative: cfg.dropNegative,
      callTree,
      kept,
    }, groups);
  let nodes: TNode[];
  let totalValue = 0;
  let nodeCutoff: number;
  let droppedNodes = 0;
  if (callTree) {
    nodes = build(null);
    for (const n of nodes) totalValue += n.flat;
    nodeCutoff = Math.abs(Math.trunc(totalValue * cfg.nodeFraction));
    if (nodeCutoff > 0) {
      const kept = nodes.filter((n) => Math.abs(n.cum) >= nodeCutoff);
      if (kept.length !== nodes.length) {
        droppedNodes = nodes.length - kept.length;
        nodes = trimTree(nodes, new Set(kept), names);
      }
    }
  } else {
    // pprof's first, complete graph only serves to find the nodes under -nodefraction:
    // its node values come from the integer graph (no node objects, edge maps or tags,
    // which a big profile has tens of thousands of); objects are built for kept nodes only.
    const g = buildGraph(rpt.view, index, stacks, { dropNegative: cfg.dropNegative, noEdges: true });
    totalValue = g.flatSum();
    nodeCutoff = Math.abs(Math.trunc(totalValue * cfg.nodeFraction));
    const cut = nodeCutoff;
    const kept = cut > 0 ? g.nodes.filter((n) => Math.abs(g.cum[n]) >= cut) : g.nodes;
    droppedNodes = g.nodes.length - kept.length;
    nodes = build(droppedNodes > 0 ? keptNodeIds(index.infos.length, kept) : null);
  }
  const edgeCutoff = Math.abs(Math.trunc(totalValue * cfg.edgeFraction));
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
