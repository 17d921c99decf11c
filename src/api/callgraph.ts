// Call graph and source views beyond text: the DOT graph laid out as SVG (Graphviz in
// WebAssembly, loaded on first use) and pprof's weblist page.

export { dotToSvg, layoutSvg } from "../pprof/index.js";
