// Buckets of similar goroutines: same wait class, same frames (function, file,
// line), same creator. Arguments (pointers that differ per goroutine) are ignored
// unless exact. This is what makes a 50,000-goroutine dump readable: "chan send in
// main.notifyAudit × 327".

import type { CreatedBy, GoFrame, Goroutine, GoroutineDump } from "../../model/goroutines.js";
import { originOf, type CodeOrigin } from "../gopkg.js";
import { classifyGoroutine, type WaitClass } from "../waitclass.js";

export interface BucketOptions {
  /** keep arguments in the key (panicparse's exact matching) */
  exact: boolean;
  /** frame interning shared by the dumps being compared, so bucket keys match across them */
  frameIds?: Map<string, number>;
}

export interface Bucket {
  /** identity across dumps: class, frames and creator (and args when exact) */
  key: string;
  cls: WaitClass;
  /** leaf index of the outermost frame of the wait, -1 when the frames show none */
  waitDepth: number;
  /** goroutines in the bucket (sum of record counts) */
  count: number;
  /** states as printed, with counts ("chan send": 327) */
  states: Record<string, number>;
  /** goroutine ids (debug=2/tracebacks), ascending */
  ids: number[];
  minWaitMinutes: number;
  maxWaitMinutes: number;
  lockedToThread: number;
  /** the first member's frames (args of that goroutine) */
  frames: GoFrame[];
  origins: CodeOrigin[];
  elided: number;
  createdBy: CreatedBy | null;
  members: Goroutine[];
}

/** Bucket a dump, largest bucket first (ties: lowest goroutine id, then key). */
export function bucketize(d: GoroutineDump, opts: BucketOptions = { exact: false }): Bucket[] {
  const byKey = new Map<string, Bucket>();
  // Frame keys repeat across goroutines: number them (func -> file -> line -> id)
  // so a stack key is a short list of numbers, with no per-frame string building.
  const frameIds = opts.frameIds ?? new Map<string, number>();
  const byFunc = new Map<string, Map<string, Map<number, number>>>();
  const frameId = (f: GoFrame): number => {
    const fn = opts.exact ? `${f.func}(${f.args})` : f.func;
    let byFile = byFunc.get(fn);
    if (byFile === undefined) byFunc.set(fn, (byFile = new Map()));
    let byLine = byFile.get(f.file);
    if (byLine === undefined) byFile.set(f.file, (byLine = new Map()));
    let id = byLine.get(f.line);
    if (id === undefined) {
      // frameIds (shared between dumps) gives the same frame the same number in each
      const fk = `${fn}\u0000${f.file}\u0000${f.line}`;
      id = frameIds.get(fk);
      if (id === undefined) frameIds.set(fk, (id = frameIds.size));
      byLine.set(f.line, id);
    }
    return id;
  };
  const originCache = new Map<string, CodeOrigin>();
  for (const g of d.goroutines) {
    const names = new Array<string>(Math.min(g.frames.length, 16));
    for (let i = 0; i < names.length; i++) names[i] = g.frames[i]!.func;
    const c = classifyGoroutine(g.state, names);
    let key: string = c.cls;
    for (const f of g.frames) key += "," + frameId(f);
    if (g.elided !== 0) key += `|elided${g.elided}`;
    const cb = g.createdBy;
    if (cb !== null) key += `|${cb.func}\u0000${cb.file}\u0000${cb.line}`;
    let b = byKey.get(key);
    if (b === undefined) {
      const origins = g.frames.map((f) => {
        let o = originCache.get(f.func);
        if (o === undefined) {
          o = originOf(f.func);
          originCache.set(f.func, o);
        }
        return o;
      });
      b = {
        key,
        cls: c.cls,
        waitDepth: c.waitDepth,
        count: 0,
        states: {},
        ids: [],
        minWaitMinutes: g.waitMinutes,
        maxWaitMinutes: g.waitMinutes,
        lockedToThread: 0,
        frames: g.frames,
        origins,
        elided: g.elided,
        createdBy: g.createdBy,
        members: [],
      };
      byKey.set(key, b);
    }
    b.count += g.count;
    if (g.state !== "") b.states[g.state] = (b.states[g.state] ?? 0) + g.count;
    if (g.id !== 0) b.ids.push(g.id);
    if (g.waitMinutes < b.minWaitMinutes) b.minWaitMinutes = g.waitMinutes;
    if (g.waitMinutes > b.maxWaitMinutes) b.maxWaitMinutes = g.waitMinutes;
    if (g.lockedToThread) b.lockedToThread += g.count;
    b.members.push(g);
  }
  const out = [...byKey.values()];
  for (const b of out) b.ids.sort((x, y) => x - y);
  out.sort((a, b) => b.count - a.count || (a.ids[0] ?? 0) - (b.ids[0] ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

/** Leaf index of the first user (non-runtime, non-stdlib) frame, -1 if none. */
export function firstUserFrame(b: Bucket): number {
  return b.origins.indexOf("user");
}

/**
 * A short human name for a bucket: its class and the frame that waited (the first
 * frame above the wait, preferring user code), e.g. "chan:send main.notifyAudit".
 */
export function bucketTitle(b: Bucket): string {
  const f = representativeFrame(b);
  return f === null ? b.cls : `${b.cls} ${f.func}`;
}

export function representativeFrame(b: Bucket): GoFrame | null {
  const u = firstUserFrame(b);
  if (u >= 0) return b.frames[u]!;
  // No user code: the goroutine's entry function names it best
  // (net/http.(*conn).serve, net/http.(*persistConn).readLoop, runtime.gcBgMarkWorker).
  for (let i = b.frames.length - 1; i >= 0; i--) if (b.frames[i]!.func !== "runtime.goexit") return b.frames[i]!;
  return null;
}
