// call graph: the DOT of `godiag dot` (= go tool pprof -dot), laid out here by Graphviz
// compiled to WebAssembly (@hpcc-js/wasm-graphviz, in a chunk of our own bundle: no CDN).
// Clicking a function's node opens its source listing.

import { h } from "../dom.js";
import { getJson } from "../http.js";
import type { TextAnswer } from "../meta.js";
import { apiQuery, exactRegexp } from "../state.js";
import type { ViewContext } from "../context.js";

export async function graphView(v: ViewContext): Promise<void> {
  const [a, gv] = await Promise.all([getJson<TextAnswer>("/api/dot?" + apiQuery(v.state)), import("@hpcc-js/wasm-graphviz").then((m) => m.Graphviz.load())]);
  for (const w of a.warnings) v.note(w);
  const svg = gv.dot(a.text, "svg");
  const box = h("div", { class: "graph" });
  // Graphviz's SVG: labels are escaped by Graphviz; it holds no script.
  box.innerHTML = svg;
  // pprof's graphs are wide: fit the width first; the button toggles Graphviz's own size.
  const el = box.querySelector("svg");
  const natural = el !== null ? [el.getAttribute("width") ?? "", el.getAttribute("height") ?? ""] : ["", ""];
  let fit = false;
  const zoom = h("button", { type: "button", class: "zoom" }, "actual size");
  const toggle = () => {
    fit = !fit;
    if (el === null) return;
    el.setAttribute("width", fit ? "100%" : natural[0]!);
    // without a height the browser keeps the viewBox's aspect ratio
    if (fit) el.removeAttribute("height");
    else el.setAttribute("height", natural[1]!);
    zoom.textContent = fit ? "actual size" : "fit width";
  };
  zoom.addEventListener("click", toggle);
  // A node's tooltip is pprof's "name (cum)": clicking a node lists that function's source.
  box.addEventListener("click", (e) => {
    const node = (e.target as Element).closest("g.node");
    const tip = node?.querySelector("a")?.getAttribute("xlink:title") ?? "";
    const name = /^(.*) \([^()]*\)$/.exec(tip)?.[1];
    if (name !== undefined && node?.querySelector("title")?.textContent?.startsWith("N") === true) v.go({ view: "source", fn: exactRegexp(name) });
  });
  toggle();
  const dot = h("details", {}, h("summary", {}, "DOT"), h("pre", { class: "dot" }, a.text));
  v.el.append(zoom, box, dot);
}
