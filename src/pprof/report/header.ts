// The header lines of pprof's text reports (report.ProfileLabels / reportLabels).

import { fileBase } from "../graph/paths.js";
import type { Report } from "./report.js";
import { label, percentage, scaleValue } from "../../core/measure/index.js";
import { goTimeString } from "../../core/go/index.js";

/** File, Build ID, comments, Type, Doc, Time and Duration lines. */
export function profileLabels(rpt: Report): string[] {
  const p = rpt.view.p;
  const out: string[] = [];
  if (p.mappings.length > 0) {
    if (p.mappings[0].file !== "") out.push("File: " + fileBase(p.mappings[0].file));
    if (p.mappings[0].buildId !== "") out.push("Build ID: " + p.mappings[0].buildId);
  }
  for (const c of p.comments) if (!c.startsWith("#")) out.push(c);
  if (rpt.sampleType !== "") out.push("Type: " + rpt.sampleType);
  if (p.docUrl !== "") out.push("Doc: " + p.docUrl);
  if (p.timeNanos !== 0n) out.push("Time: " + goTimeString(p.timeNanos));
  if (p.durationNanos !== 0) {
    const duration = label(p.durationNanos, "nanoseconds");
    const [totalNanos, totalUnit] = scaleValue(rpt.total, rpt.sampleUnit, "nanoseconds");
    let ratio = "";
    if (totalUnit === "ns" && totalNanos !== 0) ratio = "(" + percentage(Math.trunc(totalNanos), p.durationNanos) + ")";
    out.push(`Duration: ${duration}, Total samples = ${rpt.formatValue(rpt.total)} ${ratio}`);
  }
  return out;
}

function genLabel(d: number, n: string, l: string, f: string): string {
  return `Dropped ${d} ${d > 1 ? n + "s" : n} (${l} <= ${f})`;
}

/** reportLabels; fullHeaders (dot) always prints the profile labels and a reading hint. */
export function reportLabels(
  rpt: Report,
  shownTotal: number,
  nodeCount: number,
  origCount: number,
  droppedNodes: number,
  droppedEdges: number,
  fullHeaders = false,
): string[] {
  const out: string[] = rpt.cfg.compactLabels && !fullHeaders ? [] : profileLabels(rpt);
  if (rpt.activeFilters.length > 0) {
    out.push("Active filters:");
    for (let s of rpt.activeFilters) {
      if ([...s].length > 80) s = [...s].slice(0, 80).join("") + "…";
      out.push("   " + s);
    }
  }
  out.push(
    `Showing nodes accounting for ${rpt.formatValue(shownTotal)}, ${percentage(shownTotal, rpt.total).trim()} of ${rpt.formatValue(rpt.total)} total`,
  );
  if (rpt.total !== 0) {
    if (droppedNodes > 0) {
      out.push(genLabel(droppedNodes, "node", "cum", rpt.formatValue(Math.abs(Math.trunc(rpt.total * rpt.cfg.nodeFraction)))));
    }
    if (droppedEdges > 0) {
      out.push(genLabel(droppedEdges, "edge", "freq", rpt.formatValue(Math.abs(Math.trunc(rpt.total * rpt.cfg.edgeFraction)))));
    }
    if (nodeCount > 0 && nodeCount < origCount) out.push(`Showing top ${nodeCount} nodes out of ${origCount}`);
  }
  if (fullHeaders) out.push("\nSee https://git.io/JfYMW for how to read the graph");
  return out;
}
