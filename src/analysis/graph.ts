// The call graph pprof's text reports are built from (graph.New / newGraph),
// and the trimming steps of report.newTrimmedGraph.

import { printableName, sprintInfo, type NodeIndex, type NodeInfo } from "./nodes.js";
import type { ProfileView } from "./view.js";

export interface Edge {
  src: number;
  dst: number;
  weight: number;
  residual: boolean;
  inline: boolean;
}

export interface Graph {
  /** node ids (into index.infos) in the graph, in report order once sorted */
  nodes: number[];
  flat: Float64Array;
  cum: Float64Array;
  edges: Edge[];
  /** incoming / outgoing edges per node id (only for nodes in the graph) */
  inEdges: Map<number, Edge[]>;
  outEdges: Map<number, Edge[]>;
}

export interface GraphOptions {
  /** only these node ids take part; frames of other nodes become residual gaps */
  kept?: Uint8Array | null;
  dropNegative?: boolean;
}

/** pprof's newGraph: accumulate flat, cum and edge weights over the view's samples. */
export function buildGraph(view: ProfileView, index: NodeIndex, opts: GraphOptions = {}): Graph {
  const nNodes = index.infos.length;
  const kept = opts.kept ?? null;
  const flat = new Float64Array(nNodes);
  const cum = new Float64Array(nNodes);
  const seenNode = new Int32Array(nNodes);
  const edgeIds = new Map<number, number>();
  const edges: Edge[] = [];
  let seenEdge = new Int32Array(1024);
  const { locNodeStart, locNodes } = index;
  const stack = view.stack;
  const stackStart = view.stackStart;
  for (let i = 0; i < view.sampleCount; i++) {
    const w = view.value(i);
    if (w === 0) continue;
    const stamp = i + 1;
    let parent = -1;
    let residual = false;
    for (let s = stackStart[i + 1] - 1; s >= stackStart[i]; s--) {
      const loc = stack[s];
      const lo = locNodeStart[loc];
      const hi = locNodeStart[loc + 1];
      for (let k = hi - 1; k >= lo; k--) {
        const n = locNodes[k];
        if (kept !== null && kept[n] === 0) {
          residual = true;
          continue;
        }
        if (seenNode[n] !== stamp) {
          seenNode[n] = stamp;
          cum[n] += w;
        }
        if (parent >= 0 && n !== parent) {
          const key = parent * nNodes + n;
          let e = edgeIds.get(key);
          if (e === undefined) {
            e = edges.length;
            edges.push({ src: parent, dst: n, weight: 0, residual: false, inline: true });
            edgeIds.set(key, e);
            if (e >= seenEdge.length) {
              const bigger = new Int32Array(seenEdge.length * 2);
              bigger.set(seenEdge);
              seenEdge = bigger;
            }
          }
          if (seenEdge[e] !== stamp) {
            seenEdge[e] = stamp;
            const edge = edges[e];
            edge.weight += w;
            if (residual) edge.residual = true;
            if (k === hi - 1) edge.inline = false;
          }
        }
        parent = n;
        residual = false;
      }
    }
    if (parent >= 0 && !residual) flat[parent] += w;
  }
  const nodes: number[] = [];
  for (let n = 0; n < nNodes; n++) {
    if (cum[n] === 0 && flat[n] === 0) continue;
    if (opts.dropNegative && (flat[n] < 0 || (flat[n] === 0 && cum[n] < 0))) continue;
    nodes.push(n);
  }
  const inNodes = new Uint8Array(nNodes);
  for (const n of nodes) inNodes[n] = 1;
  const liveEdges = edges.filter((e) => inNodes[e.src] && inNodes[e.dst]);
  const g: Graph = { nodes, flat, cum, edges: liveEdges, inEdges: new Map(), outEdges: new Map() };
  indexEdges(g);
  return g;
}

function indexEdges(g: Graph): void {
  g.inEdges.clear();
  g.outEdges.clear();
  for (const e of g.edges) {
    let a = g.inEdges.get(e.dst);
    if (!a) g.inEdges.set(e.dst, (a = []));
    a.push(e);
    let b = g.outEdges.get(e.src);
    if (!b) g.outEdges.set(e.src, (b = []));
    b.push(e);
  }
}

/** Sum of flat values of the graph's nodes. */
export function graphFlatSum(g: Graph): number {
  let t = 0;
  for (const n of g.nodes) t += g.flat[n];
  return t;
}

/** Remove edges lighter than cutoff; returns how many were removed. */
export function trimLowFrequencyEdges(g: Graph, cutoff: number): number {
  const before = g.edges.length;
  g.edges = g.edges.filter((e) => Math.abs(e.weight) >= cutoff);
  if (g.edges.length !== before) indexEdges(g);
  return before - g.edges.length;
}

/** Printable names, computed once per node. */
export class NameCache {
  private readonly names: (string | undefined)[] = [];
  private readonly sprints: (string | undefined)[] = [];
  constructor(readonly infos: NodeInfo[]) {}
  name(n: number): string {
    let s = this.names[n];
    if (s === undefined) this.names[n] = s = printableName(this.infos[n]);
    return s;
  }
  sprint(n: number): string {
    let s = this.sprints[n];
    if (s === undefined) this.sprints[n] = s = sprintInfo(this.infos[n]);
    return s;
  }
}

function strCmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** NodeInfo.comparePrintableName: addresses first when both set, else printable names. */
function compareNames(names: NameCache, l: number, r: number): number {
  if (l === r) return 0;
  const a = names.infos[l];
  const b = names.infos[r];
  if (a.address !== 0n && b.address !== 0n && a.address !== b.address) return a.address < b.address ? -1 : 1;
  return strCmp(names.name(l), names.name(r));
}

/** pprof's FlatNameOrder (cum = false) or CumNameOrder (cum = true). */
export function sortNodes(g: Graph, names: NameCache, cum: boolean): void {
  const primary = cum ? g.cum : g.flat;
  const secondary = cum ? g.flat : g.cum;
  g.nodes.sort((l, r) => {
    const pl = Math.abs(primary[l]);
    const pr = Math.abs(primary[r]);
    if (pl !== pr) return pr - pl;
    const c = compareNames(names, l, r);
    if (c !== 0) return c;
    const sl = Math.abs(secondary[l]);
    const sr = Math.abs(secondary[r]);
    if (sl !== sr) return sr - sl;
    return strCmp(names.sprint(l), names.sprint(r));
  });
}

/** pprof's edgeList order: heavier first, then by source name, then destination name. */
export function sortEdges(edges: Edge[], names: NameCache): Edge[] {
  return [...edges].sort((a, b) => {
    if (a.weight !== b.weight) {
      const d = Math.abs(b.weight) - Math.abs(a.weight);
      if (d !== 0) return d;
    }
    const s = strCmp(names.name(a.src), names.name(b.src));
    if (s !== 0) return s;
    return strCmp(names.name(a.dst), names.name(b.dst));
  });
}
