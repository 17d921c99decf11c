// Clustering of blocking contexts (DBSCAN, Ester et al. 1996): goroutine buckets that wait
// in the same class, in similar stacks, for similar times are one problem seen from
// several call sites (e.g. the same leaked send reached from five handlers), so the
// diagnosis reports one finding for hundreds of similar waiters.
//
// Hand-written: DBSCAN is a few dozen lines, and npm's implementations take plain
// point vectors, not our weighted mixed categorical/set/numeric distance.

import { originOf, type PackageOrigins, type WaitClass } from "../../core/go/index.js";

export interface BlockingContext {
  cls: WaitClass;
  /** function names, leaf first */
  frames: string[];
  /** longest wait in minutes (0 when under a minute or unknown) */
  waitMinutes: number;
  /** goroutines in this context (its weight) */
  count: number;
  /** which packages are dependencies (the dump's Bucket.codeOrigins); by name alone when absent */
  origins?: PackageOrigins;
}

export interface ClusterOptions {
  /** largest distance (0..1) between neighbours */
  eps: number;
  /** goroutines (summed weights) within eps that make a point a core point */
  minCount: number;
}

/**
 * eps 0.35: stacks sharing about two thirds of their frames (and the wait class)
 * are neighbours. minCount 5: five goroutines waiting alike are a pattern, fewer
 * are noise that stays on its own.
 */
export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = { eps: 0.35, minCount: 5 };

/** How many leaf frames describe the context (deeper frames are the server's plumbing). */
const SIGNATURE_FRAMES = 10;

export interface Cluster {
  /** indexes into the input */
  members: number[];
  cls: WaitClass;
  count: number;
  /** user-code functions across the members, by goroutine count */
  userFunctions: string[];
}

/** Distance in [0, 1]: different classes are 1 apart; else stack dissimilarity and wait-time difference. */
export function contextDistance(a: BlockingContext, b: BlockingContext): number {
  if (a.cls !== b.cls) return 1;
  const sa = new Set(a.frames.slice(0, SIGNATURE_FRAMES));
  const sb = new Set(b.frames.slice(0, SIGNATURE_FRAMES));
  let inter = 0;
  for (const f of sa) if (sb.has(f)) inter++;
  const union = sa.size + sb.size - inter;
  const stack = union === 0 ? 0 : 1 - inter / union;
  const hi = Math.max(a.waitMinutes, b.waitMinutes);
  const wait = hi === 0 ? 0 : Math.abs(Math.log1p(a.waitMinutes) - Math.log1p(b.waitMinutes)) / Math.log1p(hi);
  return 0.75 * stack + 0.25 * wait;
}

/** Weighted DBSCAN; every input ends in exactly one cluster (noise points alone). Largest first. */
export function clusterContexts(ctxs: readonly BlockingContext[], o: ClusterOptions = DEFAULT_CLUSTER_OPTIONS): Cluster[] {
  const n = ctxs.length;
  const neighbours: number[][] = [];
  for (let i = 0; i < n; i++) {
    const ns: number[] = [];
    for (let j = 0; j < n; j++) if (contextDistance(ctxs[i]!, ctxs[j]!) <= o.eps) ns.push(j);
    neighbours.push(ns);
  }
  const isCore = neighbours.map((ns) => ns.reduce((s, j) => s + ctxs[j]!.count, 0) >= o.minCount);
  const label = new Int32Array(n).fill(-1);
  const groups: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (label[i] !== -1 || !isCore[i]) continue;
    const id = groups.length;
    const members: number[] = [];
    const queue = [i];
    label[i] = id;
    while (queue.length) {
      const p = queue.pop()!;
      members.push(p);
      if (!isCore[p]) continue; // border point: joins, does not expand
      for (const q of neighbours[p]!) {
        if (label[q] !== -1) continue;
        label[q] = id;
        queue.push(q);
      }
    }
    groups.push(members.sort((a, b) => a - b));
  }
  for (let i = 0; i < n; i++) if (label[i] === -1) groups.push([i]);
  return groups
    .map((members) => summarize(ctxs, members))
    .sort((a, b) => b.count - a.count || a.members[0]! - b.members[0]!);
}

function summarize(ctxs: readonly BlockingContext[], members: number[]): Cluster {
  const fnCount = new Map<string, number>();
  let count = 0;
  for (const m of members) {
    const c = ctxs[m]!;
    count += c.count;
    const seen = new Set<string>();
    for (const f of c.frames) {
      if (seen.has(f) || originOf(f, c.origins) !== "user") continue;
      seen.add(f);
      fnCount.set(f, (fnCount.get(f) ?? 0) + c.count);
    }
  }
  const userFunctions = [...fnCount.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([f]) => f);
  return { members, cls: ctxs[members[0]!]!.cls, count, userFunctions };
}
