// DOM helpers and the viewer's fixed skeleton: the tool bar, legend, breadcrumbs,
// the panes' box, the top table and the tooltip (class names styled by html.ts's CSS).

/** A new element of class `cls` (and text), appended to parent. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, parent: HTMLElement, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  parent.appendChild(e);
  return e;
}

/** The skeleton's elements. */
export interface Ui {
  root: HTMLElement;
  bar: HTMLDivElement;
  title: HTMLDivElement;
  search: HTMLInputElement;
  match: HTMLSpanElement;
  orientBtn: HTMLButtonElement;
  invertBtn: HTMLButtonElement;
  sandwichBtn: HTMLButtonElement;
  colorSel: HTMLSelectElement;
  legend: HTMLDivElement;
  crumbs: HTMLDivElement;
  paneBox: HTMLDivElement;
  table: HTMLTableElement;
  tip: HTMLDivElement;
}

/** Empties root and builds the skeleton in it. */
export function buildUi(root: HTMLElement): Ui {
  root.classList.toggle("gdf", true);
  root.innerHTML = "";
  const bar = el("div", "gdf-bar", root);
  const title = el("div", "gdf-title", bar);
  const search = el("input", "gdf-search", bar);
  search.setAttribute("placeholder", "Search (regexp)");
  search.setAttribute("aria-label", "search frames");
  const match = el("span", "gdf-match", bar);
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
  return { root, bar, title, search, match, orientBtn, invertBtn, sandwichBtn, colorSel, legend, crumbs, paneBox, table, tip };
}
