// Tree layout: from preorder depths and self values to parents, subtree ends,
// totals and x offsets (children left to right after their parent's start), and
// trees rebuilt from weighted paths (the inverted and sandwich views).
//
// Speed comes from flat typed arrays in preorder (node i's subtree is [i, end[i])):
// drawing skips whole subtrees narrower than a pixel, hit-testing walks one path.

import type { Tree } from "./types.js";

/** Parents, subtree ends, totals and x offsets from preorder depth + self values. */
export function finishTree(depth: Uint16Array, frame: Uint32Array, cls: Uint8Array, selfA: Float64Array, selfB: Float64Array): Tree {
  const n = depth.length;
  const parent = new Int32Array(n);
  const end = new Uint32Array(n);
  const totA = new Float64Array(n);
  const totB = new Float64Array(n);
  const x = new Float64Array(n);
  const stack: number[] = [];
  let maxDepth = 0;
  for (let i = 0; i < n; i++) {
    const d = depth[i];
    if (d > maxDepth) maxDepth = d;
    while (stack.length > d) end[stack.pop() as number] = i;
    parent[i] = stack.length > 0 ? stack[stack.length - 1] : -1;
    stack.push(i);
  }
  while (stack.length > 0) end[stack.pop() as number] = n;
  for (let i = n - 1; i >= 0; i--) {
    totA[i] += selfA[i];
    totB[i] += selfB[i];
    const p = parent[i];
    if (p >= 0) {
      totA[p] += totA[i];
      totB[p] += totB[i];
    }
  }
  // x: children laid out left to right after their parent's start, in preorder.
  const cursor = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    if (p >= 0) {
      x[i] = cursor[p];
      cursor[p] += totA[i] + totB[i];
    }
    cursor[i] = x[i];
  }
  return { n, depth, frame, cls, selfA, selfB, totA, totB, x, end, parent, maxDepth };
}

/** add(path, a, b): path (source-tree nodes) hangs under the new root, weighted a and b. */
export type AddPath = (path: number[], a: number, b: number) => void;

/**
 * A tree from weighted paths of source-tree nodes (merged by frame), children
 * sorted widest first. frameCount is the number of frame names.
 */
export function buildFromPaths(src: Tree, frameCount: number, rootFrame: number, fill: (add: AddPath) => void): Tree {
  const F = frameCount + 1;
  const kids = new Map<number, number>();
  const frame: number[] = [rootFrame];
  const cls: number[] = [0];
  const par: number[] = [-1];
  const sa: number[] = [0];
  const sb: number[] = [0];
  fill((path, a, b) => {
    let cur = 0;
    for (const node of path) {
      const f = src.frame[node];
      const key = cur * F + f;
      let c = kids.get(key);
      if (c === undefined) {
        c = frame.length;
        kids.set(key, c);
        frame.push(f);
        cls.push(src.cls[node]);
        par.push(cur);
        sa.push(0);
        sb.push(0);
      }
      cur = c;
    }
    sa[cur] += a;
    sb[cur] += b;
  });
  const m = frame.length;
  const ta = Float64Array.from(sa);
  const tb = Float64Array.from(sb);
  for (let i = m - 1; i > 0; i--) {
    ta[par[i]] += ta[i];
    tb[par[i]] += tb[i];
  }
  const children: number[][] = frame.map(() => []);
  for (let i = 1; i < m; i++) children[par[i]].push(i);
  const order: number[] = [];
  const depths: number[] = [];
  const todo: [number, number][] = [[0, 0]];
  while (todo.length > 0) {
    const [i, d] = todo.pop() as [number, number];
    order.push(i);
    depths.push(d);
    const ks = children[i].sort((p, q) => ta[q] + tb[q] - (ta[p] + tb[p]));
    for (let j = ks.length - 1; j >= 0; j--) todo.push([ks[j], d + 1]);
  }
  return finishTree(
    Uint16Array.from(depths),
    Uint32Array.from(order, (i) => frame[i]),
    Uint8Array.from(order, (i) => cls[i]),
    Float64Array.from(order, (i) => sa[i]),
    Float64Array.from(order, (i) => sb[i]),
  );
}
