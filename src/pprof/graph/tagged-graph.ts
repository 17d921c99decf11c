// The call graph behind pprof's -dot (internal/graph/graph.go New, newTree and the
// visual trimming steps). Unlike graph.ts (integer arrays, built for the text
// reports), nodes here are objects with edge maps and label tags: dot draws
// nodelets for labels, -call_tree builds one node per call path, and TrimTree /
// RemoveRedundantEdges rewire edges in place, which maps directly onto objects.
// The graph drawn is at most -nodecount nodes, so the object cost is bounded by
// the profile's distinct frames, as in pprof.

import type { ProfileView } from "../../core/transform/index.js";
import type { NodeIndex, NodeInfo } from "./nodes.js";
import type { NameCache } from "./graph.js";
import { groupTaggedSamples, type StackGroups, type TaggedGroups } from "./stack-groups.js";

export interface Tag {
  name: string;
  unit: string;
  value: number;
  flat: number;
  flatDiv: number;
  cum: number;
  cumDiv: number;
}

export interface TEdge {
  src: TNode;
  dst: TNode;
  weight: number;
  weightDiv: number;
  residual: boolean;
  inline: boolean;
  /** the last sample that added to this edge (pprof's per-sample seenEdge set) */
  stamp: number;
}

// Most nodes never get a tag: they share these empty maps until their first tag
// (addSample gives them their own), which saves two Maps per node in big graphs.
const NO_LABEL_TAGS = new Map<string, Tag>();
const NO_NUMERIC_TAGS = new Map<string, Map<string, Tag>>();

export class TNode {
  /** the last sample that added to this node's cum (pprof's per-sample seenNode set) */
  stamp = 0;
  flat = 0;
  flatDiv = 0;
  cum = 0;
  cumDiv = 0;
  readonly in = new Map<TNode, TEdge>();
  readonly out = new Map<TNode, TEdge>();
  labelTags = NO_LABEL_TAGS;
  /** numeric tags by the sample's joined string labels ("" = none) */
  numericTags = NO_NUMERIC_TAGS;
  constructor(
    /** node id in the NodeIndex: equal ids mean equal NodeInfo */
    readonly id: number,
    readonly info: NodeInfo,
    /** position in the graph build's node list */
    readonly ord: number,
  ) {}
  flatValue(): number {
    return this.flatDiv === 0 ? this.flat : Math.trunc(this.flat / this.flatDiv);
  }
  cumValue(): number {
    return this.cumDiv === 0 ? this.cum : Math.trunc(this.cum / this.cumDiv);
  }
}

export function edgeValue(e: TEdge): number {
  return e.weightDiv === 0 ? e.weight : Math.trunc(e.weight / e.weightDiv);
}

export function tagFlat(t: Tag): number {
  return t.flatDiv === 0 ? t.flat : Math.trunc(t.flat / t.flatDiv);
}

export function tagCum(t: Tag): number {
  return t.cumDiv === 0 ? t.cum : Math.trunc(t.cum / t.cumDiv);
}

export interface TaggedGraphOptions {
  /** sample type index of the mean divisor (-mean), or -1 */
  meanIndex: number;
  /** unit of each numeric label key (pprof's NumLabelUnits) */
  numLabelUnits: Map<string, string>;
  /** formats a numeric tag value into its nodelet name */
  formatTag: (v: number, unit: string) => string;
  dropNegative: boolean;
  callTree: boolean;
  /** node ids kept; null = all */
  kept: Uint8Array | null;
}

/** Per-sample string labels and the numeric "bytes" values, the only ones pprof draws. */
interface SampleTags {
  labels: string;
  bytes: number[];
}

const NO_TAGS: SampleTags = { labels: "", bytes: [] };

function sampleTags(view: ProfileView, i: number): SampleTags {
  const p = view.p;
  const row = view.sampleRow[i];
  if (p.samples.labelStart[row] === p.samples.labelStart[row + 1]) return NO_TAGS;
  const strs: string[] = [];
  const bytes: number[] = [];
  view.forEachLabel(i, (r) => {
    const key = p.str(p.labels.key[r]);
    if (p.labels.str[r] !== 0) {
      // report.newGraph removes the -diff_base marker so it is not drawn
      if (key !== "pprof::base") strs.push(key + ":" + p.str(p.labels.str[r]));
    } else if (key === "bytes") {
      bytes.push(p.labels.num[r]);
    }
  });
  strs.sort();
  return { labels: strs.join("\\n"), bytes };
}

function findOrAddTag(m: Map<string, Tag>, name: string, unit: string, value: number): Tag {
  let t = m.get(name);
  if (t === undefined) {
    t = { name, unit, value, flat: 0, flatDiv: 0, cum: 0, cumDiv: 0 };
    m.set(name, t);
  }
  return t;
}

function addTo(t: { flat: number; flatDiv: number; cum: number; cumDiv: number }, dw: number, w: number, flat: boolean): void {
  if (flat) {
    t.flatDiv += dw;
    t.flat += w;
  } else {
    t.cumDiv += dw;
    t.cum += w;
  }
}

function addSample(n: TNode, dw: number, w: number, st: SampleTags, o: TaggedGraphOptions, flat: boolean): void {
  addTo(n, dw, w, flat);
  // string label tags are added afterwards, label by label (addLabelTags)
  if (st.bytes.length === 0) return;
  if (n.numericTags === NO_NUMERIC_TAGS) n.numericTags = new Map();
  let nt = n.numericTags.get(st.labels);
  if (nt === undefined) n.numericTags.set(st.labels, (nt = new Map()));
  const unit = o.numLabelUnits.get("bytes") ?? "";
  for (const v of st.bytes) addTo(findOrAddTag(nt, o.formatTag(v, unit), unit, v), dw, w, flat);
}

function addToEdge(src: TNode, dst: TNode, dw: number, w: number, residual: boolean, inline: boolean): TEdge {
  let e = src.out.get(dst);
  if (e === undefined) {
    e = { src, dst, weight: 0, weightDiv: 0, residual, inline, stamp: 0 };
    src.out.set(dst, e);
    dst.in.set(src, e);
  } else {
    // pprof's AddToEdgeDiv: residual once any contribution skipped a node; inline only while all were
    if (residual) e.residual = true;
    if (!inline) e.inline = false;
  }
  e.weightDiv += dw;
  e.weight += w;
  return e;
}

function isNegative(n: TNode): boolean {
  return n.flat < 0 || (n.flat === 0 && n.cum < 0);
}

function selectNodes(all: TNode[], dropNegative: boolean): TNode[] {
  return all.filter((n) => !(n.cum === 0 && n.flat === 0) && !(dropNegative && isNegative(n)));
}

/** Whether any selected sample carries a label the graph could draw. */
function hasLabels(view: ProfileView): boolean {
  for (let i = 0; i < view.sampleCount; i++) {
    let any = false;
    view.forEachLabel(i, () => (any = true));
    if (any) return true;
  }
  return false;
}

/**
 * The samples a graph is built from, grouped (see groupTaggedSamples): computed once
 * and reused by each rebuild of the trimming steps.
 */
export function tagGroups(view: ProfileView, meanIndex: number, stacks?: StackGroups): TaggedGroups {
  if (!hasLabels(view)) {
    // no tags and no divisor: the groups by stack alone are these groups
    if (stacks !== undefined && meanIndex < 0) return { ...stacks, divisor: new Float64Array(stacks.count) };
    return groupTaggedSamples(view, null, meanIndex);
  }
  const ids = new Map<string, number>();
  const key = new Int32Array(view.sampleCount);
  for (let i = 0; i < view.sampleCount; i++) {
    const st = sampleTags(view, i);
    const k = st.labels + "\u0000" + st.bytes.join(",");
    let id = ids.get(k);
    if (id === undefined) ids.set(k, (id = ids.size));
    key[i] = id;
  }
  return groupTaggedSamples(view, key, meanIndex);
}

/** graph.New: the aggregated graph, or with callTree one node per distinct call path. */
export function buildTaggedGraph(view: ProfileView, index: NodeIndex, o: TaggedGraphOptions, groups?: TaggedGroups): TNode[] {
  const { stack, stackStart } = view;
  const { locNodeStart, locNodes, infos } = index;
  const all: TNode[] = [];
  const shared: (TNode | undefined)[] = new Array<TNode | undefined>(infos.length);
  const children = new Map<TNode | null, Map<number, TNode>>();
  const kept = o.kept;
  const nodeFor = (id: number, parent: TNode | null): TNode | null => {
    if (kept !== null && kept[id] === 0) return null;
    if (!o.callTree) {
      let n = shared[id];
      if (n === undefined) {
        shared[id] = n = new TNode(id, infos[id], all.length);
        all.push(n);
      }
      return n;
    }
    let m = children.get(parent);
    if (m === undefined) children.set(parent, (m = new Map()));
    let n = m.get(id);
    if (n === undefined) {
      n = new TNode(id, infos[id], all.length);
      m.set(id, n);
      all.push(n);
    }
    return n;
  };
  const g = groups ?? tagGroups(view, o.meanIndex);
  const labelIds = new Map<string, number>();
  const groupLabel = new Int32Array(g.count).fill(-1);
  for (let j = 0; j < g.count; j++) {
    const i = g.rep[j];
    const w = g.weight[j];
    const dw = g.divisor[j];
    const st = sampleTags(view, i);
    if (st.labels !== "") {
      let id = labelIds.get(st.labels);
      if (id === undefined) labelIds.set(st.labels, (id = labelIds.size));
      groupLabel[j] = id;
    }
    const stamp = j + 1;
    let parent: TNode | null = null;
    let residual = false;
    for (let s = stackStart[i + 1] - 1; s >= stackStart[i]; s--) {
      const loc = stack[s];
      const lo = locNodeStart[loc];
      const hi = locNodeStart[loc + 1];
      for (let k = hi - 1; k >= lo; k--) {
        const n = nodeFor(locNodes[k], parent);
        if (n === null) {
          residual = true;
          continue;
        }
        const inline = k !== hi - 1;
        if (o.callTree) {
          addSample(n, dw, w, st, o, false);
          if (parent !== null) addToEdge(parent, n, dw, w, false, inline);
        } else {
          if (n.stamp !== stamp) {
            n.stamp = stamp;
            addSample(n, dw, w, st, o, false);
          }
          if (parent !== null && n !== parent) {
            const e = parent.out.get(n);
            if (e === undefined || e.stamp !== stamp) addToEdge(parent, n, dw, w, residual, inline).stamp = stamp;
          }
        }
        parent = n;
        residual = false;
      }
    }
    if (parent !== null && !residual) addSample(parent, dw, w, st, o, true);
  }
  if (labelIds.size > 0) addLabelTags(view, index, g, groupLabel, [...labelIds.keys()], all, nodeFor, o.callTree);
  return selectNodes(all, o.dropNegative);
}

/**
 * The string label tags of every node, as addSample would add them sample by sample
 * (pprof's graph.New), but summed label by label: one walk of the stacks per group into
 * per-node sums, then one tag lookup per (node, label). A tag lookup per frame of every
 * sample was most of the time on a big labelled profile (tens of millions of Map
 * lookups in Maps of thousands of label sets). The values are integers: the sums do not
 * depend on the order, and dot sorts tags fully (by weight, then name).
 */
function addLabelTags(
  view: ProfileView,
  index: NodeIndex,
  g: TaggedGroups,
  groupLabel: Int32Array,
  labelNames: string[],
  all: TNode[],
  nodeFor: (id: number, parent: TNode | null) => TNode | null,
  callTree: boolean,
): void {
  const { stack, stackStart } = view;
  const { locNodeStart, locNodes } = index;
  // groups by label id (counting sort), each label's groups in their order
  const start = new Int32Array(labelNames.length + 1);
  for (let j = 0; j < g.count; j++) if (groupLabel[j] >= 0) start[groupLabel[j] + 1]++;
  for (let l = 0; l < labelNames.length; l++) start[l + 1] += start[l];
  const byLabel = new Int32Array(start[labelNames.length]);
  const fill = start.slice(0, labelNames.length);
  for (let j = 0; j < g.count; j++) if (groupLabel[j] >= 0) byLabel[fill[groupLabel[j]]++] = j;
  const cum = new Float64Array(all.length);
  const cumDiv = new Float64Array(all.length);
  const flat = new Float64Array(all.length);
  const flatDiv = new Float64Array(all.length);
  const seen = new Int32Array(all.length);
  const touched: number[] = [];
  const inList = new Uint8Array(all.length);
  for (let l = 0; l < labelNames.length; l++) {
    for (let q = start[l]; q < start[l + 1]; q++) {
      const j = byLabel[q];
      const i = g.rep[j];
      const w = g.weight[j];
      const dw = g.divisor[j];
      let parent: TNode | null = null;
      let residual = false;
      for (let s = stackStart[i + 1] - 1; s >= stackStart[i]; s--) {
        const loc = stack[s];
        for (let k = locNodeStart[loc + 1] - 1; k >= locNodeStart[loc]; k--) {
          const n = nodeFor(locNodes[k], parent);
          if (n === null) {
            residual = true;
            continue;
          }
          // as buildTaggedGraph: a call tree adds every visit, a graph once per group
          if (callTree || seen[n.ord] !== j + 1) {
            seen[n.ord] = j + 1;
            if (inList[n.ord] === 0) {
              inList[n.ord] = 1;
              touched.push(n.ord);
            }
            cum[n.ord] += w;
            cumDiv[n.ord] += dw;
          }
          parent = n;
          residual = false;
        }
      }
      if (parent !== null && !residual) {
        flat[parent.ord] += w;
        flatDiv[parent.ord] += dw;
      }
    }
    for (const r of touched) {
      const n = all[r];
      if (n.labelTags === NO_LABEL_TAGS) n.labelTags = new Map();
      const t = findOrAddTag(n.labelTags, labelNames[l], "", 0);
      t.cum += cum[r];
      t.cumDiv += cumDiv[r];
      t.flat += flat[r];
      t.flatDiv += flatDiv[r];
      cum[r] = cumDiv[r] = flat[r] = flatDiv[r] = 0;
      inList[r] = 0;
    }
    touched.length = 0;
  }
}

const abs = Math.abs;

function strCmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** EdgeMap.Sort: heavier first, then source and destination printable names. */
export function sortEdgeList(edges: Iterable<TEdge>, names: NameCache): TEdge[] {
  return [...edges].sort((a, b) => {
    if (a.weight !== b.weight) {
      const d = abs(b.weight) - abs(a.weight);
      if (d !== 0) return d;
    }
    const s = strCmp(names.name(a.src.id), names.name(b.src.id));
    if (s !== 0) return s;
    return strCmp(names.name(a.dst.id), names.name(b.dst.id));
  });
}

function edgeEntropy(edges: Map<TNode, TEdge>, self: number): number {
  let score = 0;
  let total = self;
  for (const e of edges.values()) if (e.weight > 0) total += abs(e.weight);
  if (total !== 0) {
    for (const e of edges.values()) {
      const frac = abs(e.weight) / total;
      score += -frac * Math.log2(frac);
    }
    if (self > 0) {
      const frac = abs(self) / total;
      score += -frac * Math.log2(frac);
    }
  }
  return score;
}

const INT64_MIN = -(1n << 63n);

/**
 * Go's int64(f) on amd64: truncation, and the "integer indefinite" value (MinInt64)
 * for NaN or out-of-range input. Diff profiles reach that case (negative weights make
 * log2 NaN), and pprof's order then depends on it.
 */
function goInt64(f: number): bigint {
  if (Number.isNaN(f) || f >= 2 ** 63 || f < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

/** abs64 with int64 wrap-around (abs of MinInt64 is MinInt64, as in Go). */
function abs64(v: bigint): bigint {
  return v < 0n ? BigInt.asIntN(64, -v) : v;
}

/** entropyScore: favour entries, leaves and nodes whose edges spread the weight. */
function entropyScore(n: TNode): bigint {
  let score = 0;
  score += n.in.size === 0 ? 1 : edgeEntropy(n.in, 0);
  score += n.out.size === 0 ? 1 : edgeEntropy(n.out, n.flat);
  return BigInt.asIntN(64, goInt64(score * n.cum) + BigInt(n.flat));
}

/** SortNodes in visual mode (EntropyOrder), the order dot numbers its nodes in. */
export function sortEntropy(nodes: TNode[], names: NameCache): void {
  const score = new Map<TNode, bigint>();
  for (const n of nodes) score.set(n, abs64(entropyScore(n)));
  nodes.sort((l, r) => {
    const sl = score.get(l) as bigint;
    const sr = score.get(r) as bigint;
    if (sl !== sr) return sl > sr ? -1 : 1;
    if (l.id !== r.id) {
      const a = l.info;
      const b = r.info;
      if (a.address !== 0n && b.address !== 0n && a.address !== b.address) return a.address < b.address ? -1 : 1;
      const c = strCmp(names.name(l.id), names.name(r.id));
      if (c !== 0) return c;
    }
    if (abs(l.flat) !== abs(r.flat)) return abs(r.flat) - abs(l.flat);
    return strCmp(names.sprint(l.id), names.sprint(r.id));
  });
}

/** TrimLowFrequencyTags: drop tags lighter than the cutoff both flat and cum. */
export function trimLowFrequencyTags(nodes: TNode[], cutoff: number): void {
  const trim = (m: Map<string, Tag>) => {
    const kept = new Map<string, Tag>();
    for (const [k, t] of m) if (abs(t.flat) >= cutoff || abs(t.cum) >= cutoff) kept.set(k, t);
    return kept;
  };
  for (const n of nodes) {
    if (n.labelTags !== NO_LABEL_TAGS) n.labelTags = trim(n.labelTags);
    for (const [k, m] of n.numericTags) n.numericTags.set(k, trim(m));
  }
}

/** TrimLowFrequencyEdges: remove in-edges of the graph's nodes below the cutoff. */
export function trimLowFrequencyEdges(nodes: TNode[], cutoff: number): number {
  let dropped = 0;
  for (const n of nodes) {
    for (const [src, e] of [...n.in]) {
      if (abs(e.weight) < cutoff) {
        n.in.delete(src);
        src.out.delete(n);
        dropped++;
      }
    }
  }
  return dropped;
}

export const MAX_NODELETS = 4;

function countTags(n: TNode): number {
  let c = 0;
  for (const t of n.labelTags.values()) if (t.flat !== 0) c++;
  for (const m of n.numericTags.values()) for (const t of m.values()) if (t.flat !== 0) c++;
  return c;
}

/** selectTopNodes in visual mode: drawn nodelets count against -nodecount too. */
export function selectTopNodes(nodes: TNode[], maxNodes: number): TNode[] {
  if (maxNodes > 0) {
    let count = 0;
    for (let i = 0; i < nodes.length; i++) {
      count += Math.min(countTags(nodes[i]), MAX_NODELETS) + 1;
      if (count >= maxNodes) {
        maxNodes = i + 1;
        break;
      }
    }
  }
  return nodes.slice(0, Math.min(maxNodes, nodes.length));
}

function isRedundantEdge(e: TEdge): boolean {
  const src = e.src;
  const seen = new Set<TNode>([e.dst]);
  const queue: TNode[] = [e.dst];
  for (let q = 0; q < queue.length; q++) {
    for (const ie of queue[q].in.values()) {
      if (ie === e || seen.has(ie.src)) continue;
      if (ie.src === src) return true;
      seen.add(ie.src);
      queue.push(ie.src);
    }
  }
  return false;
}

/** RemoveRedundantEdges: drop residual edges whose target is reachable another way. */
export function removeRedundantEdges(nodes: TNode[], names: NameCache): void {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    const ins = sortEdgeList(n.in.values(), names);
    for (let j = ins.length - 1; j >= 0; j--) {
      const e = ins[j];
      if (!e.residual) break;
      if (isRedundantEdge(e)) {
        e.src.out.delete(e.dst);
        e.dst.in.delete(e.src);
      }
    }
  }
}

/** TrimTree: keep only `kept` nodes of a call tree, reattaching children to the parent. */
export function trimTree(nodes: TNode[], kept: Set<TNode>, names: NameCache): TNode[] {
  const out: TNode[] = [];
  for (const cur of nodes) {
    if (kept.has(cur)) {
      out.push(cur);
      continue;
    }
    if (cur.in.size === 0) {
      for (const e of cur.out.values()) e.dst.in.delete(cur);
      continue;
    }
    const parent = [...cur.in.values()][0].src;
    const parentInline = (parent.out.get(cur) as TEdge).inline;
    parent.out.delete(cur);
    for (const e of cur.out.values()) {
      const child = e.dst;
      child.in.delete(cur);
      child.in.set(parent, e);
      parent.out.set(child, e);
      e.src = parent;
      e.residual = true;
      e.inline = parentInline && e.inline;
    }
  }
  removeRedundantEdges(out, names);
  return out;
}
