// Samples as node paths: every distinct stack of the view turned once into its
// sequence of graph nodes (root first) with the summed weight of the samples
// that share it. Graphs are then rebuilt from these paths alone, several times
// per report (pprof rebuilds after each trimming step), without touching
// locations again. Identical stacks contribute identically, so summing their
// weights first gives pprof's numbers exactly.

import type { NodeIndex } from "./nodes.js";
import type { ProfileView } from "./view.js";

export interface NodePaths {
  count: number;
  /** path j is nodes[start[j] .. start[j+1]), root first */
  start: Uint32Array;
  nodes: Uint32Array;
  /** 1 when the frame is an inlined call into the next frame outward (not the location's last line) */
  inline: Uint8Array;
  weight: Float64Array;
}

function stackHash(stack: Uint32Array, lo: number, hi: number): number {
  let h = 0x811c9dc5 ^ (hi - lo);
  for (let k = lo; k < hi; k++) h = Math.imul(h ^ stack[k], 0x01000193);
  return h >>> 0;
}

function sameStack(stack: Uint32Array, aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  if (aHi - aLo !== bHi - bLo) return false;
  for (let k = 0; k < aHi - aLo; k++) if (stack[aLo + k] !== stack[bLo + k]) return false;
  return true;
}

export function buildNodePaths(view: ProfileView, index: NodeIndex): NodePaths {
  const { stack, stackStart } = view;
  const n = view.sampleCount;
  // Group samples with identical stacks (by location rows), keeping first-seen order.
  const firstOf = new Map<number, number[]>(); // hash -> representative sample indexes
  const group = new Int32Array(n);
  const reps: number[] = [];
  const weights: number[] = [];
  const nonZero: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const w = view.value(i);
    const lo = stackStart[i];
    const hi = stackStart[i + 1];
    const h = stackHash(stack, lo, hi);
    let bucket = firstOf.get(h);
    let g = -1;
    if (bucket) {
      for (const r of bucket) {
        const rs = reps[r];
        if (sameStack(stack, lo, hi, stackStart[rs], stackStart[rs + 1])) {
          g = r;
          break;
        }
      }
    } else {
      firstOf.set(h, (bucket = []));
    }
    if (g < 0) {
      g = reps.length;
      reps.push(i);
      weights.push(0);
      nonZero.push(false);
      bucket.push(g);
    }
    group[i] = g;
    weights[g] += w;
    if (w !== 0) nonZero[g] = true;
  }
  // Paths for groups with any non-zero sample (pprof skips zero-valued samples).
  const { locNodeStart, locNodes } = index;
  let total = 0;
  for (let g = 0; g < reps.length; g++) {
    if (!nonZero[g]) continue;
    const i = reps[g];
    for (let s = stackStart[i]; s < stackStart[i + 1]; s++) total += locNodeStart[stack[s] + 1] - locNodeStart[stack[s]];
  }
  const nodes = new Uint32Array(total);
  const inline = new Uint8Array(total);
  const starts: number[] = [0];
  const w: number[] = [];
  let pos = 0;
  for (let g = 0; g < reps.length; g++) {
    if (!nonZero[g]) continue;
    const i = reps[g];
    for (let s = stackStart[i + 1] - 1; s >= stackStart[i]; s--) {
      const loc = stack[s];
      const lo = locNodeStart[loc];
      const hi = locNodeStart[loc + 1];
      for (let k = hi - 1; k >= lo; k--) {
        nodes[pos] = locNodes[k];
        inline[pos] = k !== hi - 1 ? 1 : 0;
        pos++;
      }
    }
    starts.push(pos);
    w.push(weights[g]);
  }
  return { count: w.length, start: Uint32Array.from(starts), nodes, inline, weight: Float64Array.from(w) };
}
