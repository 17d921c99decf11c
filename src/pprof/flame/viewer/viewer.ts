// The flame graph viewer: builds its skeleton in a root element, wires the tool bar,
// breadcrumbs, top table, search and keys, decodes the payload and draws; then puts
// its API on the root element (`root.godiagFlame`) for tests and host pages.

import { inflateBase64Gzip } from "../../../core/html/index.js";
import { buildUi } from "./dom.js";
import { drawPane, nodeRect } from "./draw.js";
import { setLegend } from "./legend.js";
import { rebuild, redrawAll, zoomTo } from "./panes.js";
import { decodePayload } from "./payload.js";
import { doSearch } from "./search.js";
import { ViewerState } from "./state.js";
import { computeTop, fillTable } from "./table.js";
import type { FlameApi, View } from "./types.js";

export type { FlameApi } from "./types.js";

function setColorMode(s: ViewerState, m: string): void {
  s.colorMode = m;
  s.ui.colorSel.value = m;
  setLegend(s);
  for (const p of s.panes) drawPane(s, p);
}

function setView(s: ViewerState, v: View, frame?: number): void {
  if (v === "sandwich") {
    s.sandwichFrame = frame ?? s.selectedFrame;
    if (s.sandwichFrame <= 0) return;
  }
  s.view = v;
  rebuild(s);
  if (s.matchFrame !== null) doSearch(s, s.ui.search.value);
}

function wire(s: ViewerState): void {
  const { ui } = s;
  ui.bar.addEventListener("click", (e) => {
    const b = (e.target as Element).closest("button");
    if (b === null) return;
    const act = b.dataset.act;
    if (act === "reset") {
      for (const p of s.panes) zoomTo(s, p, s.view === "sandwich" && p.tree.n > 1 ? 1 : 0);
    } else if (act === "orient") {
      s.up = !s.up;
      if (s.view !== "sandwich") rebuild(s);
    } else if (act === "invert") setView(s, s.view === "inverted" ? "graph" : "inverted");
    else if (act === "sandwich") setView(s, s.view === "sandwich" ? "graph" : "sandwich");
  });
  ui.crumbs.addEventListener("click", (e) => {
    const c = (e.target as Element).closest("a");
    if (c === null || c.dataset.node === undefined) return;
    zoomTo(s, s.panes[0], Number(c.dataset.node));
  });
  ui.table.addEventListener("click", (e) => {
    const r = (e.target as Element).closest("tr");
    if (r === null || r.dataset.frame === undefined) return;
    s.selectedFrame = Number(r.dataset.frame);
    setView(s, "sandwich", s.selectedFrame);
  });
  ui.search.addEventListener("input", () => doSearch(s, ui.search.value));
  ui.colorSel.addEventListener("change", () => setColorMode(s, ui.colorSel.value));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      if (document.activeElement === ui.search) {
        ui.search.value = "";
        doSearch(s, "");
      } else for (const p of s.panes) zoomTo(s, p, 0);
    } else if (e.key === "/" && document.activeElement !== ui.search) {
      e.preventDefault();
      ui.search.focus();
    }
  });
  let resizeQueued = false;
  window.addEventListener("resize", () => {
    if (resizeQueued) return;
    resizeQueued = true;
    window.requestAnimationFrame(() => {
      resizeQueued = false;
      redrawAll(s);
    });
  });
}

/** The API over a loaded viewer. */
function exposeApi(s: ViewerState): FlameApi {
  const { api, ui } = s;
  api.search = (q) => {
    ui.search.value = q;
    return doSearch(s, q);
  };
  api.zoomTo = (i) => zoomTo(s, s.panes[0], i);
  api.reset = () => zoomTo(s, s.panes[0], 0);
  api.setColorMode = (m) => setColorMode(s, m);
  api.setView = (v, frame) => setView(s, v, frame);
  api.findFrames = (name) => {
    const out: number[] = [];
    const t = s.panes[0].tree;
    for (let i = 0; i < t.n; i++) if (s.meta.names[t.frame[i]] === name) out.push(i);
    return out;
  };
  api.rectOf = (i) => {
    const p = s.panes[0];
    const r = nodeRect(p, i);
    if (r === null) return null;
    const c = p.canvas.getBoundingClientRect();
    return { x: r.x + c.left, y: r.y + c.top, w: r.w, h: r.h };
  };
  api.state = () => ({
    zoom: s.panes[0].zoom,
    rootName: s.meta.names[s.panes[0].tree.frame[s.panes[0].zoom]],
    view: s.view,
    colorMode: s.colorMode,
    crumbs: (ui.crumbs.textContent ?? "").split(" \u203a "),
    nodes: s.main.n,
    firstPaintMs: s.firstPaintMs,
  });
  api.nodeInfo = (i) => {
    const t = s.panes[0].tree;
    return { name: s.meta.names[t.frame[i]], totalPos: t.totA[i], totalNeg: t.totB[i], selfPos: t.selfA[i], selfNeg: t.selfB[i], depth: t.depth[i] };
  };
  return api;
}

/** Starts a viewer in root from the page's base64 payload; resolves once drawn. */
export async function flameViewer(root: HTMLElement, payloadB64: string): Promise<FlameApi> {
  const t0 = performance.now();
  const s = new ViewerState(buildUi(root));
  wire(s);
  const { meta, tree } = decodePayload(await inflateBase64Gzip(payloadB64));
  s.meta = meta;
  s.main = tree;

  const { ui } = s;
  ui.title.textContent = meta.title;
  ui.title.title = meta.subtitle;
  const modes: [string, string][] = [["package", "colour: package"]];
  if (meta.hasWait) modes.push(["wait", "colour: wait reason"]);
  if (meta.diff) modes.push(["diff", "colour: diff"]);
  ui.colorSel.innerHTML = modes.map(([v, l]) => `<option value="${v}">${l}</option>`).join("");
  s.colorMode = meta.colorMode;
  ui.colorSel.value = s.colorMode;
  computeTop(s);
  fillTable(s, null);
  setLegend(s);
  rebuild(s);
  s.firstPaintMs = performance.now() - t0;

  const api = exposeApi(s);
  (root as HTMLElement & { godiagFlame?: FlameApi }).godiagFlame = api;
  return api;
}
