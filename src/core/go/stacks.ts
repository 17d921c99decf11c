// Attribution of sample values to the innermost *user* frame of their stacks
// (walked by core/model's StackFrames) — the line of the service's own code that caused the
// cost, which is what a finding must name.

import type { Profile, StackFrames } from "../model/index.js";
import { originOf } from "./gopkg.js";
import { CodeOrigins } from "./origins.js";

/** Sum of one sample type over all samples. */
export function totalValue(p: Profile, typeIndex: number): number {
  let t = 0;
  for (let s = 0; s < p.samples.length; s++) t += p.sampleValue(s, typeIndex);
  return t;
}

export interface FunctionTotals {
  total: number;
  flat: Map<string, number>;
  /** counted once per sample even under recursion */
  cum: Map<string, number>;
}

export function functionTotals(sf: StackFrames, typeIndex: number): FunctionTotals {
  const p = sf.profile;
  const flat = new Map<string, number>();
  const cum = new Map<string, number>();
  let total = 0;
  const seen = new Set<string>();
  for (let s = 0; s < p.samples.length; s++) {
    const v = p.sampleValue(s, typeIndex);
    if (v === 0) continue;
    total += v;
    const fr = sf.names(s);
    if (fr.length > 0) flat.set(fr[0]!, (flat.get(fr[0]!) ?? 0) + v);
    seen.clear();
    for (const f of fr) {
      if (seen.has(f)) continue;
      seen.add(f);
      cum.set(f, (cum.get(f) ?? 0) + v);
    }
  }
  return { total, flat, cum };
}

/** Index of the innermost user-code frame (see gopkg.originOf), or -1. */
export function innermostUserFrame(frames: readonly string[], isUser: (fn: string) => boolean = defaultIsUser): number {
  for (let i = 0; i < frames.length; i++) if (isUser(frames[i]!)) return i;
  return -1;
}

const userCache = new Map<string, boolean>();
function defaultIsUser(fn: string): boolean {
  let u = userCache.get(fn);
  if (u === undefined) {
    u = originOf(fn) === "user";
    if (userCache.size < 100_000) userCache.set(fn, u);
  }
  return u;
}

export interface Attribution {
  /** user function -> value attributed to it (cost of it and the library code it called) */
  byFunction: Map<string, number>;
  /** user function -> the non-user callee directly below it -> value (what it spent the time on) */
  callees: Map<string, Map<string, number>>;
  /** value of samples with no user frame at all (runtime, library goroutines) */
  unattributed: number;
  total: number;
}

/**
 * Attribute each sample's value (optionally only samples for which `select`
 * returns true) to its innermost user frame: dependencies are told from the user's
 * code by `origins`, by default what the profile's own file names prove. `chargeTo`
 * names the function a sample at frames[i] is charged to (the frame's own, unless a
 * caller folds it into another: diagnose's library callbacks).
 */
export function attributeToUserCode(
  sf: StackFrames,
  typeIndex: number,
  select?: (frames: string[]) => boolean,
  origins: CodeOrigins = CodeOrigins.fromProfile(sf.profile),
  chargeTo: (frames: readonly string[], i: number) => string = (frames, i) => frames[i]!,
): Attribution {
  const p = sf.profile;
  const byFunction = new Map<string, number>();
  const callees = new Map<string, Map<string, number>>();
  let unattributed = 0;
  let total = 0;
  for (let s = 0; s < p.samples.length; s++) {
    const v = p.sampleValue(s, typeIndex);
    if (v === 0) continue;
    const fr = sf.names(s);
    if (select && !select(fr)) continue;
    total += v;
    const u = innermostUserFrame(fr, origins.isUser);
    if (u < 0) {
      unattributed += v;
      continue;
    }
    const fn = chargeTo(fr, u);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + v);
    if (u > 0) {
      let m = callees.get(fn);
      if (!m) callees.set(fn, (m = new Map()));
      const callee = fr[u - 1]!;
      m.set(callee, (m.get(callee) ?? 0) + v);
    }
  }
  return { byFunction, callees, unattributed, total };
}

/** Entries of a map sorted by value, largest first (ties by key for stable output). */
export function topEntries(m: Map<string, number>, n = Infinity): Array<[string, number]> {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}
