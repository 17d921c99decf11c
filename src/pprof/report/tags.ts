// `tags`: every label key with the share of the total carried by each value
// (pprof printTags).

import type { Report } from "./report.js";
import { tabwriteAlignRight } from "./tabwriter.js";
import { percentage, scaledLabel } from "../../core/measure/index.js";

export interface TagValueRow {
  value: string;
  weight: number;
}

export interface TagKeyRow {
  key: string;
  total: number;
  values: TagValueRow[];
}

function byWeightThenName(a: TagValueRow, b: TagValueRow): number {
  const d = Math.abs(b.weight) - Math.abs(a.weight);
  if (d !== 0) return d;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function tagItems(rpt: Report): TagKeyRow[] {
  const view = rpt.view;
  const p = view.p;
  const byKey = new Map<string, Map<string, number>>();
  const totals = new Map<string, number>();
  const add = (key: string, val: string, w: number) => {
    let m = byKey.get(key);
    if (!m) byKey.set(key, (m = new Map()));
    m.set(val, (m.get(val) ?? 0) + w);
    totals.set(key, (totals.get(key) ?? 0) + w);
  };
  for (let i = 0; i < view.sampleCount; i++) {
    const w = view.value(i);
    view.forEachLabel(i, (r) => {
      const key = p.str(p.labels.key[r]);
      if (p.labels.str[r] !== 0) add(key, p.str(p.labels.str[r]), w);
      else {
        const unit = rpt.numLabelUnits.get(key) ?? "";
        add(key, scaledLabel(p.labels.num[r], unit, rpt.outputUnit), w);
      }
    });
  }
  const keys = [...byKey.keys()].sort();
  return keys.map((key) => ({
    key,
    total: totals.get(key) ?? 0,
    values: [...(byKey.get(key) ?? new Map<string, number>())]
      .map(([value, weight]) => ({ value, weight }))
      .sort(byWeightThenName),
  }));
}

export function formatTags(rpt: Report, rows: TagKeyRow[]): string {
  const total = rpt.total;
  let s = "";
  for (const row of rows) {
    if (total > 0) {
      s += `${row.key}:\t Total ${rpt.formatValue(row.total)} of ${rpt.formatValue(total)} (${percentage(row.total, total)})\n`;
    } else {
      s += `${row.key}:\t Total ${rpt.formatValue(row.total)} of ${rpt.formatValue(total)}\n`;
    }
    for (const v of row.values) {
      if (total > 0) s += ` \t${rpt.formatValue(v.weight)} (${percentage(v.weight, total)}):\t ${v.value}\n`;
      else s += ` \t${rpt.formatValue(v.weight)}:\t ${v.value}\n`;
    }
    s += "\n";
  }
  return tabwriteAlignRight(s);
}
