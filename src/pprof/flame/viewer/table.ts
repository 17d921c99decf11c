// The top table beside the graph: per function, self and total (recursion counted
// once), sorted by self; filtered by the search; a row opens that function's sandwich.

import { escapeHtml } from "../../../core/html/index.js";
import { fmtValue, pct } from "./format.js";
import type { ViewerState } from "./state.js";

/** Per-frame self and total sums of the main tree into s.topRows, largest self first. */
export function computeTop(s: ViewerState): void {
  const t = s.main;
  const F = s.meta.names.length;
  const selfA = new Float64Array(F);
  const selfB = new Float64Array(F);
  const totA = new Float64Array(F);
  const totB = new Float64Array(F);
  const onPath = new Uint32Array(F);
  const stack: number[] = [];
  for (let i = 1; i < t.n; i++) {
    while (stack.length > 0 && t.depth[stack[stack.length - 1]] >= t.depth[i]) onPath[t.frame[stack.pop() as number]]--;
    const f = t.frame[i];
    selfA[f] += t.selfA[i];
    selfB[f] += t.selfB[i];
    if (onPath[f] === 0) {
      totA[f] += t.totA[i];
      totB[f] += t.totB[i];
    }
    onPath[f]++;
    stack.push(i);
  }
  const rows = [];
  for (let f = 1; f < F; f++) rows.push({ f, selfA: selfA[f], selfB: selfB[f], totA: totA[f], totB: totB[f] });
  rows.sort((a, b) => Math.abs(b.selfA - b.selfB) - Math.abs(a.selfA - a.selfB) || b.totA + b.totB - (a.totA + a.totB));
  s.topRows = rows;
}

/** Fills the table with the first 300 rows whose function matches re (all without). */
export function fillTable(s: ViewerState, re: RegExp | null): void {
  const { meta, main } = s;
  const fmt = (v: number) => fmtValue(v, meta.unit);
  const total = main.totA[0] + main.totB[0];
  const head = meta.diff ? "<th>self Δ</th><th>total Δ</th>" : "<th>self</th><th>self%</th><th>total</th><th>total%</th>";
  const rows: string[] = [`<thead><tr>${head}<th>function</th></tr></thead><tbody>`];
  let shown = 0;
  for (const r of s.topRows) {
    if (re !== null && !re.test(meta.names[r.f])) continue;
    if (++shown > 300) break;
    const name = escapeHtml(meta.names[r.f]);
    const cells = meta.diff
      ? `<td>${fmt(r.selfA - r.selfB)}</td><td>${fmt(r.totA - r.totB)}</td>`
      : `<td>${fmt(r.selfA)}</td><td>${pct(r.selfA, total)}</td><td>${fmt(r.totA)}</td><td>${pct(r.totA, total)}</td>`;
    rows.push(`<tr data-frame="${r.f}" title="sandwich view of ${name}">${cells}<td class="gdf-fn">${name}</td></tr>`);
  }
  rows.push("</tbody>");
  s.ui.table.innerHTML = rows.join("");
}
