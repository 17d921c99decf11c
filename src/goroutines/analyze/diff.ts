// Two snapshots of the same process, a known time apart: which buckets grew.
// Buckets match by key (class, frames, creator). A goroutine id seen in the same
// bucket, in the same wait, in both snapshots has been stuck there for at least the
// interval, which is evidence the runtime's minute counter cannot give for short
// intervals. "The same wait" matters: a keep-alive connection's goroutine serves one
// request after another, and two requests parked at the same line are two waits.

import { type Goroutine, type GoroutineDump, goroutineTotal } from "../model.js";
import { bucketize, type Bucket, type BucketOptions } from "./buckets.js";

export interface DiffRow {
  key: string;
  /** the after-snapshot bucket, or the before one when the bucket disappeared */
  bucket: Bucket;
  before: number;
  after: number;
  delta: number;
  /** delta per minute of interval, null when the interval is unknown */
  perMinute: number | null;
  /** goroutines in this bucket in both snapshots, in the same wait (sameWait) */
  persisted: number;
}

export interface GoroutineDiff {
  rows: DiffRow[];
  totalBefore: number;
  totalAfter: number;
  intervalSeconds: number | null;
  before: Bucket[];
  after: Bucket[];
}

export function diffDumps(
  before: GoroutineDump,
  after: GoroutineDump,
  intervalSeconds: number | null,
  opts: { exact: boolean } = { exact: false },
): GoroutineDiff {
  const shared: BucketOptions = { exact: opts.exact, frameIds: new Map() };
  const bb = bucketize(before, shared);
  const ab = bucketize(after, shared);
  const beforeByKey = new Map(bb.map((b) => [b.key, b]));
  const rows: DiffRow[] = [];
  const minutes = intervalSeconds !== null && intervalSeconds > 0 ? intervalSeconds / 60 : null;
  const row = (bucket: Bucket, n0: number, n1: number, persisted: number): DiffRow => ({
    key: bucket.key,
    bucket,
    before: n0,
    after: n1,
    delta: n1 - n0,
    perMinute: minutes === null ? null : (n1 - n0) / minutes,
    persisted,
  });
  for (const a of ab) {
    const b = beforeByKey.get(a.key);
    let persisted = 0;
    if (b !== undefined && b.ids.length > 0) {
      const then = new Map(b.members.filter((g) => g.id !== 0).map((g) => [g.id, g]));
      for (const g of a.members) {
        const old = g.id !== 0 ? then.get(g.id) : undefined;
        if (old !== undefined && sameWait(old, g)) persisted++;
      }
    }
    rows.push(row(a, b?.count ?? 0, a.count, persisted));
    beforeByKey.delete(a.key);
  }
  for (const b of beforeByKey.values()) rows.push(row(b, b.count, 0, 0));
  rows.sort((x, y) => y.delta - x.delta || y.after - x.after || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return { rows, totalBefore: goroutineTotal(before), totalAfter: goroutineTotal(after), intervalSeconds, before: bb, after: ab };
}

/**
 * One goroutine (same id, same bucket) in the same wait in both snapshots: every
 * argument the runtime printed as exact (no trailing "?": a value left in a register
 * is printed with "?" and may be stale) is equal in every frame outside package
 * runtime. A goroutine serving a keep-alive connection and parked at the same line
 * for its next request shows another *http.Request and ResponseWriter there.
 * Runtime frames are left out: their arguments point into the goroutine's own stack
 * (selectgo's cases), which the runtime may move while the goroutine waits.
 */
export function sameWait(before: Goroutine, after: Goroutine): boolean {
  if (before.frames.length !== after.frames.length) return false;
  for (let i = 0; i < before.frames.length; i++) {
    const f0 = before.frames[i]!;
    const f1 = after.frames[i]!;
    if (f0.func.startsWith("runtime.") || f0.args === f1.args) continue;
    const a0 = f0.args.split(", ");
    const a1 = f1.args.split(", ");
    if (a0.length !== a1.length) return false;
    for (let j = 0; j < a0.length; j++) {
      const x = a0[j]!.replace(/[{}]/g, "");
      const y = a1[j]!.replace(/[{}]/g, "");
      if (x !== y && !x.endsWith("?") && !y.endsWith("?")) return false;
    }
  }
  return true;
}
