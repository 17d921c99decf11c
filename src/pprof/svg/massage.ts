// What pprof's driver does to Graphviz's SVG before writing it (internal/driver/svg.go,
// massageSVG), done here in our own words: the fixed size and viewBox are dropped so the
// drawing fills the browser window, and the graph is wrapped in a <g id="viewport">
// that the embedded pan/zoom script moves.

import { PAN_ZOOM_JS } from "./panzoom.js";

const SIZE = /<svg\s*width="[^"]+"\s*height="[^"]+"\s*viewBox="[^"]+"/;
const GRAPH = /<g id="graph\d+"/;

export function massageSvg(svg: string): string {
  // Graphviz can leave "&;" unescaped, which no XML parser accepts (pprof fixes it too)
  let out = svg.split("&;").join("&amp;;");
  out = out.replace(SIZE, '<svg width="100%" height="100%"');
  const g = GRAPH.exec(out);
  if (g !== null) {
    // the script is ours and holds no "]]>", so CDATA keeps it verbatim
    const head = `<script type="text/ecmascript"><![CDATA[${PAN_ZOOM_JS}]]></script><g id="viewport" transform="scale(0.5,0.5) translate(0,0)">`;
    out = out.slice(0, g.index) + head + out.slice(g.index);
    const close = out.lastIndexOf("</svg>");
    if (close >= 0) out = out.slice(0, close) + "</g>\n" + out.slice(close);
  }
  return out;
}
