// Lay out DOT with Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz), so
// `godiag svg` needs no Graphviz installed. The module (~800 KB of JS with the wasm
// inside) is imported on first use only: no other command pays for loading it.

import { massageSvg } from "./massage.js";

interface Layouter {
  layout(dot: string, format: "svg", engine: "dot"): string;
}

let loaded: Promise<Layouter> | null = null;

function graphviz(): Promise<Layouter> {
  loaded ??= import("@hpcc-js/wasm-graphviz").then((m) => m.Graphviz.load());
  return loaded;
}

/** Graphviz's plain SVG for a DOT graph. */
export async function layoutSvg(dot: string): Promise<string> {
  return (await graphviz()).layout(dot, "svg", "dot");
}

/** pprof -svg: the laid-out graph with the pan/zoom wrapper. */
export async function dotToSvg(dot: string): Promise<string> {
  return massageSvg(await layoutSvg(dot));
}
