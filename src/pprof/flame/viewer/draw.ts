// Canvas drawing of a pane: frame colours and labels, sizing for the device pixel
// ratio, the batched redraw, hit-testing, node rectangles and the hover outline
// (on a thin overlay canvas, so hovering never repaints the frames).

import { diffColor } from "../colors.js";
import type { ViewerState } from "./state.js";
import { ROW, type Pane, type Rect, type Tree } from "./types.js";

export function frameColor(s: ViewerState, t: Tree, i: number): string {
  if (s.colorMode === "diff") return diffColor(t.totA[i], t.totB[i]);
  if (s.colorMode === "wait") {
    const c = t.cls[i];
    return c === 0 ? s.meta.notWaiting : s.meta.waitColors[c - 1];
  }
  return s.meta.colors[t.frame[i]];
}

export function frameText(s: ViewerState, t: Tree, i: number): string {
  const name = s.meta.names[t.frame[i]];
  const c = t.cls[i];
  // Label the outermost frame of each wait with its class (the frame that waited).
  if (s.colorMode === "wait" && c !== 0) {
    const p = t.parent[i];
    if (p < 0 || t.cls[p] !== c) return "[" + s.meta.waitClasses[c - 1] + "] " + name;
  }
  return name;
}

export function rowY(p: Pane, d: number): number {
  return p.up ? (p.tree.maxDepth - d) * ROW : d * ROW;
}

/** Sizes the pane's canvases to the panes' box width and the tree's depth. */
export function layoutPane(s: ViewerState, p: Pane): void {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(200, s.ui.paneBox.clientWidth - 2);
  const h = (p.tree.maxDepth + 1) * ROW;
  p.width = w;
  for (const c of [p.canvas, p.overlay]) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    c.style.width = w + "px";
    c.style.height = h + "px";
  }
  p.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  p.octx.setTransform(dpr, 0, 0, dpr, 0, 0);
}

export function drawPane(s: ViewerState, p: Pane): void {
  const s0 = performance.now();
  const t = p.tree;
  const ctx = p.ctx;
  const W = p.width;
  const matchFrame = s.matchFrame;
  ctx.clearRect(0, 0, W, (t.maxDepth + 1) * ROW);
  ctx.font = "11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
  ctx.textBaseline = "middle";
  s.charW = ctx.measureText("MMMMMMMMMM").width / 10 || 7;
  const charW = s.charW;
  const z = p.zoom;
  const x0 = t.x[z];
  const span = t.totA[z] + t.totB[z] || 1;
  const scale = W / span;
  // Rectangles are batched by fill (colour and dimming) and labels drawn last: on a
  // 2M-frame tree the root view has tens of thousands of visible frames, and a
  // fillStyle/globalAlpha change per frame was most of a redraw.
  // (keyed by the palette's own strings: no string building per frame)
  const plain = new Map<string, number[]>();
  const dimmed = new Map<string, number[]>();
  const labels: number[] = [];
  const draw = (i: number, x: number, w: number, dim: boolean) => {
    const y = rowY(p, t.depth[i]);
    const matched = matchFrame !== null && matchFrame[t.frame[i]] === 1;
    const batches = dim || (matchFrame !== null && !matched) ? dimmed : plain;
    const color = matched ? "#e040fb" : frameColor(s, t, i);
    let b = batches.get(color);
    if (b === undefined) batches.set(color, (b = []));
    b.push(x, y, w > 2 ? w - 0.5 : w);
    if (w > 3 * charW) labels.push(i, x, y, w);
  };
  for (let a = t.parent[z]; a >= 0; a = t.parent[a]) draw(a, 0, W, true);
  const endZ = t.end[z];
  for (let i = z; i < endZ; ) {
    const w = (t.totA[i] + t.totB[i]) * scale;
    if (w < 0.35) {
      i = t.end[i];
      continue;
    }
    draw(i, (t.x[i] - x0) * scale, w, false);
    i++;
  }
  for (const [batches, alpha] of [[plain, 1], [dimmed, 0.45]] as const) {
    ctx.globalAlpha = alpha;
    for (const [color, b] of batches) {
      ctx.fillStyle = color;
      for (let k = 0; k < b.length; k += 3) ctx.fillRect(b[k], b[k + 1], b[k + 2], ROW - 1);
    }
  }
  ctx.fillStyle = "#111";
  for (let k = 0; k < labels.length; k += 4) {
    const i = labels[k];
    const matched = matchFrame !== null && matchFrame[t.frame[i]] === 1;
    const dim = i < z || (matchFrame !== null && !matched);
    ctx.globalAlpha = dim ? 0.45 : 1;
    const text = frameText(s, t, i);
    const fit = Math.floor((labels[k + 3] - 6) / charW);
    ctx.fillText(text.length <= fit ? text : text.slice(0, Math.max(0, fit - 2)) + "..", labels[k + 1] + 3, labels[k + 2] + ROW / 2);
  }
  ctx.globalAlpha = 1;
  s.api.lastDrawMs = performance.now() - s0;
}

/** The node under pane point (mx, my), or -1. */
export function hit(p: Pane, mx: number, my: number): number {
  const t = p.tree;
  const row = Math.floor(my / ROW);
  const d = p.up ? t.maxDepth - row : row;
  if (d < 0 || d > t.maxDepth) return -1;
  const z = p.zoom;
  if (d <= t.depth[z]) {
    let a = z;
    while (t.depth[a] > d) a = t.parent[a];
    return a;
  }
  const span = t.totA[z] + t.totB[z] || 1;
  const v = t.x[z] + (mx / p.width) * span;
  let node = z;
  while (t.depth[node] < d) {
    let found = -1;
    for (let c = node + 1; c < t.end[node]; c = t.end[c]) {
      const w = t.totA[c] + t.totB[c];
      if (v >= t.x[c] && v < t.x[c] + w) {
        found = c;
        break;
      }
    }
    if (found < 0) return -1;
    node = found;
  }
  return node;
}

/** Node i's rectangle in pane coordinates, or null when it is not drawn at this zoom. */
export function nodeRect(p: Pane, i: number): Rect | null {
  const t = p.tree;
  const z = p.zoom;
  const y = rowY(p, t.depth[i]);
  if (t.depth[i] <= t.depth[z]) {
    let a = z;
    while (a >= 0 && a !== i) a = t.parent[a];
    return a === i ? { x: 0, y, w: p.width, h: ROW - 1 } : null;
  }
  if (i < z || i >= t.end[z]) return null;
  const span = t.totA[z] + t.totB[z] || 1;
  const scale = p.width / span;
  const w = (t.totA[i] + t.totB[i]) * scale;
  return { x: (t.x[i] - t.x[z]) * scale, y, w, h: ROW - 1 };
}

/** Outlines node i of pane p (clears every pane's outline first; i < 0: none). */
export function hover(s: ViewerState, p: Pane, i: number): void {
  for (const q of s.panes) q.octx.clearRect(0, 0, q.width, (q.tree.maxDepth + 1) * ROW);
  if (i < 0) return;
  const r = nodeRect(p, i);
  if (r === null) return;
  p.octx.strokeStyle = "#000";
  p.octx.lineWidth = 1.5;
  p.octx.strokeRect(r.x + 0.75, r.y + 0.75, Math.max(1, r.w - 1.5), r.h - 1.5);
}
