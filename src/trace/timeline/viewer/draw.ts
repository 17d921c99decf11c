// Draws the window [t0, t1) of every lane on the canvas: the time ruler, GC and STW
// bands (also as faint columns behind the P lanes), goroutine runs per P, tasks and
// regions in rows, and each top group's goroutines stacked by state per time bucket.
// Work per frame follows what is visible: P spans are found by binary search, and
// anything narrower than a pixel is drawn one pixel wide.

import { fmtNs, niceStep } from "./format.js";
import { LABEL_W, lowerBound, ROW_H, RULER_H, type ViewState } from "./state.js";
import type { BandCols, IntervalCols, Lane } from "./types.js";

const GC_COLOR = "#e8891c";
const STW_COLOR = "#d62728";

export function typeColor(i: number): string {
  return `hsl(${(i * 67 + 190) % 360},55%,60%)`;
}

export function draw(s: ViewState, ctx: CanvasRenderingContext2D): void {
  s.redraws++;
  const W = s.width;
  ctx.clearRect(0, 0, W, s.height);
  ctx.save();
  ctx.beginPath();
  ctx.rect(LABEL_W, 0, W - LABEL_W, s.height);
  ctx.clip();
  const procLanes = s.lanes.filter((l) => l.kind === "proc");
  const top = procLanes.length > 0 ? procLanes[0].y : 0;
  const bottom = procLanes.length > 0 ? procLanes[procLanes.length - 1].y + procLanes[0].h : 0;
  // GC phases tint the background of the P lanes; pauses are drawn over them so a
  // stop-the-world shows across every P.
  drawBandColumns(s, ctx, s.data.gc, "rgba(232,137,28,0.10)", top, bottom);
  for (const l of s.lanes) {
    if (l.kind === "gc") drawBands(s, ctx, s.data.gc, l, GC_COLOR);
    else if (l.kind === "stw") drawBands(s, ctx, s.data.stw, l, STW_COLOR);
    else if (l.kind === "proc") drawProc(s, ctx, l);
    else if (l.kind === "tasks") drawIntervals(s, ctx, s.data.tasks, l);
    else if (l.kind === "regions") drawIntervals(s, ctx, s.data.regions, l);
    else drawGroup(s, ctx, l);
  }
  drawBandColumns(s, ctx, s.data.stw, "rgba(214,39,40,0.22)", top, bottom);
  ctx.restore();
  drawRuler(s, ctx);
  drawLabels(s, ctx);
}

function drawRuler(s: ViewState, ctx: CanvasRenderingContext2D): void {
  const step = niceStep(((s.t1 - s.t0) / s.plotW) * 90);
  ctx.fillStyle = "#f6f6f6";
  ctx.fillRect(0, 0, s.width, RULER_H - 4);
  ctx.fillStyle = "#333";
  ctx.strokeStyle = "#0000001a";
  ctx.font = "11px system-ui,sans-serif";
  ctx.textBaseline = "middle";
  for (let t = Math.ceil(s.t0 / step) * step; t <= s.t1; t += step) {
    const x = Math.round(s.x(t)) + 0.5;
    if (x < LABEL_W) continue;
    ctx.beginPath();
    ctx.moveTo(x, RULER_H - 8);
    ctx.lineTo(x, s.height);
    ctx.stroke();
    const label = fmtNs(t);
    if (x + 3 + ctx.measureText(label).width < s.width) ctx.fillText(label, x + 3, (RULER_H - 4) / 2);
  }
  ctx.fillStyle = "#555";
  ctx.fillText(`window ${fmtNs(s.t1 - s.t0)}`, 6, (RULER_H - 4) / 2);
}

function drawLabels(s: ViewState, ctx: CanvasRenderingContext2D): void {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, RULER_H - 4, LABEL_W - 4, s.height);
  ctx.font = "12px system-ui,sans-serif";
  ctx.textBaseline = "middle";
  for (const l of s.lanes) {
    ctx.fillStyle = l.kind === "group" ? s.data.meta.groups[s.data.meta.groupLanes[l.index].group].color : "#333";
    if (l.kind === "group") ctx.fillRect(4, l.y + l.h / 2 - 5, 10, 10);
    ctx.fillStyle = "#333";
    const x = l.kind === "group" ? 18 : 6;
    ctx.fillText(clip(ctx, l.label, LABEL_W - x - 8), x, l.y + Math.min(l.h, 20) / 2);
  }
}

function clip(ctx: CanvasRenderingContext2D, text: string, w: number): string {
  if (ctx.measureText(text).width <= w) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (ctx.measureText("…" + text.slice(text.length - mid)).width <= w) lo = mid;
    else hi = mid - 1;
  }
  return "…" + text.slice(text.length - lo);
}

/** Visible [x, w] of [a, b), at least one pixel wide; null when outside the window. */
function span(s: ViewState, a: number, b: number): [number, number] | null {
  if (b < s.t0 || a > s.t1) return null;
  const x0 = s.x(a);
  const x1 = s.x(b);
  return [x0, Math.max(1, x1 - x0)];
}

function drawBandColumns(s: ViewState, ctx: CanvasRenderingContext2D, b: BandCols, color: string, top: number, bottom: number): void {
  ctx.fillStyle = color;
  for (let i = 0; i < b.start.length; i++) {
    const r = span(s, b.start[i], b.end[i]);
    if (r) ctx.fillRect(r[0], top, r[1], bottom - top);
  }
}

function drawBands(s: ViewState, ctx: CanvasRenderingContext2D, b: BandCols, l: Lane, color: string): void {
  ctx.fillStyle = color;
  for (let i = 0; i < b.start.length; i++) {
    const r = span(s, b.start[i], b.end[i]);
    if (r) ctx.fillRect(r[0], l.y, r[1], l.h);
  }
}

function drawProc(s: ViewState, ctx: CanvasRenderingContext2D, l: Lane): void {
  const p = s.data.procs[l.index];
  const groups = s.data.meta.groups;
  ctx.fillStyle = "#f4f4f4";
  ctx.fillRect(LABEL_W, l.y, s.plotW, l.h);
  // Spans on one P do not overlap, so ends ascend with starts.
  let i = lowerBound(p.end, s.t0);
  const n = p.start.length;
  ctx.font = "11px system-ui,sans-serif";
  ctx.textBaseline = "middle";
  for (; i < n && p.start[i] <= s.t1; i++) {
    const r = span(s, p.start[i], p.end[i]);
    if (r === null) continue;
    const color = groups[p.group[i]].color;
    if (p.goroutine[i] < 0) {
      // merged runs: as opaque as the P was busy
      ctx.globalAlpha = 0.25 + 0.75 * Math.min(1, p.busy[i] / Math.max(1, p.end[i] - p.start[i]));
      ctx.fillStyle = color;
      ctx.fillRect(r[0], l.y + 3, r[1], l.h - 6);
      ctx.globalAlpha = 1;
      continue;
    }
    ctx.fillStyle = color;
    ctx.fillRect(r[0], l.y, r[1], l.h);
    if (r[1] > 44) {
      ctx.fillStyle = "#000";
      const x = Math.max(r[0], LABEL_W) + 3;
      ctx.fillText(clip(ctx, `G${p.goroutine[i]} ${groups[p.group[i]].name}`, Math.min(r[0] + r[1], s.width) - x - 3), x, l.y + l.h / 2);
    }
  }
}

function drawIntervals(s: ViewState, ctx: CanvasRenderingContext2D, v: IntervalCols, l: Lane): void {
  const n = v.start.length;
  for (let i = 0; i < n && v.start[i] <= s.t1; i++) {
    if (v.end[i] < s.t0) continue;
    const r = span(s, v.start[i], v.end[i]);
    if (r === null) continue;
    ctx.fillStyle = typeColor(v.type[i]);
    ctx.fillRect(r[0], l.y + v.row[i] * ROW_H, r[1], ROW_H - 1);
  }
}

/** Stacked state counts; several buckets in one pixel column are averaged. */
function drawGroup(s: ViewState, ctx: CanvasRenderingContext2D, l: Lane): void {
  const m = s.data.meta;
  const lane = m.groupLanes[l.index];
  const counts = s.data.lanes[l.index];
  const k = lane.cats.length;
  const bw = m.bucketNs;
  const scale = lane.max > 0 ? (l.h - 2) / lane.max : 0;
  ctx.fillStyle = "#fafafa";
  ctx.fillRect(LABEL_W, l.y, s.plotW, l.h);
  const b0 = Math.max(0, Math.floor(s.t0 / bw));
  const b1 = Math.min(m.buckets - 1, Math.floor(s.t1 / bw));
  const acc = new Float64Array(k);
  let accN = 0;
  let px = -1;
  let pw = 1;
  const flush = () => {
    if (accN === 0) return;
    let y = l.y + l.h;
    for (let c = 0; c < k; c++) {
      const h = (acc[c] / accN) * scale;
      if (h <= 0) continue;
      ctx.fillStyle = m.categoryColors[lane.cats[c]];
      ctx.fillRect(px, y - h, pw, h);
      y -= h;
    }
    acc.fill(0);
    accN = 0;
  };
  for (let b = b0; b <= b1; b++) {
    const x0 = s.x(b * bw);
    const x1 = s.x((b + 1) * bw);
    const col = Math.floor(x0);
    if (col !== px) {
      flush();
      px = col;
      // whole pixels, or fractional bucket widths leave hairline gaps between columns
      pw = Math.max(1, Math.ceil(x1) - col);
    }
    for (let c = 0; c < k; c++) acc[c] += counts[b * k + c];
    accN++;
  }
  flush();
}
