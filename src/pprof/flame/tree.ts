// The merged call tree behind every flame graph, built from a prepared report's
// filtered samples. Nodes live in flat typed arrays in preorder (node 0 is the
// root, a node's subtree is [i, end[i])), children sorted widest first, so the
// browser viewer, the SVG writer and the tests all walk the same layout without
// rebuilding it. Frames are split like pprof's -traces: one per inlined call.
//
// Built without a node-by-node trie (a hash lookup per frame was the cost on
// 1M-sample profiles): samples are grouped by stack, each distinct stack becomes
// its frame path (root first), and the tree comes out of a depth-first partition
// of those paths: a node's range of paths is split by the frame at its depth (a
// native numeric sort), its children are ordered widest first and visited in
// that order, so nodes are written directly in their final preorder.
//
// --max_frames bounds the tree (memory, page size, drawing time): when the tree
// would be larger, frames narrower than a threshold fold into one "(other)" frame
// under their parent, in the spirit of pprof's -nodefraction. A counting pass over
// the same partition picks the threshold.
//
// Values keep their sign apart: pos sums positive sample values, neg the absolute
// value of negative ones (the negated base of --diff_base / --base). A frame's
// width is pos + neg; its value is pos - neg (pprof's cum). Without a base, neg is 0.

import { buildNodeIndex, type NodeIndex } from "../graph/nodes.js";
import { NameCache } from "../graph/graph.js";
import { CodeOrigins, originOf, packageOf, type CodeOrigin, classifyFrames, WAIT_CLASSES, type WaitClass } from "../../core/go/index.js";
import type { ProfileView } from "../../core/transform/index.js";
import type { Report } from "../report/report.js";

export type FrameOrigin = CodeOrigin | "label" | "root" | "other";

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
  /** set when --max_frames folded narrow frames into "(other)" frames */
  folded?: FoldSummary;
}

export interface FoldSummary {
  /** frames of the full tree, and how many of them were folded away */
  fullCount: number;
  foldedFrames: number;
  /** "(other)" frames added */
  others: number;
  /** summed width (pos + neg) of the folded frames */
  foldedWidth: number;
  /** every kept frame is at least this fraction of the root's width */
  minFraction: number;
}

/** Default --max_frames: a 1M-sample CPU profile over 100k distinct stacks needs 2.2M. */
export const DEFAULT_MAX_FRAMES = 3_000_000;

export interface FlameTreeOptions {
  /** function rows at or above this index are label pseudo-frames (--tagroot) */
  labelFunctionsFrom?: number;
  /** at most this many frames (default DEFAULT_MAX_FRAMES); narrower frames fold into "(other)" */
  maxFrames?: number;
}

/** Growable typed columns: tree size is unknown until the walk ends. */
class Grow<T extends Int32Array | Uint32Array | Float64Array> {
  a: T;
  constructor(private readonly make: (n: number) => T, initial = 1024) {
    this.a = make(Math.max(16, initial));
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

/** Distinct stacks (as frame paths, root first) with their summed weights. */
interface Paths {
  count: number;
  pos: Float64Array;
  neg: Float64Array;
  /** path of stack g: seq[start[g] .. start[g+1]), node ids root first */
  start: Uint32Array;
  /**
   * 16-bit when the node ids fit (function granularity of most profiles): the paths are
   * the build's largest array (90M frames for 2.7M distinct stacks: 180 MB, not 360 MB).
   */
  seq: Uint16Array | Uint32Array;
}

// Like analysis/stack-groups.ts, but positive and negative weights stay apart so
// a diff keeps both sides of a stack present in base and new profile. Stacks are
// numbered in order of first appearance. A stack is compared with its group's first
// sample's stack where it lies, in the view's stack array: a compact copy of the
// distinct stacks compared with fewer cache misses but, on a profile of mostly distinct
// stacks (3M samples, 2.7M stacks), was as large as the profile's own stacks (and twice
// that while it grew): the peak of godiag serve. The frame paths are written once, at
// their exact size.
function groupPaths(view: ProfileView, index: NodeIndex): Paths {
  const { stack, stackStart } = view;
  const n = view.sampleCount;
  // The table grows with the distinct stacks (not the samples): small enough to stay in cache.
  let cap = 4096;
  let mask = cap - 1;
  let table = new Int32Array(cap).fill(-1);
  const hashes = new Int32Array(n);
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  /** per group: its first sample (its stack is the group's) */
  const first = new Uint32Array(n);
  let groups = 0;
  const values = view.p.samples.values;
  const stride = view.p.sampleTypes.length;
  const vi = view.valueIndex;
  const rows = view.sampleRow;
  for (let i = 0; i < n; i++) {
    const w = values[rows[i] * stride + vi];
    if (w === 0) continue;
    const lo = stackStart[i];
    const len = stackStart[i + 1] - lo;
    let h = 0x811c9dc5 ^ len;
    for (let k = lo; k < lo + len; k++) h = Math.imul(h ^ stack[k], 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    let slot = h & mask;
    let g = -1;
    for (;;) {
      const t = table[slot];
      if (t < 0) break;
      if (hashes[t] === h) {
        const f = first[t];
        const rlo = stackStart[f];
        if (stackStart[f + 1] - rlo === len) {
          let k = 0;
          while (k < len && stack[lo + k] === stack[rlo + k]) k++;
          if (k === len) {
            g = t;
            break;
          }
        }
      }
      slot = (slot + 1) & mask;
    }
    if (g < 0) {
      g = groups++;
      table[slot] = g;
      hashes[g] = h;
      first[g] = i;
      if (groups * 2 > cap) {
        cap *= 2;
        mask = cap - 1;
        table = new Int32Array(cap).fill(-1);
        for (let q = 0; q < groups; q++) {
          let t = hashes[q] & mask;
          while (table[t] >= 0) t = (t + 1) & mask;
          table[t] = q;
        }
      }
    }
    if (w > 0) pos[g] += w;
    else neg[g] -= w;
  }
  // Frame paths, root first: locations outermost first, each location's inlined
  // lines outermost first.
  const { locNodeStart, locNodes } = index;
  let total = 0;
  for (let g = 0; g < groups; g++) {
    const f = first[g];
    for (let s = stackStart[f]; s < stackStart[f + 1]; s++) total += locNodeStart[stack[s] + 1] - locNodeStart[stack[s]];
  }
  const seq = index.infos.length <= 0x10000 ? new Uint16Array(total) : new Uint32Array(total);
  const start = new Uint32Array(groups + 1);
  let o = 0;
  for (let g = 0; g < groups; g++) {
    start[g] = o;
    const f = first[g];
    for (let s = stackStart[f + 1] - 1; s >= stackStart[f]; s--) {
      const loc = stack[s];
      for (let k = locNodeStart[loc + 1] - 1; k >= locNodeStart[loc]; k--) seq[o++] = locNodes[k];
    }
  }
  start[groups] = o;
  return {
    count: groups,
    pos: pos.subarray(0, groups),
    neg: neg.subarray(0, groups),
    start,
    seq,
  };
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

/**
 * Wait classes per path: the shared classifier over the leafmost frames (as for a
 * goroutine). A node is part of a wait when it is among a path's leafmost
 * waitDepth+1 frames; the first path (in sample order) that marks a node decides.
 */
function classifyPaths(paths: Paths, index: NodeIndex): { code: Uint8Array; from: Int32Array; any: boolean } {
  const code = new Uint8Array(paths.count);
  const from = new Int32Array(paths.count).fill(0x7fffffff);
  // Most frames never classify, and the classifier finds no wait in frames none of which
  // has a class alone: only paths with such a frame among the leafmost 12 (the classifier's
  // window, as before) need it. Exact, not a heuristic.
  const mayClassify = new Int8Array(index.infos.length).fill(-1);
  const leafNames: string[] = [];
  let any = false;
  const { seq, start } = paths;
  for (let g = 0; g < paths.count; g++) {
    const hi = start[g + 1];
    const len = hi - start[g];
    const m = Math.min(len, 12);
    let candidate = false;
    for (let j = 0; j < m; j++) {
      const id = seq[hi - 1 - j];
      let c = mayClassify[id];
      if (c < 0) c = mayClassify[id] = classifyFrames([index.infos[id].name]).waitDepth === 0 ? 1 : 0;
      if (c === 1) {
        candidate = true;
        break;
      }
    }
    if (!candidate) continue;
    leafNames.length = 0;
    for (let j = 0; j < m; j++) leafNames.push(index.infos[seq[hi - 1 - j]].name);
    const c = classifyFrames(leafNames);
    if (c.waitDepth < 0) continue;
    code[g] = 1 + WAIT_CLASSES.indexOf(c.cls);
    from[g] = len - 1 - c.waitDepth; // path positions >= from are in the wait
    any = true;
  }
  return { code, from, any };
}

// Width buckets for the frame cap: 16 per halving of the fraction of the root's width.
const BUCKETS_PER_OCTAVE = 16;
const NBUCKETS = 64 * BUCKETS_PER_OCTAVE;
const NONE = 0x7fffffff;

/**
 * The depth-first partition of the paths. split() takes the range of paths under
 * one tree node and splits it into the paths that end there and one run per child
 * frame, children ordered widest first (ties by name, then by first appearance in
 * the samples, as a stable sort over creation order would). Every operation is
 * deterministic and idempotent, so the counting pass and the build see the same
 * runs and the same sums.
 */
class Partition {
  readonly idx: Int32Array;
  private readonly keys: Float64Array;
  private readonly rest: Int32Array;
  private readonly restKey: Uint32Array;
  private readonly packed: boolean;
  // results of the last split()
  m = 0;
  selfPos = 0;
  selfNeg = 0;
  /** first path (sample order) in the range that puts this node in a wait, or NONE */
  waitPath = NONE;
  runs = 0;
  /** run r (in display order): idx[runLo[r], runHi[r]) */
  readonly runLo: number[] = [];
  readonly runHi: number[] = [];
  readonly runPos: number[] = [];
  readonly runNeg: number[] = [];
  private readonly runFirst: number[] = [];
  private readonly runId: number[] = [];
  private readonly order: number[] = [];

  constructor(
    private readonly paths: Paths,
    private readonly waitFrom: Int32Array | null,
    private readonly nameOf: (id: number) => string,
    nodeIds: number,
    private readonly rootWidth: number,
  ) {
    const n = paths.count;
    let live = 0;
    for (let g = 0; g < n; g++) if (paths.start[g + 1] > paths.start[g]) live++;
    this.idx = new Int32Array(live);
    let j = 0;
    for (let g = 0; g < n; g++) if (paths.start[g + 1] > paths.start[g]) this.idx[j++] = g;
    this.keys = new Float64Array(live);
    this.rest = new Int32Array(live);
    this.restKey = new Uint32Array(live);
    // key * n + g must stay an exact double
    this.packed = nodeIds * n < 2 ** 52;
  }

  bucket(w: number): number {
    if (w >= this.rootWidth) return 0;
    const b = Math.floor(-Math.log2(w / this.rootWidth) * BUCKETS_PER_OCTAVE);
    return b < NBUCKETS ? b : NBUCKETS - 1;
  }

  /** Split idx[lo, hi), the paths under a node at depth d (one pass over the paths, then a sort if needed). */
  split(lo: number, hi: number, d: number): void {
    const { idx, rest, restKey } = this;
    const { seq, start, pos, neg } = this.paths;
    const from = this.waitFrom;
    let m = lo;
    let r = 0;
    let sp = 0;
    let sn = 0;
    let rp = 0;
    let rn = 0;
    let best = NONE;
    let same = true;
    let first = -1;
    for (let j = lo; j < hi; j++) {
      const g = idx[j];
      if (from !== null && g < best && from[g] <= d - 1) best = g;
      const s = start[g];
      if (start[g + 1] - s === d) {
        idx[m++] = g;
        sp += pos[g];
        sn += neg[g];
      } else {
        const key = seq[s + d];
        if (r === 0) first = key;
        else if (key !== first) same = false;
        rest[r] = g;
        restKey[r++] = key;
        rp += pos[g];
        rn += neg[g];
      }
    }
    this.m = m;
    this.selfPos = sp;
    this.selfNeg = sn;
    this.waitPath = best;
    this.runs = 0;
    if (r === 0) return;
    const { runLo, runHi, runPos, runNeg, runFirst, runId } = this;
    runLo.length = runHi.length = runPos.length = runNeg.length = runFirst.length = runId.length = 0;
    if (same) {
      idx.set(rest.subarray(0, r), m);
      runLo.push(m);
      runHi.push(hi);
      runPos.push(rp);
      runNeg.push(rn);
      this.runs = 1;
      return;
    }
    // Sort by (frame, path): runs of one frame, each in path order.
    const n = this.paths.count;
    if (this.packed) {
      const keys = this.keys;
      for (let q = 0; q < r; q++) keys[m + q] = restKey[q] * n + rest[q];
      keys.subarray(m, hi).sort();
      for (let j = m; j < hi; j++) idx[j] = keys[j] % n;
    } else {
      const perm = Array.from({ length: r }, (_, q) => q);
      perm.sort((a, b) => restKey[a] - restKey[b] || rest[a] - rest[b]);
      for (let q = 0; q < r; q++) idx[m + q] = rest[perm[q]];
    }
    let j = m;
    while (j < hi) {
      const id = seq[start[idx[j]] + d];
      let k = j;
      let p = 0;
      let q = 0;
      for (; k < hi; k++) {
        const g = idx[k];
        if (seq[start[g] + d] !== id) break;
        p += pos[g];
        q += neg[g];
      }
      runLo.push(j);
      runHi.push(k);
      runPos.push(p);
      runNeg.push(q);
      runFirst.push(idx[j]);
      runId.push(id);
      j = k;
    }
    this.runs = runLo.length;
    if (this.runs > 1) this.orderRuns();
  }

  private orderRuns(): void {
    const { runLo, runHi, runPos, runNeg, runFirst, runId, order } = this;
    const n = this.runs;
    order.length = 0;
    for (let r = 0; r < n; r++) order.push(r);
    order.sort(
      (a, b) =>
        runPos[b] + runNeg[b] - (runPos[a] + runNeg[a]) ||
        cmp(this.nameOf(runId[a]), this.nameOf(runId[b])) ||
        runFirst[a] - runFirst[b],
    );
    const lo = order.map((r) => runLo[r]);
    const hi = order.map((r) => runHi[r]);
    const p = order.map((r) => runPos[r]);
    const q = order.map((r) => runNeg[r]);
    for (let r = 0; r < n; r++) {
      runLo[r] = lo[r];
      runHi[r] = hi[r];
      runPos[r] = p[r];
      runNeg[r] = q[r];
    }
  }
}

/** Frames of the full tree per width bucket, and the "(other)" frames each cap bucket would add. */
function countByWidth(part: Partition, paths: Paths): { frames: Float64Array; others: Float64Array } {
  const frames = new Float64Array(NBUCKETS);
  const others = new Float64Array(NBUCKETS + 1); // difference array
  const { start, pos, neg } = paths;
  frames[0]++; // the root
  const sLo: number[] = [0];
  const sHi: number[] = [part.idx.length];
  const sD: number[] = [0];
  const sB: number[] = [0];
  while (sLo.length > 0) {
    const lo = sLo.pop() as number;
    const hi = sHi.pop() as number;
    const d = sD.pop() as number;
    const b = sB.pop() as number;
    if (d > 0 && hi - lo === 1) {
      // one path: the rest of it is a chain of frames as wide as the path
      const g = part.idx[lo];
      const more = start[g + 1] - start[g] - d;
      if (more > 0) frames[part.bucket(pos[g] + neg[g])] += more;
      continue;
    }
    part.split(lo, hi, d);
    let narrowest = b;
    for (let r = 0; r < part.runs; r++) {
      const cb = part.bucket(part.runPos[r] + part.runNeg[r]);
      frames[cb]++;
      if (cb > narrowest) narrowest = cb;
      sLo.push(part.runLo[r]);
      sHi.push(part.runHi[r]);
      sD.push(d + 1);
      sB.push(cb);
    }
    // with the cap at bucket B, this node gets an "(other)" child when b <= B < narrowest
    if (narrowest > b) {
      others[b]++;
      others[narrowest]--;
    }
  }
  return { frames, others };
}

/** The tree's columns in preorder; node id -1 is the root, -2 an "(other)" frame. */
interface Columns {
  count: number;
  maxDepth: number;
  foldedWidth: number;
  node: Int32Array;
  depth: Int32Array;
  end: Uint32Array;
  cls: Int32Array;
  selfPos: Float64Array;
  selfNeg: Float64Array;
  totPos: Float64Array;
  totNeg: Float64Array;
}

/**
 * Walk the partition and write the nodes in preorder. Children in width buckets
 * above keepBucket fold into one "(other)" frame. Returns null as soon as the
 * tree would have more than `limit` nodes.
 */
function emitTree(
  part: Partition,
  paths: Paths,
  waits: { code: Uint8Array; from: Int32Array },
  rootPos: number,
  rootNeg: number,
  keepBucket: number,
  limit: number,
  sizeHint: number,
): Columns | null {
  const estimate = Math.min(sizeHint, limit) + 16;
  const nodeOf = new Grow((n) => new Int32Array(n), estimate);
  const depthOf = new Grow((n) => new Int32Array(n), estimate);
  const endOf = new Grow((n) => new Uint32Array(n), estimate);
  const cls = new Grow((n) => new Int32Array(n), estimate);
  const selfPos = new Grow((n) => new Float64Array(n), estimate);
  const selfNeg = new Grow((n) => new Float64Array(n), estimate);
  const totPos = new Grow((n) => new Float64Array(n), estimate);
  const totNeg = new Grow((n) => new Float64Array(n), estimate);
  let count = 0;
  let maxDepth = 0;
  let foldedWidth = 0;
  const open: number[] = []; // nodes whose subtree is still open
  const emit = (id: number, d: number, tp: number, tn: number): number => {
    const k = count++;
    if (count > nodeOf.a.length) {
      for (const c of [nodeOf, depthOf, endOf, cls, selfPos, selfNeg, totPos, totNeg]) c.ensure(count);
    }
    while (open.length > 0 && depthOf.a[open[open.length - 1]] >= d) endOf.a[open.pop() as number] = k;
    nodeOf.a[k] = id;
    depthOf.a[k] = d;
    totPos.a[k] = tp;
    totNeg.a[k] = tn;
    if (d > maxDepth) maxDepth = d;
    return k;
  };
  const folding = keepBucket < NBUCKETS - 1;
  const { seq, start, pos, neg } = paths;
  const idx = part.idx;
  // Work stack: ranges of idx (a node at depth d), or an "(other)" frame (lo = -1).
  const sLo: number[] = [0];
  const sHi: number[] = [idx.length];
  const sD: number[] = [0];
  const sP: number[] = [rootPos];
  const sN: number[] = [rootNeg];
  const kept: number[] = [];
  while (sLo.length > 0) {
    const lo = sLo.pop() as number;
    const hi = sHi.pop() as number;
    const d = sD.pop() as number;
    const tp = sP.pop() as number;
    const tn = sN.pop() as number;
    if (lo < 0) {
      const k = emit(-2, d, tp, tn);
      selfPos.a[k] = tp;
      selfNeg.a[k] = tn;
      endOf.a[k] = k + 1;
      continue;
    }
    if (d > 0 && hi - lo === 1) {
      // one path: the rest of it is a chain, each frame as wide as the path
      const g = idx[lo];
      const s0 = start[g];
      const len = start[g + 1] - s0;
      if (count + len - d + 1 > limit) return null;
      const first = emit(seq[s0 + d - 1], d, pos[g], neg[g]); // closes finished subtrees
      const last = first + len - d;
      count = last + 1;
      for (const c of [nodeOf, depthOf, endOf, cls, selfPos, selfNeg, totPos, totNeg]) c.ensure(count);
      const from = waits.from[g];
      const code = waits.code[g];
      const [ids, ds, ends, cl, tp0, tn0] = [nodeOf.a, depthOf.a, endOf.a, cls.a, totPos.a, totNeg.a];
      for (let k = first, q = d - 1; k <= last; k++, q++) {
        if (k > first) {
          ids[k] = seq[s0 + q];
          ds[k] = q + 1;
          tp0[k] = pos[g];
          tn0[k] = neg[g];
        }
        if (q >= from) cl[k] = code;
        ends[k] = count;
      }
      if (len > maxDepth) maxDepth = len;
      selfPos.a[last] = pos[g];
      selfNeg.a[last] = neg[g];
      continue;
    }
    if (count >= limit) return null;
    const k = emit(d === 0 ? -1 : seq[start[idx[lo]] + d - 1], d, tp, tn);
    part.split(lo, hi, d);
    if (part.waitPath !== NONE) cls.a[k] = waits.code[part.waitPath];
    selfPos.a[k] = part.selfPos;
    selfNeg.a[k] = part.selfNeg;
    if (part.runs === 0) {
      endOf.a[k] = k + 1;
      continue;
    }
    open.push(k);
    // kept children and at most one "(other)", widest first; pushed in reverse
    kept.length = 0;
    let op = 0;
    let on = 0;
    for (let r = 0; r < part.runs; r++) {
      if (folding && part.bucket(part.runPos[r] + part.runNeg[r]) > keepBucket) {
        op += part.runPos[r];
        on += part.runNeg[r];
      } else {
        kept.push(r);
      }
    }
    let otherAt = -1;
    if (op + on > 0) {
      foldedWidth += op + on;
      // after every kept child at least as wide
      otherAt = kept.length;
      while (otherAt > 0 && part.runPos[kept[otherAt - 1]] + part.runNeg[kept[otherAt - 1]] < op + on) otherAt--;
    }
    for (let q = kept.length; q >= 0; q--) {
      if (q < kept.length) {
        const r = kept[q];
        sLo.push(part.runLo[r]);
        sHi.push(part.runHi[r]);
        sD.push(d + 1);
        sP.push(part.runPos[r]);
        sN.push(part.runNeg[r]);
      }
      if (q === otherAt) {
        sLo.push(-1);
        sHi.push(-1);
        sD.push(d + 1);
        sP.push(op);
        sN.push(on);
      }
    }
  }
  while (open.length > 0) endOf.a[open.pop() as number] = count;
  return {
    count,
    maxDepth,
    foldedWidth,
    node: nodeOf.a,
    depth: depthOf.a,
    end: endOf.a,
    cls: cls.a,
    selfPos: selfPos.a,
    selfNeg: selfNeg.a,
    totPos: totPos.a,
    totNeg: totNeg.a,
  };
}

export function buildFlameTree(rpt: Report, opts: FlameTreeOptions = {}): FlameTree {
  const view = rpt.view;
  const p = view.p;
  const index = buildNodeIndex(view, { trimPath: rpt.cfg.trimPath, sourcePath: rpt.cfg.sourcePath });
  const names = new NameCache(index.infos);
  const paths = groupPaths(view, index);
  const waits = classifyPaths(paths, index);
  const maxFrames = Math.max(2, opts.maxFrames ?? DEFAULT_MAX_FRAMES);

  let rootPos = 0;
  let rootNeg = 0;
  for (let g = 0; g < paths.count; g++) {
    if (paths.start[g + 1] === paths.start[g]) continue; // no frames: adds nothing, as in -traces
    rootPos += paths.pos[g];
    rootNeg += paths.neg[g];
  }
  const part = new Partition(paths, waits.any ? waits.from : null, (id) => names.name(id), index.infos.length, rootPos + rootNeg);

  // Build the whole tree, stopping at the cap; past it, count by width and fold. When the
  // paths are far longer than the cap (mostly distinct stacks), count first: a stopped
  // build would be a third walk of the partition.
  const bound = paths.seq.length + 1; // the sum of path lengths bounds the node count
  let cols: Columns | null = null;
  if (bound <= 4 * maxFrames) cols = emitTree(part, paths, waits, rootPos, rootNeg, NBUCKETS - 1, maxFrames, bound);
  let folded: FoldSummary | undefined;
  if (cols === null) {
    const c = countByWidth(part, paths);
    let all = 0;
    for (let b = 0; b < NBUCKETS; b++) all += c.frames[b];
    if (all <= maxFrames) {
      cols = emitTree(part, paths, waits, rootPos, rootNeg, NBUCKETS - 1, Infinity, all) as Columns;
    } else {
      let keepBucket = 0;
      let kept = 0;
      let other = 0;
      for (let b = 0; b < NBUCKETS; b++) {
        kept += c.frames[b];
        other += c.others[b];
        if (kept + other > maxFrames && b > 0) break;
        keepBucket = b;
      }
      let keptFrames = 0;
      let otherFrames = 0;
      for (let b = 0; b <= keepBucket; b++) {
        keptFrames += c.frames[b];
        otherFrames += c.others[b];
      }
      // (the widest bucket alone may exceed a tiny cap: then it is the bound)
      cols = emitTree(part, paths, waits, rootPos, rootNeg, keepBucket, Infinity, keptFrames + otherFrames) as Columns;
      folded = {
        fullCount: all,
        foldedFrames: all - keptFrames,
        others: otherFrames,
        foldedWidth: cols.foldedWidth,
        minFraction: 2 ** (-(keepBucket + 1) / BUCKETS_PER_OCTAVE),
      };
    }
  }
  const count = cols.count;

  // Frames table: only node ids in use, numbered in preorder.
  const src = nodeSources(view, index);
  const frameIdx = new Int32Array(index.infos.length).fill(-1);
  const origins = CodeOrigins.fromProfile(p); // dependencies get their own colour
  const frames: FlameFrame[] = [{ name: "root", func: "root", file: "", line: 0, origin: "root", pkg: "" }];
  let otherFrame = -1;
  const labelFrom = opts.labelFunctionsFrom ?? Infinity;
  const depth = new Uint16Array(count);
  const frame = new Uint32Array(count);
  const waitClass = new Uint8Array(count);
  for (let j = 0; j < count; j++) {
    const id = cols.node[j];
    depth[j] = Math.min(cols.depth[j], 65535);
    waitClass[j] = cols.cls[j];
    let f = 0;
    if (id === -2) {
      if (otherFrame < 0) {
        otherFrame = frames.length;
        frames.push({ name: "(other)", func: "(other)", file: "", line: 0, origin: "other", pkg: "" });
      }
      f = otherFrame;
    } else if (id >= 0) {
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
          origin: isLabel ? "label" : originOf(info.name, origins),
          pkg: isLabel ? "" : packageOf(info.name),
        });
      }
    }
    frame[j] = f;
  }
  const tree: FlameTree = {
    count,
    depth,
    frame,
    waitClass,
    // views, not copies: the columns were sized for the tree (a little slack at most)
    selfPos: cols.selfPos.subarray(0, count),
    selfNeg: cols.selfNeg.subarray(0, count),
    totalPos: cols.totPos.subarray(0, count),
    totalNeg: cols.totNeg.subarray(0, count),
    end: cols.end.subarray(0, count),
    frames,
    diff: rootNeg > 0,
    maxDepth: cols.maxDepth,
    sampleType: rpt.sampleType,
    unit: rpt.sampleUnit,
  };
  if (folded) tree.folded = folded;
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
