// The hover tooltip: name, file:line, label, totals and self (or base -> new for a
// diff), wait class; placed beside the pointer inside the viewer's root.

import { escapeHtml } from "../../../core/html/index.js";
import { fmtValue, pct } from "./format.js";
import type { ViewerState } from "./state.js";
import type { Pane } from "./types.js";

export function showTip(s: ViewerState, p: Pane, i: number, cx: number, cy: number): void {
  const { meta, ui } = s;
  const fmt = (v: number) => fmtValue(v, meta.unit);
  const t = p.tree;
  const f = t.frame[i];
  const total = t.totA[0] + t.totB[0];
  const par = t.parent[i];
  const w = t.totA[i] + t.totB[i];
  const rows: string[] = [`<b>${escapeHtml(meta.names[f])}</b>`];
  if (meta.files[f]) rows.push(`<span class="gdf-file">${escapeHtml(meta.files[f])}${meta.lines[f] ? ":" + meta.lines[f] : ""}</span>`);
  if (meta.labels[f]) rows.push(`label <i>${escapeHtml(meta.files[f])}</i>`);
  if (meta.diff) {
    rows.push(`base ${fmt(t.totB[i])} &rarr; new ${fmt(t.totA[i])} (delta ${t.totA[i] >= t.totB[i] ? "+" : ""}${fmt(t.totA[i] - t.totB[i])}${t.totB[i] > 0 ? ", " + (t.totA[i] >= t.totB[i] ? "+" : "") + pct(t.totA[i] - t.totB[i], t.totB[i]) : ""})`);
    rows.push(`self: base ${fmt(t.selfB[i])}, new ${fmt(t.selfA[i])}`);
  } else {
    rows.push(`total ${fmt(t.totA[i] - t.totB[i])} (${pct(w, total)} of total${par >= 0 ? ", " + pct(w, t.totA[par] + t.totB[par]) + " of parent" : ""})`);
    rows.push(`self ${fmt(t.selfA[i] - t.selfB[i])} (${pct(t.selfA[i] + t.selfB[i], total)} of total)`);
  }
  if (t.cls[i] !== 0) rows.push(`wait: <b>${escapeHtml(meta.waitClasses[t.cls[i] - 1])}</b>`);
  ui.tip.innerHTML = rows.join("<br>");
  ui.tip.style.display = "block";
  const r = ui.root.getBoundingClientRect();
  ui.tip.style.left = Math.min(cx - r.left + 14, r.width - 360) + "px";
  ui.tip.style.top = cy - r.top + 16 + "px";
}

export function hideTip(s: ViewerState): void {
  s.ui.tip.style.display = "none";
}
