// Buckets of similar goroutines: same wait class, same frames (function, file,
// line), same creator. Arguments (pointers that differ per goroutine) are ignored
// unless exact. This is what makes a 50,000-goroutine dump readable: "chan send in
// main.notifyAudit × 327".

import type { CreatedBy, GoFrame, Goroutine, GoroutineDump } from "../model.js";
import { originOf, type CodeOrigin, classifyGoroutine, type WaitClass, type CodeOrigins, CodeOriginsBuilder } from "../../core/go/index.js";

export interface BucketOptions {
  /** keep arguments in the key (panicparse's exact matching) */
  exact: boolean;
  /** frame interning shared by the dumps being compared, so bucket keys match across them */
  frameIds?: Map<string, number>;
  /** which packages are dependencies; by default what the dump's own frame files prove (dumpOrigins) */
  origins?: CodeOrigins;
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
  /** what the dump proved about packages: classify any of its functions with originOf(fn, b.codeOrigins) */
  codeOrigins: CodeOrigins;
  elided: number;
  createdBy: CreatedBy | null;
  members: Goroutine[];
}

/**
 * A trie over (frame ids, state, elided, creator id): goroutines that walk to the
 * same node share a classification and a bucket, so the class is computed and the
 * key string built once per distinct stack, not once per goroutine.
 */
interface StackNode {
  next: Map<number, StackNode> | null;
  byState: Map<string, StackNode> | null;
  bucket: Bucket | null;
}

const newNode = (): StackNode => ({ next: null, byState: null, bucket: null });

function child(n: StackNode, k: number): StackNode {
  if (n.next === null) n.next = new Map();
  let c = n.next.get(k);
  if (c === undefined) n.next.set(k, (c = newNode()));
  return c;
}

/** The packages a dump's frame files prove to be dependencies (its frames, creators and ancestors). */
export function dumpOrigins(d: GoroutineDump): CodeOrigins {
  return addDumpFrames(new CodeOriginsBuilder(), d).build();
}

/** Adds a dump's frames, creators and ancestors to what b learns from. */
export function addDumpFrames(b: CodeOriginsBuilder, d: GoroutineDump): CodeOriginsBuilder {
  const seen = new Set<GoFrame[]>(); // the debug=2 parser shares frames arrays among goroutines
  const addFrames = (fs: GoFrame[]) => {
    if (seen.has(fs)) return;
    seen.add(fs);
    for (const f of fs) b.add(f.func, f.file);
  };
  for (const g of d.goroutines) {
    addFrames(g.frames);
    if (g.createdBy) b.add(g.createdBy.func, g.createdBy.file);
    for (const a of g.ancestors) addFrames(a.frames);
  }
  return b;
}

/** Bucket a dump, largest bucket first (ties: lowest goroutine id, then key). */
export function bucketize(d: GoroutineDump, opts: BucketOptions = { exact: false }): Bucket[] {
  const codeOrigins = opts.origins ?? dumpOrigins(d);
  const byKey = new Map<string, Bucket>();
  // Frame keys repeat across goroutines: number them (func -> file -> line -> id)
  // so a stack is a short list of numbers, with no per-frame string building.
  const frameIds = opts.frameIds ?? new Map<string, number>();
  const byFunc = new Map<string, Map<string, Map<number, number>>>();
  const frameIdOf = (f: GoFrame): number => {
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
  // The debug=2 parser shares one GoFrame/CreatedBy object among the goroutines
  // that print the same frame: an identity lookup finds their number first.
  const idByFrame = new Map<GoFrame, number>();
  const creators = new Map<string, number>();
  const creatorIds = new Map<CreatedBy, number>();
  const creatorKeys: string[] = [];
  const creatorId = (cb: CreatedBy | null): number => {
    if (cb === null) return -1;
    let id = creatorIds.get(cb);
    if (id === undefined) {
      const k = `${cb.func}\u0000${cb.file}\u0000${cb.line}`;
      id = creators.get(k);
      if (id === undefined) {
        creators.set(k, (id = creatorKeys.length));
        creatorKeys.push(k);
      }
      creatorIds.set(cb, id);
    }
    return id;
  };
  const root = newNode();
  // The debug=2 parser also shares one frames array among goroutines with the same frames.
  const byFrames = new Map<GoFrame[], StackNode>();
  const originCache = new Map<string, CodeOrigin>();
  let prev: Goroutine | null = null;
  let prevBucket: Bucket | null = null;
  for (const g of d.goroutines) {
    // Dumps list similar goroutines together: the same objects as the previous
    // goroutine's mean the same bucket, without the lookups.
    if (prev !== null && g.frames === prev.frames && g.state === prev.state && g.elided === prev.elided && g.createdBy === prev.createdBy) {
      add(prevBucket!, g);
      prev = g;
      continue;
    }
    const fs = g.frames;
    let node = byFrames.get(fs);
    if (node === undefined) {
      node = root;
      for (let i = 0; i < fs.length; i++) {
        const f = fs[i]!;
        let id = idByFrame.get(f);
        if (id === undefined) idByFrame.set(f, (id = frameIdOf(f)));
        node = child(node, id);
      }
      byFrames.set(fs, node);
    }
    // After the frames: the state, then elided and creator at fixed depths.
    if (node.byState === null) node.byState = new Map();
    let sn = node.byState.get(g.state);
    if (sn === undefined) node.byState.set(g.state, (sn = newNode()));
    const cid = creatorId(g.createdBy);
    node = child(child(sn, g.elided), cid);
    let b = node.bucket;
    if (b === null) {
      const names = new Array<string>(Math.min(fs.length, 16));
      for (let i = 0; i < names.length; i++) names[i] = fs[i]!.func;
      const c = classifyGoroutine(g.state, names);
      let key: string = c.cls;
      for (let i = 0; i < fs.length; i++) key += "," + idByFrame.get(fs[i]!)!;
      if (g.elided !== 0) key += `|elided${g.elided}`;
      if (cid >= 0) key += `|${creatorKeys[cid]!}`;
      let found = byKey.get(key);
      if (found === undefined) {
        const origins = fs.map((f) => {
          let o = originCache.get(f.func);
          if (o === undefined) {
            o = originOf(f.func, codeOrigins);
            originCache.set(f.func, o);
          }
          return o;
        });
        found = {
          key,
          cls: c.cls,
          waitDepth: c.waitDepth,
          count: 0,
          states: {},
          ids: [],
          minWaitMinutes: g.waitMinutes,
          maxWaitMinutes: g.waitMinutes,
          lockedToThread: 0,
          frames: fs,
          origins,
          codeOrigins,
          elided: g.elided,
          createdBy: g.createdBy,
          members: [],
        };
        byKey.set(key, found);
      }
      b = node.bucket = found;
    }
    add(b, g);
    prev = g;
    prevBucket = b;
  }
  const out = [...byKey.values()];
  for (const b of out) b.ids.sort((x, y) => x - y);
  out.sort((a, b) => b.count - a.count || (a.ids[0] ?? 0) - (b.ids[0] ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

function add(b: Bucket, g: Goroutine): void {
  b.count += g.count;
  if (g.state !== "") b.states[g.state] = (b.states[g.state] ?? 0) + g.count;
  if (g.id !== 0) b.ids.push(g.id);
  if (g.waitMinutes < b.minWaitMinutes) b.minWaitMinutes = g.waitMinutes;
  if (g.waitMinutes > b.maxWaitMinutes) b.maxWaitMinutes = g.waitMinutes;
  if (g.lockedToThread) b.lockedToThread += g.count;
  b.members.push(g);
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
