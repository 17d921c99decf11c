// `traces`: every sample's stack with its labels and value (pprof printTraces).

import { buildNodeIndex } from "../graph/nodes.js";
import { NameCache } from "../graph/graph.js";
import { profileLabels } from "./header.js";
import type { Report } from "./report.js";
import { label } from "../../core/measure/index.js";

export interface TraceFrame {
  name: string;
  inline: boolean;
}

export interface Trace {
  labels: Record<string, string[]>;
  numLabels: Record<string, number[]>;
  value: number;
  frames: TraceFrame[];
}

export function traceItems(rpt: Report): { labels: string[]; traces: Trace[] } {
  const view = rpt.view;
  const p = view.p;
  // pprof's traces use plain node infos: no path trimming, no object names.
  const index = buildNodeIndex(view, { noTrim: true });
  const names = new NameCache(index.infos);
  const traces: Trace[] = [];
  for (let i = 0; i < view.sampleCount; i++) {
    const frames: TraceFrame[] = [];
    for (let s = view.stackStart[i]; s < view.stackStart[i + 1]; s++) {
      const loc = view.stack[s];
      const lo = index.locNodeStart[loc];
      const hi = index.locNodeStart[loc + 1];
      for (let k = lo; k < hi; k++) frames.push({ name: names.name(index.locNodes[k]), inline: k !== hi - 1 });
    }
    if (frames.length === 0) continue;
    const labels: Record<string, string[]> = {};
    const numLabels: Record<string, number[]> = {};
    view.forEachLabel(i, (r) => {
      const key = p.str(p.labels.key[r]);
      if (p.labels.str[r] !== 0) (labels[key] ??= []).push(p.str(p.labels.str[r]));
      else (numLabels[key] ??= []).push(p.labels.num[r]);
    });
    traces.push({ labels, numLabels, value: view.value(i), frames });
  }
  return { labels: profileLabels(rpt), traces };
}

const SEPARATOR = "-----------+-------------------------------------------------------";

export function formatTraces(rpt: Report, items: { labels: string[]; traces: Trace[] }): string {
  const out: string[] = [items.labels.join("\n")];
  for (const t of items.traces) {
    out.push(SEPARATOR);
    const lines: string[] = [];
    for (const [k, vs] of Object.entries(t.labels)) lines.push(`${k.padStart(10)}:  ${vs.join(" ")}`);
    lines.sort(byteOrder);
    const nums: string[] = [];
    for (const [k, vs] of Object.entries(t.numLabels)) {
      const unit = rpt.numLabelUnits.get(k) ?? "";
      nums.push(`${k.padStart(10)}:  ${vs.map((v) => label(v, unit)).join(" ")}`);
    }
    nums.sort(byteOrder);
    out.push(...lines, ...nums);
    t.frames.forEach((f, i) => {
      const vs = i === 0 ? rpt.formatValue(t.value) : "";
      out.push(`${vs.padStart(10)}   ${f.name}${f.inline ? " (inline)" : ""}`);
    });
  }
  out.push(SEPARATOR);
  return out.join("\n") + "\n";
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
