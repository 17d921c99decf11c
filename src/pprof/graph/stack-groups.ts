// Samples grouped by identical stack. pprof walks every sample when it builds a
// graph, and rebuilds the graph after each trimming step; samples with the same
// stack contribute identically, so we walk each distinct stack once with the
// summed weight of its samples. This gives pprof's numbers exactly (integer sums)
// and makes rebuilds proportional to distinct stacks, not samples.

import type { ProfileView } from "../../core/transform/index.js";

export interface StackGroups {
  count: number;
  /** a representative selected-sample index per group (its stack is the group's) */
  rep: Uint32Array;
  /** summed selected value of the group's samples */
  weight: Float64Array;
}

function stackHash(stack: Uint32Array, lo: number, hi: number): number {
  let h = 0x811c9dc5 ^ (hi - lo);
  for (let k = lo; k < hi; k++) h = Math.imul(h ^ stack[k], 0x01000193);
  h ^= h >>> 15;
  return h >>> 0;
}

function sameStack(stack: Uint32Array, aLo: number, aHi: number, bLo: number): boolean {
  for (let k = 0; k < aHi - aLo; k++) if (stack[aLo + k] !== stack[bLo + k]) return false;
  return true;
}

/**
 * Group the view's samples by stack. Groups whose samples are all zero-valued are
 * left out (pprof skips zero samples), but a group with non-zero samples summing
 * to zero is kept: its samples still create nodes and edges in pprof.
 */
export function groupStacks(view: ProfileView): StackGroups {
  const { stack, stackStart } = view;
  const n = view.sampleCount;
  let cap = 16;
  while (cap < n * 2) cap <<= 1;
  const mask = cap - 1;
  const table = new Int32Array(cap).fill(-1); // -> group
  const rep = new Uint32Array(n);
  const weight = new Float64Array(n);
  const nonZero = new Uint8Array(n);
  let groups = 0;
  for (let i = 0; i < n; i++) {
    const w = view.value(i);
    const lo = stackStart[i];
    const hi = stackStart[i + 1];
    let slot = stackHash(stack, lo, hi) & mask;
    let g = -1;
    for (;;) {
      const t = table[slot];
      if (t < 0) break;
      const r = rep[t];
      if (stackStart[r + 1] - stackStart[r] === hi - lo && sameStack(stack, lo, hi, stackStart[r])) {
        g = t;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (g < 0) {
      g = groups++;
      table[slot] = g;
      rep[g] = i;
    }
    weight[g] += w;
    if (w !== 0) nonZero[g] = 1;
  }
  // Compact away all-zero groups, keeping first-seen order.
  let k = 0;
  for (let g = 0; g < groups; g++) {
    if (!nonZero[g]) continue;
    rep[k] = rep[g];
    weight[k] = weight[g];
    k++;
  }
  return { count: k, rep: rep.subarray(0, k), weight: weight.subarray(0, k) };
}

/** Samples grouped for the tagged (dot) graph: same stack and same drawn tags. */
export interface TaggedGroups {
  count: number;
  /** a representative selected-sample index per group (its stack and tags are the group's) */
  rep: Uint32Array;
  /** summed selected value of the group's samples */
  weight: Float64Array;
  /** summed -mean divisor value (0 without -mean) */
  divisor: Float64Array;
}

/**
 * Group samples by stack and by a tag key (what the sample adds to nodes' tags; -1 when
 * a profile draws no tags). Each group contributes to pprof's graph as its samples do
 * one by one: the graph's sums are linear in a sample's value and divisor, and the
 * per-sample dedup of recursive frames depends on the stack alone. Groups keep the order
 * of their first sample, so nodes are created in pprof's order. A group is dropped only
 * when every sample in it is zero in both value and divisor (pprof skips those).
 */
export function groupTaggedSamples(view: ProfileView, tagKey: Int32Array | null, meanIndex: number): TaggedGroups {
  const { stack, stackStart } = view;
  const n = view.sampleCount;
  let cap = 16;
  while (cap < n * 2) cap <<= 1;
  const mask = cap - 1;
  const table = new Int32Array(cap).fill(-1);
  const rep = new Uint32Array(n);
  const weight = new Float64Array(n);
  const divisor = new Float64Array(n);
  const nonZero = new Uint8Array(n);
  let groups = 0;
  for (let i = 0; i < n; i++) {
    const w = view.value(i);
    const dw = meanIndex >= 0 ? view.valueAt(i, meanIndex) : 0;
    const lo = stackStart[i];
    const hi = stackStart[i + 1];
    const tk = tagKey === null ? -1 : tagKey[i];
    let slot = (Math.imul(stackHash(stack, lo, hi) ^ tk, 0x9e3779b1) >>> 0) & mask;
    let g = -1;
    for (;;) {
      const t = table[slot];
      if (t < 0) break;
      const r = rep[t];
      if (
        (tagKey === null || tagKey[r] === tk) &&
        stackStart[r + 1] - stackStart[r] === hi - lo &&
        sameStack(stack, lo, hi, stackStart[r])
      ) {
        g = t;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (g < 0) {
      g = groups++;
      table[slot] = g;
      rep[g] = i;
    }
    weight[g] += w;
    divisor[g] += dw;
    if (w !== 0 || dw !== 0) nonZero[g] = 1;
  }
  let k = 0;
  for (let g = 0; g < groups; g++) {
    if (!nonZero[g]) continue;
    rep[k] = rep[g];
    weight[k] = weight[g];
    divisor[k] = divisor[g];
    k++;
  }
  return { count: k, rep: rep.subarray(0, k), weight: weight.subarray(0, k), divisor: divisor.subarray(0, k) };
}
