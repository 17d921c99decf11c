// Stack walking for the diagnosis rules: each sample's frames as function names
// (leaf first, inlined frames expanded), and attribution of sample values to the
// innermost *user* frame — the line of the service's own code that caused the
// cost, which is what a finding must name.

import type { Profile } from "../model/index.js";
import { originOf } from "./gopkg.js";

/** Frames of every location, leaf first (inlined callee before its caller), computed once. */
export class StackFrames {
  private readonly locFrames: string[][];

  constructor(readonly profile: Profile) {
    const { locations, lines, functions } = profile;
    this.locFrames = new Array<string[]>(locations.length);
    for (let l = 0; l < locations.length; l++) {
      const fr: string[] = [];
      for (let i = locations.lineStart[l]!; i < locations.lineStart[l + 1]!; i++) {
        const f = lines.func[i]!;
        fr.push(f < 0 ? `0x${locations.address[l]!.toString(16)}` : profile.str(functions.name[f]!));
      }
      if (fr.length === 0) fr.push(`0x${locations.address[l]!.toString(16)}`);
      this.locFrames[l] = fr;
    }
  }

  /** Function names of sample s, leaf first. */
  frames(s: number): string[] {
    const { samples } = this.profile;
    const out: string[] = [];
    for (let i = samples.stackStart[s]!; i < samples.stackStart[s + 1]!; i++) {
      for (const f of this.locFrames[samples.stack[i]!]!) out.push(f);
    }
    return out;
  }
}

/** Index of a sample type by name, or -1. */
export function sampleTypeIndex(p: Profile, type: string): number {
  return p.sampleTypes.findIndex((t) => t.type === type);
}

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
    const fr = sf.frames(s);
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
 * returns true) to its innermost user frame.
 */
export function attributeToUserCode(
  sf: StackFrames,
  typeIndex: number,
  select?: (frames: string[]) => boolean,
): Attribution {
  const p = sf.profile;
  const byFunction = new Map<string, number>();
  const callees = new Map<string, Map<string, number>>();
  let unattributed = 0;
  let total = 0;
  for (let s = 0; s < p.samples.length; s++) {
    const v = p.sampleValue(s, typeIndex);
    if (v === 0) continue;
    const fr = sf.frames(s);
    if (select && !select(fr)) continue;
    total += v;
    const u = innermostUserFrame(fr);
    if (u < 0) {
      unattributed += v;
      continue;
    }
    const fn = fr[u]!;
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
