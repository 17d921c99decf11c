// The call graph pprof's text reports are built from (graph.New / newGraph),
// and the trimming steps of report.newTrimmedGraph.

import { printableName, sprintInfo, type NodeIndex, type NodeInfo } from "./nodes.js";
import { IntPairMap } from "./pairmap.js";
import type { StackGroups } from "./stack-groups.js";
import type { ProfileView } from "../../core/transform/index.js";

/** One edge, materialised for reports that list callers and callees. */
export interface Edge {
  src: number;
  dst: number;
  weight: number;
  residual: boolean;
  inline: boolean;
}

/**
 * A call graph. Edges live in typed arrays (a graph of a large profile has
 * hundreds of thousands); `removed` marks edges trimmed away. Edges touching nodes
 * left out of `nodes` (zero-valued or negative) are kept, as pprof keeps them in
 * its callers' and callees' edge maps.
 */
export class Graph {
  /** node ids (into index.infos) in the graph, in report order once sorted */
  nodes: number[];
  constructor(
    nodes: number[],
    readonly flat: Float64Array,
    readonly cum: Float64Array,
    readonly edgeCount: number,
    readonly edgeSrc: Int32Array,
    readonly edgeDst: Int32Array,
    readonly edgeWeight: Float64Array,
    /** bit 0: residual; bit 1: some contribution was a real (not inlined) call; bit 2: removed */
    readonly edgeFlags: Uint8Array,
  ) {
    this.nodes = nodes;
  }

  private inIdx: Map<number, number[]> | null = null;
  private outIdx: Map<number, number[]> | null = null;

  isInline(e: number): boolean {
    return (this.edgeFlags[e] & 2) === 0;
  }

  edge(e: number): Edge {
    const f = this.edgeFlags[e];
    return { src: this.edgeSrc[e], dst: this.edgeDst[e], weight: this.edgeWeight[e], residual: (f & 1) !== 0, inline: (f & 2) === 0 };
  }

  private index(): void {
    const inIdx = new Map<number, number[]>();
    const outIdx = new Map<number, number[]>();
    for (let e = 0; e < this.edgeCount; e++) {
      if (this.edgeFlags[e] & 4) continue;
      const d = this.edgeDst[e];
      const s = this.edgeSrc[e];
      let a = inIdx.get(d);
      if (!a) inIdx.set(d, (a = []));
      a.push(e);
      let b = outIdx.get(s);
      if (!b) outIdx.set(s, (b = []));
      b.push(e);
    }
    this.inIdx = inIdx;
    this.outIdx = outIdx;
  }

  inEdges(n: number): Edge[] {
    if (this.inIdx === null) this.index();
    return (this.inIdx!.get(n) ?? []).map((e) => this.edge(e));
  }

  outEdges(n: number): Edge[] {
    if (this.outIdx === null) this.index();
    return (this.outIdx!.get(n) ?? []).map((e) => this.edge(e));
  }

  /**
   * pprof's TrimLowFrequencyEdges: remove edges into the graph's nodes lighter than
   * cutoff; returns how many were removed.
   */
  trimLowFrequencyEdges(cutoff: number): number {
    const inGraph = new Uint8Array(this.flat.length);
    for (const n of this.nodes) inGraph[n] = 1;
    let removed = 0;
    for (let e = 0; e < this.edgeCount; e++) {
      if (this.edgeFlags[e] & 4 || !inGraph[this.edgeDst[e]]) continue;
      if (Math.abs(this.edgeWeight[e]) < cutoff) {
        this.edgeFlags[e] |= 4;
        removed++;
      }
    }
    if (removed > 0) this.inIdx = this.outIdx = null;
    return removed;
  }

  /** Whether node n has live incoming inlined / real call edges (for "(inline)" labels). */
  inlineState(): Uint8Array {
    const st = new Uint8Array(this.flat.length); // bit 0: an inline in-edge, bit 1: a non-inline one
    for (let e = 0; e < this.edgeCount; e++) {
      const f = this.edgeFlags[e];
      if (f & 4) continue;
      st[this.edgeDst[e]] |= f & 2 ? 2 : 1;
    }
    return st;
  }

  flatSum(): number {
    let t = 0;
    for (const n of this.nodes) t += this.flat[n];
    return t;
  }
}

export interface GraphOptions {
  /** only these node ids take part; frames of other nodes become residual gaps */
  kept?: Uint8Array | null;
  dropNegative?: boolean;
  /** node values only (no edges): for a first pass that only picks nodes */
  noEdges?: boolean;
}

/** pprof's newGraph: accumulate flat, cum and edge weights over the view's stacks. */
export function buildGraph(view: ProfileView, index: NodeIndex, groups: StackGroups, opts: GraphOptions = {}): Graph {
  const nNodes = index.infos.length;
  const kept = opts.kept ?? null;
  const noEdges = opts.noEdges === true;
  const flat = new Float64Array(nNodes);
  const cum = new Float64Array(nNodes);
  const seenNode = new Int32Array(nNodes);
  const edgeIds = new IntPairMap(Math.max(1024, nNodes * 2));
  let cap = Math.max(1024, nNodes * 2);
  let eSrc = new Int32Array(cap);
  let eDst = new Int32Array(cap);
  let eW = new Float64Array(cap);
  let eFlags = new Uint8Array(cap);
  let seenEdge = new Int32Array(cap);
  let nEdges = 0;
  const { rep, weight } = groups;
  const { stack, stackStart } = view;
  const { locNodeStart, locNodes } = index;
  for (let j = 0; j < groups.count; j++) {
    const w = weight[j];
    const stamp = j + 1;
    let parent = -1;
    let residual = false;
    const i = rep[j];
    // root first: the stack is stored leaf first, a location's nodes innermost first
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
        if (parent >= 0 && n !== parent && !noEdges) {
          let e = edgeIds.get(parent, n);
          if (e < 0) {
            e = nEdges++;
            if (e >= cap) {
              cap *= 2;
              eSrc = grow(eSrc, new Int32Array(cap));
              eDst = grow(eDst, new Int32Array(cap));
              eW = grow(eW, new Float64Array(cap));
              eFlags = grow(eFlags, new Uint8Array(cap));
              seenEdge = grow(seenEdge, new Int32Array(cap));
            }
            eSrc[e] = parent;
            eDst[e] = n;
            edgeIds.set(parent, n, e);
          }
          if (seenEdge[e] !== stamp) {
            seenEdge[e] = stamp;
            eW[e] += w;
            if (residual) eFlags[e] |= 1;
            if (k === hi - 1) eFlags[e] |= 2; // the location's outermost line: a real call
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
  return new Graph(nodes, flat, cum, nEdges, eSrc, eDst, eW, eFlags);
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
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
