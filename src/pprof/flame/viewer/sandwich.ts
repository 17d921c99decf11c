// The derived views of the main tree: inverted (callers of each leaf) and sandwich
// (the callers and the callees of one function, recursion counted once).

import { buildFromPaths } from "./layout.js";
import type { Tree } from "./types.js";

/** The inverted tree: every stack's self value hung under its leaf, callers upwards. */
export function invertTree(t: Tree, frameCount: number): Tree {
  return buildFromPaths(t, frameCount, 0, (add) => {
    for (let i = 1; i < t.n; i++) {
      if (t.selfA[i] === 0 && t.selfB[i] === 0) continue;
      const path: number[] = [];
      for (let a = i; a > 0; a = t.parent[a]) path.push(a);
      add(path, t.selfA[i], t.selfB[i]);
    }
  });
}

/** Outermost occurrences of frame f (no ancestor with the same frame: recursion counted once). */
export function outermost(t: Tree, f: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < t.n; ) {
    if (t.frame[i] === f) {
      out.push(i);
      i = t.end[i];
    } else i++;
  }
  return out;
}

/** [callers, callees] of frame f: both trees start at f (node 1). */
export function sandwichTrees(t: Tree, frameCount: number, f: number): [Tree, Tree] {
  const occ = outermost(t, f);
  const callers = buildFromPaths(t, frameCount, 0, (add) => {
    for (const i of occ) {
      const path: number[] = [];
      for (let a = i; a > 0; a = t.parent[a]) path.push(a);
      add(path, t.totA[i], t.totB[i]);
    }
  });
  const callees = buildFromPaths(t, frameCount, 0, (add) => {
    for (const i of occ) {
      const stack: number[] = [];
      for (let j = i; j < t.end[i]; j++) {
        while (stack.length > t.depth[j] - t.depth[i]) stack.pop();
        stack.push(j);
        if (t.selfA[j] !== 0 || t.selfB[j] !== 0) add(stack.slice(), t.selfA[j], t.selfB[j]);
      }
    }
  });
  return [callers, callees];
}
