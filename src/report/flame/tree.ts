// The merged call tree behind every flame graph, built from a prepared report's
// filtered samples. Nodes live in flat typed arrays in preorder (node 0 is the
// root, a node's subtree is [i, end[i])), children sorted widest first, so the
// browser viewer, the SVG writer and the tests all walk the same layout without
// rebuilding it. Frames are split like pprof's -traces: one per inlined call.
//
// Values keep their sign apart: pos sums positive sample values, neg the absolute
// value of negative ones (the negated base of --diff_base / --base). A frame's
// width is pos + neg; its value is pos - neg (pprof's cum). Without a base, neg is 0.

import { buildNodeIndex, type NodeIndex } from "../../analysis/nodes.js";
import { NameCache } from "../../analysis/graph.js";
import { IntPairMap } from "../../analysis/pairmap.js";
import { originOf, packageOf, type CodeOrigin } from "../../analysis/gopkg.js";
import { classifyFrames, WAIT_CLASSES, type WaitClass } from "../../analysis/waitclass.js";
import type { ProfileView } from "../../analysis/view.js";
import type { Report } from "../report.js";

export type FrameOrigin = CodeOrigin | "label" | "root";

export interface FlameFrame {
  /** pprof's printable node name at the report's granularity (as in -traces) */
  name: string;
  /** function name alone (for classification and colours) */
  func: string;
  file: string;
  /** line at line granularity, else the function's start line (0 = unknown) */
  line: number;
  origin: FrameOrigin;
  pkg: string;
}

export interface FlameTree {
  count: number;
  depth: Uint16Array;
  /** index into frames */
  frame: Uint32Array;
  /** 0 = not part of a wait, else 1 + index into WAIT_CLASSES */
  waitClass: Uint8Array;
  selfPos: Float64Array;
  selfNeg: Float64Array;
  totalPos: Float64Array;
  totalNeg: Float64Array;
  /** preorder end (exclusive) of each node's subtree */
  end: Uint32Array;
  frames: FlameFrame[];
  /** true when some value is negative (a diff or a subtracted base) */
  diff: boolean;
  maxDepth: number;
  sampleType: string;
  unit: string;
}

export interface FlameTreeOptions {
  /** function rows at or above this index are label pseudo-frames (--tagroot) */
  labelFunctionsFrom?: number;
}

/** Growable Int32/Float64 columns: tree size is unknown until the walk ends. */
class Grow<T extends Int32Array | Float64Array> {
  a: T;
  constructor(private readonly make: (n: number) => T) {
    this.a = make(1024);
  }
  ensure(n: number): void {
    if (n <= this.a.length) return;
    let cap = this.a.length;
    while (cap < n) cap *= 2;
    const b = this.make(cap);
    b.set(this.a);
    this.a = b;
  }
}

interface Groups {
  count: number;
  rep: Uint32Array;
  pos: Float64Array;
  neg: Float64Array;
}

// Like analysis/stack-groups.ts, but positive and negative weights stay apart so
// a diff keeps both sides of a stack present in base and new profile.
function groupBySign(view: ProfileView): Groups {
  const { stack, stackStart } = view;
  const n = view.sampleCount;
  let cap = 16;
  while (cap < n * 2) cap <<= 1;
  const mask = cap - 1;
  const table = new Int32Array(cap).fill(-1);
  const rep = new Uint32Array(n);
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  let groups = 0;
  for (let i = 0; i < n; i++) {
    const w = view.value(i);
    if (w === 0) continue;
    const lo = stackStart[i];
    const hi = stackStart[i + 1];
    let h = 0x811c9dc5 ^ (hi - lo);
    for (let k = lo; k < hi; k++) h = Math.imul(h ^ stack[k], 0x01000193);
    h ^= h >>> 15;
    let slot = h & mask;
    let g = -1;
    for (;;) {
      const t = table[slot];
      if (t < 0) break;
      const r = rep[t];
      const rlo = stackStart[r];
      if (stackStart[r + 1] - rlo === hi - lo) {
        let same = true;
        for (let k = 0; k < hi - lo; k++) {
          if (stack[lo + k] !== stack[rlo + k]) {
            same = false;
            break;
          }
        }
        if (same) {
          g = t;
          break;
        }
      }
      slot = (slot + 1) & mask;
    }
    if (g < 0) {
      g = groups++;
      table[slot] = g;
      rep[g] = i;
    }
    if (w > 0) pos[g] += w;
    else neg[g] -= w;
  }
  return { count: groups, rep, pos, neg };
}

/** Per node id: the function row and line row it first came from (for file:line and labels). */
function nodeSources(view: ProfileView, index: NodeIndex): { func: Int32Array; line: Int32Array } {
  const n = index.infos.length;
  const func = new Int32Array(n).fill(-1);
  const line = new Int32Array(n).fill(-1);
  const p = view.p;
  const inline = view.granularity.inlineFrame;
  for (let l = 0; l < p.locations.length; l++) {
    let lo = view.locLineStart[l];
    const hi = view.locLineStart[l + 1];
    if (!inline && hi - lo > 1) lo = hi - 1;
    if (lo === hi) continue;
    const base = index.locNodeStart[l];
    for (let k = lo; k < hi; k++) {
      const node = index.locNodes[base + (k - lo)];
      if (func[node] >= 0) continue;
      const ln = view.locLines[k];
      func[node] = p.lines.func[ln];
      line[node] = ln;
    }
  }
  return { func, line };
}

export function buildFlameTree(rpt: Report, opts: FlameTreeOptions = {}): FlameTree {
  const view = rpt.view;
  const p = view.p;
  const index = buildNodeIndex(view, { trimPath: rpt.cfg.trimPath, sourcePath: rpt.cfg.sourcePath });
  const names = new NameCache(index.infos);
  const groups = groupBySign(view);

  // Tree under construction: node 0 is the root; children found by (parent, node id).
  const children = new IntPairMap(Math.max(1024, groups.count * 4));
  const nodeOf = new Grow((n) => new Int32Array(n)); // tree node -> node id (-1 for root)
  const parentOf = new Grow((n) => new Int32Array(n));
  const selfPos = new Grow((n) => new Float64Array(n));
  const selfNeg = new Grow((n) => new Float64Array(n));
  const cls = new Grow((n) => new Int32Array(n));
  nodeOf.a[0] = -1;
  parentOf.a[0] = -1;
  let count = 1;
  let path = new Int32Array(256);
  const leafNames: string[] = [];
  const { stack, stackStart } = view;
  const { locNodeStart, locNodes } = index;

  for (let g = 0; g < groups.count; g++) {
    const i = groups.rep[g];
    let cur = 0;
    let depth = 0;
    for (let s = stackStart[i + 1] - 1; s >= stackStart[i]; s--) {
      const loc = stack[s];
      for (let k = locNodeStart[loc + 1] - 1; k >= locNodeStart[loc]; k--) {
        const id = locNodes[k];
        let child = children.get(cur, id);
        if (child < 0) {
          child = count++;
          nodeOf.ensure(count);
          parentOf.ensure(count);
          selfPos.ensure(count);
          selfNeg.ensure(count);
          cls.ensure(count);
          nodeOf.a[child] = id;
          parentOf.a[child] = cur;
          children.set(cur, id, child);
        }
        if (depth === path.length) {
          const bigger = new Int32Array(path.length * 2);
          bigger.set(path);
          path = bigger;
        }
        path[depth++] = child;
        cur = child;
      }
    }
    if (depth === 0) continue; // a sample with no frames adds nothing, as in -traces
    selfPos.a[cur] += groups.pos[g];
    selfNeg.a[cur] += groups.neg[g];
    // Wait classification: frames leaf first; the leafmost waitDepth+1 frames are the wait.
    leafNames.length = 0;
    for (let j = 0; j < Math.min(depth, 12); j++) leafNames.push(index.infos[nodeOf.a[path[depth - 1 - j]]].name);
    const c = classifyFrames(leafNames);
    if (c.waitDepth >= 0) {
      const code = 1 + WAIT_CLASSES.indexOf(c.cls);
      for (let j = 0; j <= c.waitDepth; j++) {
        const t = path[depth - 1 - j];
        if (cls.a[t] === 0) cls.a[t] = code;
      }
    }
  }

  // Totals: a child is always created after its parent.
  const totPos = new Float64Array(count);
  const totNeg = new Float64Array(count);
  for (let t = count - 1; t >= 0; t--) {
    totPos[t] += selfPos.a[t];
    totNeg[t] += selfNeg.a[t];
    const par = parentOf.a[t];
    if (par >= 0) {
      totPos[par] += totPos[t];
      totNeg[par] += totNeg[t];
    }
  }

  // Child lists, then preorder with the widest child first (ties by name).
  const firstChild = new Int32Array(count).fill(-1);
  const nextSibling = new Int32Array(count).fill(-1);
  for (let t = count - 1; t >= 1; t--) {
    const par = parentOf.a[t];
    nextSibling[t] = firstChild[par];
    firstChild[par] = t;
  }
  const nameOfNode = (t: number) => (nodeOf.a[t] < 0 ? "" : names.name(nodeOf.a[t]));
  const width = (t: number) => totPos[t] + totNeg[t];
  const order = new Int32Array(count);
  const outDepth = new Uint16Array(count);
  const endOf = new Uint32Array(count);
  const stackT: number[] = [0];
  const stackD: number[] = [0];
  const open: number[] = []; // preorder indexes of nodes whose subtree is still open
  let k = 0;
  let maxDepth = 0;
  while (stackT.length > 0) {
    const t = stackT.pop() as number;
    const d = stackD.pop() as number;
    while (open.length > 0 && outDepth[open[open.length - 1]] >= d) endOf[open.pop() as number] = k;
    order[k] = t;
    outDepth[k] = Math.min(d, 65535);
    if (d > maxDepth) maxDepth = d;
    open.push(k);
    k++;
    const kids: number[] = [];
    for (let c = firstChild[t]; c >= 0; c = nextSibling[c]) kids.push(c);
    if (kids.length > 1) {
      kids.sort((a, b) => width(b) - width(a) || cmp(nameOfNode(a), nameOfNode(b)));
    }
    for (let j = kids.length - 1; j >= 0; j--) {
      stackT.push(kids[j]);
      stackD.push(d + 1);
    }
  }
  while (open.length > 0) endOf[open.pop() as number] = k;

  // Frames table: only node ids in use, numbered in preorder.
  const src = nodeSources(view, index);
  const frameIdx = new Int32Array(index.infos.length).fill(-1);
  const frames: FlameFrame[] = [{ name: "root", func: "root", file: "", line: 0, origin: "root", pkg: "" }];
  const labelFrom = opts.labelFunctionsFrom ?? Infinity;
  const tree: FlameTree = {
    count,
    depth: outDepth,
    frame: new Uint32Array(count),
    waitClass: new Uint8Array(count),
    selfPos: new Float64Array(count),
    selfNeg: new Float64Array(count),
    totalPos: new Float64Array(count),
    totalNeg: new Float64Array(count),
    end: endOf,
    frames,
    diff: false,
    maxDepth,
    sampleType: rpt.sampleType,
    unit: rpt.sampleUnit,
  };
  for (let j = 0; j < count; j++) {
    const t = order[j];
    const id = nodeOf.a[t];
    let f = 0;
    if (id >= 0) {
      f = frameIdx[id];
      if (f < 0) {
        f = frameIdx[id] = frames.length;
        const info = index.infos[id];
        const fn = src.func[id];
        const ln = src.line[id];
        const file = fn >= 0 ? p.str(p.functions.filename[fn]) : info.file;
        const line = info.lineno !== 0 ? info.lineno : fn >= 0 ? p.functions.startLine[fn] : 0;
        const isLabel = fn >= labelFrom;
        frames.push({
          name: names.name(id),
          func: info.name,
          file,
          line: ln >= 0 && view.granularity.linenumber ? p.lines.line[ln] : line,
          origin: isLabel ? "label" : originOf(info.name),
          pkg: isLabel ? "" : packageOf(info.name),
        });
      }
    }
    tree.frame[j] = f;
    tree.waitClass[j] = cls.a[t];
    tree.selfPos[j] = selfPos.a[t];
    tree.selfNeg[j] = selfNeg.a[t];
    tree.totalPos[j] = totPos[t];
    tree.totalNeg[j] = totNeg[t];
  }
  tree.diff = totNeg[0] > 0;
  return tree;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The wait class name of a tree node, or undefined. */
export function waitClassOf(tree: FlameTree, i: number): WaitClass | undefined {
  const c = tree.waitClass[i];
  return c === 0 ? undefined : WAIT_CLASSES[c - 1];
}
