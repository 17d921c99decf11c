// The panes of the current view (one for the graph and the inverted view, callees
// over callers for the sandwich), their pointer handling, zoom and breadcrumbs.

import { el } from "./dom.js";
import { drawPane, hit, hover, layoutPane } from "./draw.js";
import { invertTree, sandwichTrees } from "./sandwich.js";
import type { ViewerState } from "./state.js";
import { hideTip, showTip } from "./tooltip.js";
import type { Pane, Tree } from "./types.js";

/** The breadcrumbs: the path from the root to the first pane's zoomed node. */
export function setCrumbs(s: ViewerState): void {
  const p = s.panes[0];
  const t = p.tree;
  const crumbs = s.ui.crumbs;
  const path: number[] = [];
  for (let a = p.zoom; a >= 0; a = t.parent[a]) path.unshift(a);
  crumbs.innerHTML = "";
  path.forEach((n, k) => {
    if (k > 0) el("span", "gdf-sep", crumbs, " \u203a ");
    const c = el("a", "gdf-crumb", crumbs, s.meta.names[t.frame[n]]);
    c.dataset.node = String(n);
  });
}

export function zoomTo(s: ViewerState, p: Pane, i: number): void {
  p.zoom = i;
  if (p === s.panes[0]) setCrumbs(s);
  drawPane(s, p);
}

function attach(s: ViewerState, p: Pane): void {
  const pos = (e: MouseEvent) => {
    const r = p.canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  p.canvas.addEventListener("mousemove", (e) => {
    const [mx, my] = pos(e);
    const i = hit(p, mx, my);
    hover(s, p, i);
    if (i < 0) hideTip(s);
    else showTip(s, p, i, e.clientX, e.clientY);
  });
  p.canvas.addEventListener("mouseleave", () => {
    hover(s, p, -1);
    hideTip(s);
  });
  p.canvas.addEventListener("click", (e) => {
    const [mx, my] = pos(e);
    const i = hit(p, mx, my);
    if (i < 0) return;
    s.selectedFrame = p.tree.frame[i];
    s.ui.sandwichBtn.disabled = s.selectedFrame === 0;
    zoomTo(s, p, i);
    hover(s, p, i);
  });
}

function makePane(s: ViewerState, t: Tree, up: boolean, title: string): Pane {
  const wrap = el("div", "gdf-pane", s.ui.paneBox);
  const titleEl = el("div", "gdf-pane-title", wrap, title);
  titleEl.style.display = title ? "block" : "none";
  const holder = el("div", "gdf-holder", wrap);
  const canvas = el("canvas", "gdf-canvas", holder);
  const overlay = el("canvas", "gdf-overlay", holder);
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  const octx = overlay.getContext("2d") as CanvasRenderingContext2D;
  const p: Pane = { tree: t, canvas, overlay, ctx, octx, zoom: 0, up, width: 0, title: titleEl };
  attach(s, p);
  return p;
}

function invertedTree(s: ViewerState): Tree {
  if (s.inverted === null) s.inverted = invertTree(s.main, s.meta.names.length);
  return s.inverted;
}

/** Replaces the panes for the current view and orientation, and draws them. */
export function rebuild(s: ViewerState): void {
  const { ui, meta } = s;
  ui.paneBox.innerHTML = "";
  if (s.view === "sandwich" && s.sandwichFrame > 0) {
    const [callers, callees] = sandwichTrees(s.main, meta.names.length, s.sandwichFrame);
    const name = meta.names[s.sandwichFrame];
    s.panes = [makePane(s, callees, false, "callees of " + name), makePane(s, callers, true, "callers of " + name)];
    // Callers read upwards from the function: start the pane at the function itself.
    s.panes[1].zoom = 1 < callers.n ? 1 : 0;
    s.panes[0].zoom = 1 < callees.n ? 1 : 0;
  } else {
    const inverted = s.view === "inverted";
    s.panes = [makePane(s, inverted ? invertedTree(s) : s.main, s.up, inverted ? "inverted: callers of each leaf" : "")];
  }
  ui.orientBtn.textContent = s.up ? "Icicle" : "Flame";
  ui.invertBtn.textContent = s.view === "inverted" ? "Call graph" : "Inverted";
  ui.sandwichBtn.textContent = s.view === "sandwich" ? "Back to graph" : "Sandwich";
  ui.sandwichBtn.disabled = s.view !== "sandwich" && s.selectedFrame <= 0;
  for (const p of s.panes) layoutPane(s, p);
  for (const p of s.panes) drawPane(s, p);
  setCrumbs(s);
}

/** Re-sizes and redraws every pane (after a window resize). */
export function redrawAll(s: ViewerState): void {
  for (const p of s.panes) {
    layoutPane(s, p);
    drawPane(s, p);
  }
}
