// Static SVG flame graph: the HTML viewer's icicle layout (root on top, widest
// child first), frames narrower than a third of a pixel left out with their
// subtrees, names truncated to fit a monospace cell, a <title> per frame for hover.

import { WAIT_CLASSES } from "../../core/go/index.js";
import { escapeHtml } from "../../core/html/index.js";
import { diffColor, NOT_WAITING_COLOR, packageColor, WAIT_CLASS_COLORS } from "./colors.js";
import { defaultColorMode, type ColorMode } from "./html.js";
import type { FlameTree } from "./tree.js";
import { scaledLabel } from "../../core/measure/index.js";

export interface FlameSvgOptions {
  title?: string;
  subtitle?: string;
  width?: number;
  colorMode?: ColorMode;
}

const ROW = 17;
const FONT = 11;
const CHAR_W = FONT * 0.61; // monospace advance, a little generous so text never overflows
const TOP = 40;

export function renderFlameSvg(tree: FlameTree, opts: FlameSvgOptions = {}): string {
  const W = opts.width ?? 1200;
  const mode = opts.colorMode ?? defaultColorMode(tree);
  const H = TOP + (tree.maxDepth + 1) * ROW + 10;
  const total = tree.totalPos[0] + tree.totalNeg[0];
  const scale = total > 0 ? W / total : 0;
  const fmt = (v: number) => scaledLabel(v, tree.unit, "minimum");
  const pc = (v: number, of: number) => (of === 0 ? "0%" : ((100 * v) / of).toFixed(2) + "%");
  const out: string[] = [];
  out.push(
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      `font-family="ui-monospace,Menlo,Consolas,monospace" font-size="${FONT}">\n` +
      `<rect width="100%" height="100%" fill="#fff"/>\n` +
      `<text x="4" y="16" font-size="14" font-family="system-ui,sans-serif" font-weight="600">${escapeHtml(opts.title ?? "flame graph")}</text>\n` +
      `<text x="4" y="32" font-size="11" font-family="system-ui,sans-serif" fill="#555">${escapeHtml(opts.subtitle ?? "")}</text>\n`,
  );
  // x offsets: children follow their parent's start, in preorder.
  const x = new Float64Array(tree.count);
  const cursor = new Float64Array(tree.count);
  const parent = new Int32Array(tree.count).fill(-1);
  const path: number[] = [];
  for (let i = 0; i < tree.count; i++) {
    while (path.length > tree.depth[i]) path.pop();
    const p = path.length > 0 ? path[path.length - 1] : -1;
    parent[i] = p;
    if (p >= 0) {
      x[i] = cursor[p];
      cursor[p] += tree.totalPos[i] + tree.totalNeg[i];
    }
    cursor[i] = x[i];
    path.push(i);
  }
  for (let i = 0; i < tree.count; ) {
    const width = tree.totalPos[i] + tree.totalNeg[i];
    const w = width * scale;
    if (w < 0.33) {
      i = tree.end[i];
      continue;
    }
    const f = tree.frames[tree.frame[i]];
    const px = x[i] * scale;
    const y = TOP + tree.depth[i] * ROW;
    const c = tree.waitClass[i];
    let fill: string;
    if (mode === "diff") fill = diffColor(tree.totalPos[i], tree.totalNeg[i]);
    else if (mode === "wait") fill = c === 0 ? NOT_WAITING_COLOR : WAIT_CLASS_COLORS[WAIT_CLASSES[c - 1]];
    else fill = packageColor(f.origin, f.pkg);
    let label = f.name;
    if (mode === "wait" && c !== 0 && (parent[i] < 0 || tree.waitClass[parent[i]] !== c)) label = `[${WAIT_CLASSES[c - 1]}] ${label}`;
    const where = f.file !== "" ? `\n${f.file}${f.line ? ":" + f.line : ""}` : "";
    const value = tree.totalPos[i] - tree.totalNeg[i];
    const self = tree.selfPos[i] - tree.selfNeg[i];
    const p = parent[i];
    let tip: string;
    if (tree.diff) {
      tip = `base ${fmt(tree.totalNeg[i])}, new ${fmt(tree.totalPos[i])}, delta ${value >= 0 ? "+" : ""}${fmt(value)}`;
    } else {
      tip =
        `total ${fmt(value)} (${pc(width, total)} of total` +
        (p >= 0 ? `, ${pc(width, tree.totalPos[p] + tree.totalNeg[p])} of parent)` : ")") +
        `, self ${fmt(self)}`;
    }
    if (c !== 0) tip += `\nwait: ${WAIT_CLASSES[c - 1]}`;
    out.push(
      `<g><title>${escapeHtml(f.name + where + "\n" + tip)}</title>` +
        `<rect x="${px.toFixed(2)}" y="${y}" width="${Math.max(0.1, w - 0.5).toFixed(2)}" height="${ROW - 1}" fill="${fill}"/>`,
    );
    const fit = Math.floor((w - 6) / CHAR_W);
    if (fit >= 3) {
      const text = label.length <= fit ? label : label.slice(0, fit - 2) + "..";
      out.push(`<text x="${(px + 3).toFixed(2)}" y="${y + ROW - 5}">${escapeHtml(text)}</text>`);
    }
    out.push("</g>\n");
    i++;
  }
  out.push("</svg>\n");
  return out.join("");
}
