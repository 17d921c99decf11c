// report.newTrimmedGraph and selectOutputUnit: build the graph, drop nodes below
// nodefraction, keep the top nodecount, drop light edges, and pick the unit that
// makes the smallest shown value readable.

import { buildGraph, NameCache, sortNodes, type Graph } from "../graph/graph.js";
import { buildNodeIndex, type NodeIndex } from "../graph/nodes.js";
import { groupStacks } from "../graph/stack-groups.js";
import type { Report } from "./report.js";
import { reportLabels } from "./header.js";
import { scaleValue } from "../../core/measure/index.js";

export interface TrimmedGraph {
  graph: Graph;
  index: NodeIndex;
  names: NameCache;
  origCount: number;
  droppedNodes: number;
  droppedEdges: number;
}

function keptSet(nNodes: number, nodes: number[]): Uint8Array {
  const kept = new Uint8Array(nNodes);
  for (const n of nodes) kept[n] = 1;
  return kept;
}

export function newTrimmedGraph(rpt: Report): TrimmedGraph {
  const cfg = rpt.cfg;
  const index = buildNodeIndex(rpt.view, { trimPath: cfg.trimPath, sourcePath: cfg.sourcePath });
  const names = new NameCache(index.infos);
  const nNodes = index.infos.length;
  const gopts = { dropNegative: cfg.dropNegative };
  const groups = groupStacks(rpt.view);
  let g = buildGraph(rpt.view, index, groups, gopts);
  const totalValue = g.flatSum();
  const nodeCutoff = Math.abs(Math.trunc(totalValue * cfg.nodeFraction));
  const edgeCutoff = Math.abs(Math.trunc(totalValue * cfg.edgeFraction));
  let droppedNodes = 0;
  if (nodeCutoff > 0) {
    const kept = g.nodes.filter((n) => Math.abs(g.cum[n]) >= nodeCutoff);
    if (kept.length !== g.nodes.length) {
      droppedNodes = g.nodes.length - kept.length;
      g = buildGraph(rpt.view, index, groups, { ...gopts, kept: keptSet(nNodes, kept) });
    }
  }
  const origCount = g.nodes.length;
  sortNodes(g, names, cfg.cum);
  if (cfg.nodeCount > 0) {
    g.trimLowFrequencyEdges(edgeCutoff);
    if (cfg.nodeCount < g.nodes.length) {
      const top = g.nodes.slice(0, cfg.nodeCount);
      g = buildGraph(rpt.view, index, groups, { ...gopts, kept: keptSet(nNodes, top) });
      sortNodes(g, names, cfg.cum);
    }
  }
  const droppedEdges = g.trimLowFrequencyEdges(edgeCutoff);
  return { graph: g, index, names, origCount, droppedNodes, droppedEdges };
}

/** report.selectOutputUnit for unit=minimum. */
export function selectOutputUnit(rpt: Report, g: Graph): void {
  selectUnitFor(
    rpt,
    g.nodes.map((n) => [g.flat[n], g.cum[n]]),
  );
}

/** selectOutputUnit over the shown nodes' [flat, cum] values. */
export function selectUnitFor(rpt: Report, values: [number, number][], integral = false): void {
  if (rpt.outputUnit !== "minimum" || values.length === 0) return;
  let minValue = 0;
  for (const [flat, cum] of values) {
    let v = Math.abs(flat);
    if (v === 0) v = Math.abs(cum);
    if (v > 0 && (minValue === 0 || v < minValue)) minValue = v;
  }
  let maxValue = rpt.total;
  if (minValue === 0) minValue = maxValue;
  const r = rpt.ratio;
  if (r > 0 && r !== 1) {
    minValue = Math.trunc(minValue * r);
    maxValue = Math.trunc(maxValue * r);
  }
  const [, minUnit] = scaleValue(minValue, rpt.sampleUnit, "minimum");
  const [, maxUnit] = scaleValue(maxValue, rpt.sampleUnit, "minimum");
  let unit = minUnit;
  // callgrind prints integers only, so it never scales the minimum down to 0.01
  if (minUnit !== maxUnit && minValue * 100 < maxValue && !integral) {
    [, unit] = scaleValue(100 * minValue, rpt.sampleUnit, "minimum");
  }
  rpt.outputUnit = unit !== "" ? unit : rpt.sampleUnit;
}

/** The common start of pprof's graph-based text reports (text, tree, peek). */
export function graphReport(rpt: Report): { t: TrimmedGraph; g: Graph; labels: string[] } {
  const t = newTrimmedGraph(rpt);
  const g = t.graph;
  selectOutputUnit(rpt, g);
  const labels = reportLabels(rpt, g.flatSum(), g.nodes.length, t.origCount, t.droppedNodes, 0);
  return { t, g, labels };
}
