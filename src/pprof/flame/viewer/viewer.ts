// The flame graph viewer that runs in the browser. html.ts embeds this function's
// source (Function.prototype.toString of the compiled code) into the page, so it
// must be self-contained: no imports at runtime, no module-level references.
// Written in TypeScript (not a JS string) so the type-checker sees it; the DOM
// types it needs are declared locally (see dom.ts).
//
// Speed comes from flat typed arrays in preorder (node i's subtree is [i, end[i])):
// drawing skips whole subtrees narrower than a pixel, hit-testing walks one path,
// hover repaints only a thin overlay canvas.

import type { Ctx2D, Doc, El, Ev, Win } from "./dom.js";

declare const document: Doc;
declare const window: Win;
declare const performance: { now(): number };
declare function atob(s: string): string;
declare class DecompressionStream {
  constructor(format: string);
}
declare class Blob {
  constructor(parts: Uint8Array[]);
  stream(): { pipeThrough(t: DecompressionStream): unknown };
}
declare class Response {
  constructor(body: unknown);
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** What the viewer exposes on its root element (`el.godiagFlame`), for tests and host pages. */
export interface FlameApi {
  search(q: string): { matched: number; percent: string };
  zoomTo(node: number): void;
  reset(): void;
  setColorMode(m: string): void;
  setView(v: "graph" | "inverted" | "sandwich", frame?: number): void;
  findFrames(name: string): number[];
  /** canvas-relative CSS pixel rectangle of main-pane node i, or null when not drawn */
  rectOf(node: number): { x: number; y: number; w: number; h: number } | null;
  state(): { zoom: number; rootName: string; view: string; colorMode: string; crumbs: string[]; nodes: number; firstPaintMs: number };
  nodeInfo(node: number): { name: string; totalPos: number; totalNeg: number; selfPos: number; selfNeg: number; depth: number };
  lastDrawMs: number;
}

export function flameViewer(
  root: El,
  payloadB64: string,
  diffColor: (pos: number, neg: number) => string,
): Promise<FlameApi> {
  interface Meta {
    title: string;
    sampleType: string;
    unit: string;
    diff: boolean;
    count: number;
    maxDepth: number;
    names: string[];
    files: string[];
    lines: number[];
    colors: string[];
    labels: number[];
    waitClasses: string[];
    waitColors: string[];
    notWaiting: string;
    colorMode: string;
    hasWait: boolean;
    subtitle: string;
  }
  interface Tree {
    n: number;
    depth: Uint16Array;
    frame: Uint32Array;
    cls: Uint8Array;
    selfA: Float64Array;
    selfB: Float64Array;
    totA: Float64Array;
    totB: Float64Array;
    x: Float64Array;
    end: Uint32Array;
    parent: Int32Array;
    maxDepth: number;
  }
  interface Pane {
    tree: Tree;
    canvas: El;
    overlay: El;
    ctx: Ctx2D;
    octx: Ctx2D;
    zoom: number;
    up: boolean;
    width: number;
    title: El;
  }

  const ROW = 18;
  const t0 = performance.now();

  async function inflate(b64: string): Promise<ArrayBuffer> {
    const bin = atob(b64);
    const u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    const stream = new Blob([u8]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }

  /** Parents, subtree ends, totals and x offsets from preorder depth + self values. */
  function finishTree(depth: Uint16Array, frame: Uint32Array, cls: Uint8Array, selfA: Float64Array, selfB: Float64Array): Tree {
    const n = depth.length;
    const parent = new Int32Array(n);
    const end = new Uint32Array(n);
    const totA = new Float64Array(n);
    const totB = new Float64Array(n);
    const x = new Float64Array(n);
    const stack: number[] = [];
    let maxDepth = 0;
    for (let i = 0; i < n; i++) {
      const d = depth[i];
      if (d > maxDepth) maxDepth = d;
      while (stack.length > d) end[stack.pop() as number] = i;
      parent[i] = stack.length > 0 ? stack[stack.length - 1] : -1;
      stack.push(i);
    }
    while (stack.length > 0) end[stack.pop() as number] = n;
    for (let i = n - 1; i >= 0; i--) {
      totA[i] += selfA[i];
      totB[i] += selfB[i];
      const p = parent[i];
      if (p >= 0) {
        totA[p] += totA[i];
        totB[p] += totB[i];
      }
    }
    // x: children laid out left to right after their parent's start, in preorder.
    const cursor = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = parent[i];
      if (p >= 0) {
        x[i] = cursor[p];
        cursor[p] += totA[i] + totB[i];
      }
      cursor[i] = x[i];
    }
    return { n, depth, frame, cls, selfA, selfB, totA, totB, x, end, parent, maxDepth };
  }

  /**
   * A tree from weighted paths of source-tree nodes (keyed by frame), for the inverted
   * and sandwich views. add(path, a, b): path[0] hangs under the new root.
   */
  function buildFromPaths(src: Tree, rootFrame: number, fill: (add: (path: number[], a: number, b: number) => void) => void): Tree {
    const F = meta.names.length + 1;
    const kids = new Map<number, number>();
    const frame: number[] = [rootFrame];
    const cls: number[] = [0];
    const par: number[] = [-1];
    const sa: number[] = [0];
    const sb: number[] = [0];
    fill((path, a, b) => {
      let cur = 0;
      for (const node of path) {
        const f = src.frame[node];
        const key = cur * F + f;
        let c = kids.get(key);
        if (c === undefined) {
          c = frame.length;
          kids.set(key, c);
          frame.push(f);
          cls.push(src.cls[node]);
          par.push(cur);
          sa.push(0);
          sb.push(0);
        }
        cur = c;
      }
      sa[cur] += a;
      sb[cur] += b;
    });
    const m = frame.length;
    const ta = Float64Array.from(sa);
    const tb = Float64Array.from(sb);
    for (let i = m - 1; i > 0; i--) {
      ta[par[i]] += ta[i];
      tb[par[i]] += tb[i];
    }
    const children: number[][] = frame.map(() => []);
    for (let i = 1; i < m; i++) children[par[i]].push(i);
    const order: number[] = [];
    const depths: number[] = [];
    const todo: [number, number][] = [[0, 0]];
    while (todo.length > 0) {
      const [i, d] = todo.pop() as [number, number];
      order.push(i);
      depths.push(d);
      const ks = children[i].sort((p, q) => ta[q] + tb[q] - (ta[p] + tb[p]));
      for (let j = ks.length - 1; j >= 0; j--) todo.push([ks[j], d + 1]);
    }
    return finishTree(
      Uint16Array.from(depths),
      Uint32Array.from(order, (i) => frame[i]),
      Uint8Array.from(order, (i) => cls[i]),
      Float64Array.from(order, (i) => sa[i]),
      Float64Array.from(order, (i) => sb[i]),
    );
  }

  // ---- formatting -------------------------------------------------------------

  let meta: Meta;
  function fmtValue(v: number): string {
    if (v === 0) return "0"; // as pprof's ScaledLabel
    const neg = v < 0;
    let a = Math.abs(v);
    let u = "";
    const unit = meta.unit;
    if (unit === "nanoseconds" || unit === "ns") {
      const steps: [number, string][] = [[1e9, "s"], [1e6, "ms"], [1e3, "us"], [1, "ns"]];
      for (const [f, s] of steps) {
        if (a >= f || f === 1) {
          a /= f;
          u = s;
          break;
        }
      }
    } else if (unit === "bytes" || unit === "B") {
      const steps: [number, string][] = [[2 ** 40, "TB"], [2 ** 30, "GB"], [2 ** 20, "MB"], [2 ** 10, "kB"], [1, "B"]];
      for (const [f, s] of steps) {
        if (a >= f || f === 1) {
          a /= f;
          u = s;
          break;
        }
      }
    } else {
      return (neg ? "-" : "") + Math.round(a).toLocaleString("en-US");
    }
    let s = a.toFixed(2);
    if (s.endsWith(".00")) s = s.slice(0, -3);
    return (neg ? "-" : "") + s + u;
  }
  const pct = (v: number, of: number) => (of === 0 ? "0%" : ((100 * v) / of).toFixed(2) + "%");
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);

  // ---- state --------------------------------------------------------------------

  let main: Tree;
  let inverted: Tree | null = null;
  let view: "graph" | "inverted" | "sandwich" = "graph";
  let colorMode = "package";
  let up = false; // false: icicle (root on top); true: flame (root at the bottom)
  let panes: Pane[] = [];
  let matchFrame: Uint8Array | null = null;
  let selectedFrame = -1;
  let sandwichFrame = -1;
  let firstPaintMs = 0;
  let charW = 7;
  const api = {} as FlameApi;
  api.lastDrawMs = 0;

  const el = (tag: string, cls: string, parent: El, text?: string): El => {
    const e = document.createElement(tag);
    e.className = cls;
    if (text !== undefined) e.textContent = text;
    parent.appendChild(e);
    return e;
  };

  root.classList.toggle("gdf", true);
  root.innerHTML = "";
  const bar = el("div", "gdf-bar", root);
  const titleEl = el("div", "gdf-title", bar);
  const search = el("input", "gdf-search", bar);
  search.setAttribute("placeholder", "Search (regexp)");
  search.setAttribute("aria-label", "search frames");
  const matchEl = el("span", "gdf-match", bar);
  const btn = (label: string, act: string) => {
    const b = el("button", "gdf-btn", bar, label);
    b.dataset.act = act;
    return b;
  };
  btn("Reset zoom", "reset");
  const orientBtn = btn("Flame", "orient");
  const invertBtn = btn("Inverted", "invert");
  const sandwichBtn = btn("Sandwich", "sandwich");
  const colorSel = el("select", "gdf-color", bar);
  const legend = el("div", "gdf-legend", root);
  const crumbs = el("div", "gdf-crumbs", root);
  const body = el("div", "gdf-body", root);
  const paneBox = el("div", "gdf-panes", body);
  const side = el("div", "gdf-side", body);
  const table = el("table", "gdf-top", side);
  const tip = el("div", "gdf-tip", root);
  tip.style.display = "none";

  // ---- drawing ------------------------------------------------------------------

  function frameColor(t: Tree, i: number): string {
    if (colorMode === "diff") return diffColor(t.totA[i], t.totB[i]);
    if (colorMode === "wait") {
      const c = t.cls[i];
      return c === 0 ? meta.notWaiting : meta.waitColors[c - 1];
    }
    return meta.colors[t.frame[i]];
  }

  function frameText(t: Tree, i: number): string {
    const name = meta.names[t.frame[i]];
    const c = t.cls[i];
    // Label the outermost frame of each wait with its class (the frame that waited).
    if (colorMode === "wait" && c !== 0) {
      const p = t.parent[i];
      if (p < 0 || t.cls[p] !== c) return "[" + meta.waitClasses[c - 1] + "] " + name;
    }
    return name;
  }

  function rowY(p: Pane, d: number): number {
    return p.up ? (p.tree.maxDepth - d) * ROW : d * ROW;
  }

  function layoutPane(p: Pane): void {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(200, paneBox.clientWidth - 2);
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

  function drawPane(p: Pane): void {
    const s0 = performance.now();
    const t = p.tree;
    const ctx = p.ctx;
    const W = p.width;
    ctx.clearRect(0, 0, W, (t.maxDepth + 1) * ROW);
    ctx.font = "11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    ctx.textBaseline = "middle";
    charW = ctx.measureText("MMMMMMMMMM").width / 10 || 7;
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
      const color = matched ? "#e040fb" : frameColor(t, i);
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
      const text = frameText(t, i);
      const fit = Math.floor((labels[k + 3] - 6) / charW);
      ctx.fillText(text.length <= fit ? text : text.slice(0, Math.max(0, fit - 2)) + "..", labels[k + 1] + 3, labels[k + 2] + ROW / 2);
    }
    ctx.globalAlpha = 1;
    api.lastDrawMs = performance.now() - s0;
  }

  function hit(p: Pane, mx: number, my: number): number {
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

  function nodeRect(p: Pane, i: number): { x: number; y: number; w: number; h: number } | null {
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

  // ---- tooltip, hover, zoom --------------------------------------------------------

  function showTip(p: Pane, i: number, cx: number, cy: number): void {
    const t = p.tree;
    const f = t.frame[i];
    const total = t.totA[0] + t.totB[0];
    const par = t.parent[i];
    const w = t.totA[i] + t.totB[i];
    const rows: string[] = [`<b>${esc(meta.names[f])}</b>`];
    if (meta.files[f]) rows.push(`<span class="gdf-file">${esc(meta.files[f])}${meta.lines[f] ? ":" + meta.lines[f] : ""}</span>`);
    if (meta.labels[f]) rows.push(`label <i>${esc(meta.files[f])}</i>`);
    if (meta.diff) {
      rows.push(`base ${fmtValue(t.totB[i])} &rarr; new ${fmtValue(t.totA[i])} (delta ${t.totA[i] >= t.totB[i] ? "+" : ""}${fmtValue(t.totA[i] - t.totB[i])}${t.totB[i] > 0 ? ", " + (t.totA[i] >= t.totB[i] ? "+" : "") + pct(t.totA[i] - t.totB[i], t.totB[i]) : ""})`);
      rows.push(`self: base ${fmtValue(t.selfB[i])}, new ${fmtValue(t.selfA[i])}`);
    } else {
      rows.push(`total ${fmtValue(t.totA[i] - t.totB[i])} (${pct(w, total)} of total${par >= 0 ? ", " + pct(w, t.totA[par] + t.totB[par]) + " of parent" : ""})`);
      rows.push(`self ${fmtValue(t.selfA[i] - t.selfB[i])} (${pct(t.selfA[i] + t.selfB[i], total)} of total)`);
    }
    if (t.cls[i] !== 0) rows.push(`wait: <b>${esc(meta.waitClasses[t.cls[i] - 1])}</b>`);
    tip.innerHTML = rows.join("<br>");
    tip.style.display = "block";
    const r = root.getBoundingClientRect();
    tip.style.left = Math.min(cx - r.left + 14, r.width - 360) + "px";
    tip.style.top = cy - r.top + 16 + "px";
  }

  function hover(p: Pane, i: number): void {
    for (const q of panes) q.octx.clearRect(0, 0, q.width, (q.tree.maxDepth + 1) * ROW);
    if (i < 0) return;
    const r = nodeRect(p, i);
    if (r === null) return;
    p.octx.strokeStyle = "#000";
    p.octx.lineWidth = 1.5;
    p.octx.strokeRect(r.x + 0.75, r.y + 0.75, Math.max(1, r.w - 1.5), r.h - 1.5);
  }

  function setCrumbs(): void {
    const p = panes[0];
    const t = p.tree;
    const path: number[] = [];
    for (let a = p.zoom; a >= 0; a = t.parent[a]) path.unshift(a);
    crumbs.innerHTML = "";
    path.forEach((n, k) => {
      if (k > 0) el("span", "gdf-sep", crumbs, " \u203a ");
      const c = el("a", "gdf-crumb", crumbs, meta.names[t.frame[n]]);
      c.dataset.node = String(n);
    });
  }

  function zoomTo(p: Pane, i: number): void {
    p.zoom = i;
    if (p === panes[0]) setCrumbs();
    drawPane(p);
  }

  function attach(p: Pane): void {
    const pos = (e: Ev) => {
      const r = p.canvas.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    p.canvas.addEventListener("mousemove", (e) => {
      const [mx, my] = pos(e);
      const i = hit(p, mx, my);
      hover(p, i);
      if (i < 0) tip.style.display = "none";
      else showTip(p, i, e.clientX, e.clientY);
    });
    p.canvas.addEventListener("mouseleave", () => {
      hover(p, -1);
      tip.style.display = "none";
    });
    p.canvas.addEventListener("click", (e) => {
      const [mx, my] = pos(e);
      const i = hit(p, mx, my);
      if (i < 0) return;
      selectedFrame = p.tree.frame[i];
      sandwichBtn.disabled = selectedFrame === 0;
      zoomTo(p, i);
      hover(p, i);
    });
  }

  function makePane(t: Tree, paneUp: boolean, title: string): Pane {
    const wrap = el("div", "gdf-pane", paneBox);
    const titleEl2 = el("div", "gdf-pane-title", wrap, title);
    titleEl2.style.display = title ? "block" : "none";
    const holder = el("div", "gdf-holder", wrap);
    const canvas = el("canvas", "gdf-canvas", holder);
    const overlay = el("canvas", "gdf-overlay", holder);
    const ctx = canvas.getContext("2d") as Ctx2D;
    const octx = overlay.getContext("2d") as Ctx2D;
    const p: Pane = { tree: t, canvas, overlay, ctx, octx, zoom: 0, up: paneUp, width: 0, title: titleEl2 };
    attach(p);
    return p;
  }

  function invertedTree(): Tree {
    if (inverted !== null) return inverted;
    const t = main;
    inverted = buildFromPaths(t, 0, (add) => {
      for (let i = 1; i < t.n; i++) {
        if (t.selfA[i] === 0 && t.selfB[i] === 0) continue;
        const path: number[] = [];
        for (let a = i; a > 0; a = t.parent[a]) path.push(a);
        add(path, t.selfA[i], t.selfB[i]);
      }
    });
    return inverted;
  }

  /** Outermost occurrences of frame f (no ancestor with the same frame: recursion counted once). */
  function outermost(t: Tree, f: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < t.n; ) {
      if (t.frame[i] === f) {
        out.push(i);
        i = t.end[i];
      } else i++;
    }
    return out;
  }

  function sandwichTrees(f: number): [Tree, Tree] {
    const t = main;
    const occ = outermost(t, f);
    const callers = buildFromPaths(t, 0, (add) => {
      for (const i of occ) {
        const path: number[] = [];
        for (let a = i; a > 0; a = t.parent[a]) path.push(a);
        add(path, t.totA[i], t.totB[i]);
      }
    });
    const callees = buildFromPaths(t, 0, (add) => {
      for (const i of occ) {
        const stack: number[] = [];
        for (let j = i; j < t.end[i]; j++) {
          while (stack.length > t.depth[j] - t.depth[i]) stack.pop();
          stack.push(j);
          if (t.selfA[j] !== 0 || t.selfB[j] !== 0) add(stack.slice(), t.selfA[j], t.selfB[j]);
        }
      }
    });
    return [callers, callees];
  }

  function rebuild(): void {
    paneBox.innerHTML = "";
    if (view === "sandwich" && sandwichFrame > 0) {
      const [callers, callees] = sandwichTrees(sandwichFrame);
      const name = meta.names[sandwichFrame];
      panes = [makePane(callees, false, "callees of " + name), makePane(callers, true, "callers of " + name)];
      // Callers read upwards from the function: start the pane at the function itself.
      panes[1].zoom = 1 < callers.n ? 1 : 0;
      panes[0].zoom = 1 < callees.n ? 1 : 0;
    } else {
      panes = [makePane(view === "inverted" ? invertedTree() : main, up, view === "inverted" ? "inverted: callers of each leaf" : "")];
    }
    orientBtn.textContent = up ? "Icicle" : "Flame";
    invertBtn.textContent = view === "inverted" ? "Call graph" : "Inverted";
    sandwichBtn.textContent = view === "sandwich" ? "Back to graph" : "Sandwich";
    sandwichBtn.disabled = view !== "sandwich" && selectedFrame <= 0;
    for (const p of panes) layoutPane(p);
    for (const p of panes) drawPane(p);
    setCrumbs();
  }

  function redrawAll(): void {
    for (const p of panes) {
      layoutPane(p);
      drawPane(p);
    }
  }

  // ---- search and top table ---------------------------------------------------------

  function compile(q: string): RegExp | null {
    if (q === "") return null;
    const flags = q === q.toLowerCase() ? "i" : "";
    try {
      return new RegExp(q, flags);
    } catch {
      return new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), flags);
    }
  }

  function doSearch(q: string): { matched: number; percent: string } {
    const re = compile(q);
    if (re === null) {
      matchFrame = null;
      matchEl.textContent = "";
    } else {
      matchFrame = new Uint8Array(meta.names.length);
      for (let f = 1; f < meta.names.length; f++) if (re.test(meta.names[f])) matchFrame[f] = 1;
    }
    let matched = 0;
    const t = panes[0].tree;
    if (matchFrame !== null) {
      for (let i = 0; i < t.n; ) {
        if (matchFrame[t.frame[i]] === 1) {
          matched += t.totA[i] + t.totB[i];
          i = t.end[i];
        } else i++;
      }
      matchEl.textContent = `matched ${pct(matched, t.totA[0] + t.totB[0])} of total`;
    }
    for (const p of panes) drawPane(p);
    fillTable(re);
    return { matched, percent: pct(matched, t.totA[0] + t.totB[0]) };
  }

  let topRows: { f: number; selfA: number; selfB: number; totA: number; totB: number }[] = [];
  function computeTop(): void {
    const t = main;
    const F = meta.names.length;
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
    topRows = [];
    for (let f = 1; f < F; f++) topRows.push({ f, selfA: selfA[f], selfB: selfB[f], totA: totA[f], totB: totB[f] });
    topRows.sort((a, b) => Math.abs(b.selfA - b.selfB) - Math.abs(a.selfA - a.selfB) || b.totA + b.totB - (a.totA + a.totB));
  }

  function fillTable(re: RegExp | null): void {
    const total = main.totA[0] + main.totB[0];
    const head = meta.diff ? "<th>self Δ</th><th>total Δ</th>" : "<th>self</th><th>self%</th><th>total</th><th>total%</th>";
    const rows: string[] = [`<thead><tr>${head}<th>function</th></tr></thead><tbody>`];
    let shown = 0;
    for (const r of topRows) {
      if (re !== null && !re.test(meta.names[r.f])) continue;
      if (++shown > 300) break;
      const name = esc(meta.names[r.f]);
      const cells = meta.diff
        ? `<td>${fmtValue(r.selfA - r.selfB)}</td><td>${fmtValue(r.totA - r.totB)}</td>`
        : `<td>${fmtValue(r.selfA)}</td><td>${pct(r.selfA, total)}</td><td>${fmtValue(r.totA)}</td><td>${pct(r.totA, total)}</td>`;
      rows.push(`<tr data-frame="${r.f}" title="sandwich view of ${name}">${cells}<td class="gdf-fn">${name}</td></tr>`);
    }
    rows.push("</tbody>");
    table.innerHTML = rows.join("");
  }

  function setLegend(): void {
    if (colorMode === "wait") {
      const t = main;
      const share = new Float64Array(meta.waitClasses.length + 1);
      // A stack's wait is the class of its leafmost classified frame: sum selfs by the class on the path.
      for (let i = 1; i < t.n; i++) {
        if (t.selfA[i] === 0 && t.selfB[i] === 0) continue;
        let c = 0;
        for (let a = i; a > 0 && c === 0; a = t.parent[a]) c = t.cls[a];
        share[c] += t.selfA[i] + t.selfB[i];
      }
      const total = t.totA[0] + t.totB[0];
      const items: string[] = [];
      for (let c = 1; c < share.length; c++) {
        if (share[c] === 0) continue;
        items.push(`<span class="gdf-key"><i style="background:${meta.waitColors[c - 1]}"></i>${esc(meta.waitClasses[c - 1])} ${pct(share[c], total)}</span>`);
      }
      items.push(`<span class="gdf-key"><i style="background:${meta.notWaiting}"></i>not waiting ${pct(share[0], total)}</span>`);
      legend.innerHTML = items.join("");
    } else if (colorMode === "diff") {
      legend.innerHTML = `<span class="gdf-key"><i style="background:${diffColor(1, 0)}"></i>grew</span><span class="gdf-key"><i style="background:${diffColor(0, 1)}"></i>shrank</span><span class="gdf-key">width = base + new</span>`;
    } else {
      legend.innerHTML = `<span class="gdf-key"><i style="background:hsl(35,88%,63%)"></i>user code</span><span class="gdf-key"><i style="background:hsl(205,62%,66%)"></i>standard library</span><span class="gdf-key"><i style="background:hsl(265,24%,73%)"></i>runtime</span>`;
    }
  }

  function setColorMode(m: string): void {
    colorMode = m;
    colorSel.value = m;
    setLegend();
    for (const p of panes) drawPane(p);
  }

  function setView(v: "graph" | "inverted" | "sandwich", frame?: number): void {
    if (v === "sandwich") {
      sandwichFrame = frame ?? selectedFrame;
      if (sandwichFrame <= 0) return;
    }
    view = v;
    rebuild();
    if (matchFrame !== null) doSearch(search.value);
  }

  // ---- wiring ---------------------------------------------------------------------

  bar.addEventListener("click", (e) => {
    const b = (e.target as El).closest("button");
    if (b === null) return;
    const act = b.dataset.act;
    if (act === "reset") {
      for (const p of panes) zoomTo(p, view === "sandwich" && p.tree.n > 1 ? 1 : 0);
    } else if (act === "orient") {
      up = !up;
      if (view !== "sandwich") rebuild();
    } else if (act === "invert") setView(view === "inverted" ? "graph" : "inverted");
    else if (act === "sandwich") setView(view === "sandwich" ? "graph" : "sandwich");
  });
  crumbs.addEventListener("click", (e) => {
    const c = (e.target as El).closest("a");
    if (c === null || c.dataset.node === undefined) return;
    zoomTo(panes[0], Number(c.dataset.node));
  });
  table.addEventListener("click", (e) => {
    const r = (e.target as El).closest("tr");
    if (r === null || r.dataset.frame === undefined) return;
    selectedFrame = Number(r.dataset.frame);
    setView("sandwich", selectedFrame);
  });
  search.addEventListener("input", () => doSearch(search.value));
  colorSel.addEventListener("change", () => setColorMode(colorSel.value));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      if (document.activeElement === search) {
        search.value = "";
        doSearch("");
      } else for (const p of panes) zoomTo(p, 0);
    } else if (e.key === "/" && document.activeElement !== search) {
      e.preventDefault();
      (search as unknown as { focus(): void }).focus();
    }
  });
  let resizeQueued = false;
  window.addEventListener("resize", () => {
    if (resizeQueued) return;
    resizeQueued = true;
    window.requestAnimationFrame(() => {
      resizeQueued = false;
      redrawAll();
    });
  });

  return inflate(payloadB64).then((buf) => {
    const dv = new DataView(buf);
    const jsonLen = dv.getUint32(0, true);
    meta = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, jsonLen))) as Meta;
    const n = meta.count;
    let off = 4 + jsonLen;
    off = (off + 7) & ~7;
    const take = <T>(make: (b: ArrayBuffer) => T, bytes: number): T => {
      const r = make(buf.slice(off, off + bytes));
      off += bytes;
      off = (off + 7) & ~7;
      return r;
    };
    const selfA = take((b) => new Float64Array(b), n * 8);
    const selfB = meta.diff ? take((b) => new Float64Array(b), n * 8) : new Float64Array(n);
    const frame = take((b) => new Uint32Array(b), n * 4);
    const depth = take((b) => new Uint16Array(b), n * 2);
    const cls = take((b) => new Uint8Array(b), n);
    main = finishTree(depth, frame, cls, selfA, selfB);

    titleEl.textContent = meta.title;
    titleEl.title = meta.subtitle;
    const modes: [string, string][] = [["package", "colour: package"]];
    if (meta.hasWait) modes.push(["wait", "colour: wait reason"]);
    if (meta.diff) modes.push(["diff", "colour: diff"]);
    colorSel.innerHTML = modes.map(([v, l]) => `<option value="${v}">${l}</option>`).join("");
    colorMode = meta.colorMode;
    colorSel.value = colorMode;
    computeTop();
    fillTable(null);
    setLegend();
    rebuild();
    firstPaintMs = performance.now() - t0;

    api.search = (q) => {
      search.value = q;
      return doSearch(q);
    };
    api.zoomTo = (i) => zoomTo(panes[0], i);
    api.reset = () => zoomTo(panes[0], 0);
    api.setColorMode = setColorMode;
    api.setView = setView;
    api.findFrames = (name) => {
      const out: number[] = [];
      const t = panes[0].tree;
      for (let i = 0; i < t.n; i++) if (meta.names[t.frame[i]] === name) out.push(i);
      return out;
    };
    api.rectOf = (i) => {
      const p = panes[0];
      const r = nodeRect(p, i);
      if (r === null) return null;
      const c = p.canvas.getBoundingClientRect();
      return { x: r.x + c.left, y: r.y + c.top, w: r.w, h: r.h };
    };
    api.state = () => ({
      zoom: panes[0].zoom,
      rootName: meta.names[panes[0].tree.frame[panes[0].zoom]],
      view,
      colorMode,
      crumbs: (crumbs.textContent ?? "").split(" \u203a "),
      nodes: main.n,
      firstPaintMs,
    });
    api.nodeInfo = (i) => {
      const t = panes[0].tree;
      return { name: meta.names[t.frame[i]], totalPos: t.totA[i], totalNeg: t.totB[i], selfPos: t.selfA[i], selfNeg: t.selfB[i], depth: t.depth[i] };
    };
    (root as unknown as { godiagFlame: FlameApi }).godiagFlame = api;
    return api;
  });
}
