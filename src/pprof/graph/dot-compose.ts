// graph.ComposeDot: the DOT text of a trimmed graph, byte for byte as pprof writes it
// (legend, nodes sized by flat value and coloured by cum share, label nodelets,
// edges heaviest first).

import type { NameCache } from "./graph.js";
import { escapeForDot, multilineName, nameComponents } from "./dot-names.js";
import { edgeValue, MAX_NODELETS, sortEdgeList, tagCum, tagFlat, type Tag, type TEdge, type TNode } from "./tagged-graph.js";
import { label as unitLabel, percentage, scaleValue } from "../../core/measure/index.js";

export interface DotConfig {
  title: string;
  labels: string[];
  formatValue: (v: number) => string;
  total: number;
}

const hex2 = (v: number) => Math.trunc(v * 255).toString(16).padStart(2, "0");

/** dotColor: score in [-1, 1] from green through grey to red; light for backgrounds. */
export function dotColor(score: number, background: boolean): string {
  const shift = 0.7;
  let saturation = background ? 0.1 : 1.0;
  const value = background ? 0.93 : 0.7;
  score = Math.max(-1, Math.min(1, score));
  if (Math.abs(score) < 0.2) saturation *= Math.abs(score) / 0.2;
  if (score > 0) score = Math.pow(score, 1 - shift);
  if (score < 0) score = -Math.pow(-score, 1 - shift);
  let r: number;
  let g: number;
  if (score < 0) {
    g = value;
    r = value * (1 + saturation * score);
  } else {
    r = value;
    g = value * (1 - saturation * score);
  }
  const b = value * (1 - saturation);
  return "#" + hex2(r) + hex2(g) + hex2(b);
}

/** pprof's tag order: heavier first (cum unless flat), then by name. */
function sortTags(ts: Tag[], flat: boolean): Tag[] {
  return ts.sort((a, b) => {
    if (!flat && a.cum !== b.cum) return Math.abs(b.cum) - Math.abs(a.cum);
    if (a.flat !== b.flat) return Math.abs(b.flat) - Math.abs(a.flat);
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

function tagDistance(t: Tag, u: Tag): number {
  const [v] = scaleValue(u.value, u.unit, t.unit);
  return v < t.value ? t.value - v : v - t.value;
}

/** A group of numeric tags as one nodelet: "min..max" (unscaled to the output unit). */
function tagGroup(g: Tag[]): Tag {
  if (g.length === 1) {
    const t = g[0];
    return { name: unitLabel(t.value, t.unit), unit: "", value: 0, flat: tagFlat(t), flatDiv: 0, cum: tagCum(t), cumDiv: 0 };
  }
  let min = g[0];
  let max = g[0];
  let f = min.flat;
  let df = min.flatDiv;
  let c = min.cum;
  let dc = min.cumDiv;
  for (const t of g.slice(1)) {
    if (Math.trunc(scaleValue(t.value, t.unit, min.unit)[0]) < min.value) min = t;
    if (Math.trunc(scaleValue(t.value, t.unit, max.unit)[0]) > max.value) max = t;
    f += t.flat;
    df += t.flatDiv;
    c += t.cum;
    dc += t.cumDiv;
  }
  if (df !== 0) f = Math.trunc(f / df);
  if (dc !== 0) c = Math.trunc(c / dc);
  const name = unitLabel(min.value, min.unit) + ".." + unitLabel(max.value, max.unit);
  return { name, unit: "", value: 0, flat: f, flatDiv: 0, cum: c, cumDiv: 0 };
}

/** collapsedTags: at most `count` nodelets, other values joined to the nearest one. */
function collapsedTags(ts: Tag[], count: number, flat: boolean): Tag[] {
  ts = sortTags(ts, flat);
  if (ts.length <= count) return ts;
  const groups: Tag[][] = ts.slice(0, count).map((t) => [t]);
  for (const t of ts.slice(count)) {
    let g = 0;
    let d = tagDistance(t, groups[0][0]);
    for (let i = 1; i < count; i++) {
      const nd = tagDistance(t, groups[i][0]);
      if (nd < d) {
        g = i;
        d = nd;
      }
    }
    groups[g].push(t);
  }
  return sortTags(groups.map(tagGroup), flat);
}

class DotWriter {
  readonly out: string[] = [];
  constructor(
    readonly c: DotConfig,
    readonly names: NameCache,
  ) {}

  legend(): void {
    const labels = this.c.labels;
    if (labels.length === 0) return;
    let s = `subgraph cluster_L { "${escapeForDot(labels[0])}" [shape=box fontsize=16`;
    s += ` label="${labels.map(escapeForDot).join("\\l")}\\l"`;
    if (this.c.title !== "") s += ` tooltip="${this.c.title}"`;
    this.out.push(s + "] }");
  }

  node(n: TNode, id: number, maxFlat: number): void {
    const flat = n.flatValue();
    const cum = n.cumValue();
    const total = this.c.total;
    const fv = this.c.formatValue;
    let label = multilineName(n.info);
    const flatValue = fv(flat);
    label += flat !== 0 ? `${flatValue} (${percentage(flat, total).trim()})` : "0";
    let cumValue = flatValue;
    if (cum !== flat) {
      label += flat !== 0 ? "\\n" : " ";
      cumValue = fv(cum);
      label += `of ${cumValue} (${percentage(cum, total).trim()})`;
    }
    // font 8..24 by the square root of the flat share, to make differences visible
    let fontSize = 8;
    if (maxFlat !== 0 && flat !== 0 && Math.abs(flat) <= maxFlat) {
      fontSize += Math.ceil(16 * Math.sqrt(Math.abs(flat) / maxFlat));
    }
    const share = n.cumValue() / Math.abs(total);
    const tooltip = escapeForDot(nameComponents(n.info).join(" "));
    this.out.push(
      `N${id} [label="${label}" id="node${id}" fontsize=${fontSize} shape=box tooltip="${tooltip} (${cumValue})" color="${dotColor(share, false)}" fillcolor="${dotColor(share, true)}"]`,
    );
  }

  nodelets(n: TNode, id: number): boolean {
    const fv = this.c.formatValue;
    const lnts = new Map<string, Tag[]>();
    for (const [l, m] of n.numericTags) if (m.size > 0) lnts.set(l, [...m.values()]);
    // leaves show cumulative tags (they include removed children), inner nodes flat ones
    const flatTags = n.out.size > 0;
    const ts = sortTags([...n.labelTags.values()], flatTags).slice(0, MAX_NODELETS);
    let s = "";
    ts.forEach((t, i) => {
      const w = flatTags ? tagFlat(t) : tagCum(t);
      if (w === 0) return;
      const weight = fv(w);
      s += `N${id}_${i} [label = "${t.name}" id="N${id}_${i}" fontsize=8 shape=box3d tooltip="${weight}"]\n`;
      s += `N${id} -> N${id}_${i} [label=" ${weight}" weight=100 tooltip="${weight}" labeltooltip="${weight}"]\n`;
      const nts = lnts.get(t.name);
      if (nts !== undefined) s += this.numericNodelets(nts, flatTags, `N${id}_${i}`);
    });
    const nts = lnts.get("");
    if (nts !== undefined) s += this.numericNodelets(nts, flatTags, `N${id}`);
    if (s !== "") this.out.push(s.slice(0, -1));
    return s !== "";
  }

  numericNodelets(nts: Tag[], flatTags: boolean, source: string): string {
    let s = "";
    collapsedTags(nts, MAX_NODELETS, flatTags).forEach((t, j) => {
      let w = tagCum(t);
      let attr = ` style="dotted"`;
      if (flatTags || tagFlat(t) === tagCum(t)) {
        w = tagFlat(t);
        attr = "";
      }
      if (w === 0) return;
      const weight = this.c.formatValue(w);
      s += `N${source}_${j} [label = "${t.name}" id="N${source}_${j}" fontsize=8 shape=box3d tooltip="${weight}"]\n`;
      s += `${source} -> N${source}_${j} [label=" ${weight}" weight=100 tooltip="${weight}" labeltooltip="${weight}"${attr}]\n`;
    });
    return s;
  }

  edge(e: TEdge, from: number, to: number, hasNodelets: boolean): void {
    const total = this.c.total;
    const ev = edgeValue(e);
    const w = this.c.formatValue(ev);
    let attr = `label=" ${w}${e.inline ? "\\n (inline)" : ""}"`;
    if (total !== 0) {
      // Go's integer division truncates toward zero; diffs can exceed the total
      const weight = 1 + Math.min(Math.abs(Math.trunc((ev * 100) / total)), 100);
      if (weight > 1) attr += ` weight=${weight}`;
      const width = 1 + Math.min(Math.abs(Math.trunc((ev * 5) / total)), 5);
      if (width > 1) attr += ` penwidth=${width}`;
      attr += ` color="${dotColor(ev / Math.abs(total), false)}"`;
    }
    const arrow = e.residual ? "..." : "->";
    const src = escapeForDot(nameComponents(e.src.info).join(" "));
    const dst = escapeForDot(nameComponents(e.dst.info).join(" "));
    const tooltip = `"${src} ${arrow} ${dst} (${w})"`;
    attr += ` tooltip=${tooltip} labeltooltip=${tooltip}`;
    if (e.residual) attr += ` style="dotted"`;
    // separate children further when the source has nodelets
    if (hasNodelets) attr += " minlen=2";
    this.out.push(`N${from} -> N${to} [${attr}]`);
  }
}

export function composeDot(nodes: TNode[], names: NameCache, c: DotConfig): string {
  const b = new DotWriter(c, names);
  b.out.push(`digraph "${c.title !== "" ? c.title : "unnamed"}" {`);
  b.out.push(`node [style=filled fillcolor="#f8f8f8"]`);
  b.legend();
  if (nodes.length > 0) {
    const ids = new Map<TNode, number>();
    const hasNodelets = new Set<TNode>();
    let maxFlat = Math.abs(nodes[0].flatValue());
    nodes.forEach((n, i) => {
      ids.set(n, i + 1);
      maxFlat = Math.max(maxFlat, Math.abs(n.flatValue()));
    });
    const edges: TEdge[] = [];
    nodes.forEach((n, i) => {
      b.node(n, i + 1, maxFlat);
      if (b.nodelets(n, i + 1)) hasNodelets.add(n);
      for (const e of n.out.values()) edges.push(e);
    });
    for (const e of sortEdgeList(edges, names)) {
      b.edge(e, ids.get(e.src) ?? 0, ids.get(e.dst) ?? 0, hasNodelets.has(e.src));
    }
  }
  b.out.push("}");
  return b.out.join("\n") + "\n";
}
