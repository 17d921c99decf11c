// Two snapshots of the same process, a known time apart: which buckets grew.
// Buckets match by key (class, frames, creator). A goroutine id seen in the same
// bucket in both snapshots has been stuck there for at least the interval, which
// is evidence the runtime's minute counter cannot give for short intervals.

import { type GoroutineDump, goroutineTotal } from "../model.js";
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
  /** goroutine ids in this bucket in both snapshots */
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
      const ids = new Set(b.ids);
      for (const id of a.ids) if (ids.has(id)) persisted++;
    }
    rows.push(row(a, b?.count ?? 0, a.count, persisted));
    beforeByKey.delete(a.key);
  }
  for (const b of beforeByKey.values()) rows.push(row(b, b.count, 0, 0));
  rows.sort((x, y) => y.delta - x.delta || y.after - x.after || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return { rows, totalBefore: goroutineTotal(before), totalAfter: goroutineTotal(after), intervalSeconds, before: bb, after: ab };
}
