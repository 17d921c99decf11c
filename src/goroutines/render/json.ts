// `godiag goroutines --json`: the schema is documented in docs/JSON.md
// ("goroutines"). Buckets are referred to by their 0-based index in `buckets`
// (the after snapshot's buckets for --diff).

import { type Bucket, bucketTitle } from "../analyze/buckets.js";
import type { DeadlockReport } from "../analyze/deadlock.js";
import type { Suspect } from "../analyze/suspects.js";
import type { GoFrame } from "../model.js";
import type { DiffReport, SingleReport } from "../analyze/analyze.js";

function frameJson(f: GoFrame, origin?: string) {
  return { func: f.func, args: f.args, file: f.file, line: f.line, offset: f.offset, ...(origin ? { origin } : {}) };
}

export function bucketJson(b: Bucket) {
  return {
    title: bucketTitle(b),
    count: b.count,
    class: b.cls,
    states: b.states,
    ids: b.ids,
    waitMinutes: { min: b.minWaitMinutes, max: b.maxWaitMinutes },
    lockedToThread: b.lockedToThread,
    frames: b.frames.map((f, i) => frameJson(f, b.origins[i])),
    elided: b.elided,
    createdBy: b.createdBy,
    waitDepth: b.waitDepth,
  };
}

function suspectJson(s: Suspect, index: Map<Bucket, number>) {
  return {
    kind: s.kind,
    title: s.title,
    bucket: index.get(s.bucket) ?? -1,
    class: s.cls,
    count: s.count,
    delta: s.delta,
    perMinute: s.perMinute,
    persisted: s.persisted,
    maxWaitMinutes: s.maxWaitMinutes,
    where: s.where ? frameJson(s.where) : null,
    reason: s.reason,
    advice: s.advice,
  };
}

function deadlockJson(d: DeadlockReport) {
  return {
    criterion: d.criterion,
    blocked: d.blocked,
    locks: d.locks.map((l) => ({
      lock: l.lock,
      count: l.count,
      buckets: l.buckets.map((e) => ({ ...e, caller: e.caller ? frameJson(e.caller) : null })),
    })),
    cycles: d.cycles.map((c) => ({ edges: c.edges.map((e) => ({ ...e, caller: e.caller ? frameJson(e.caller) : null })) })),
  };
}

export function renderSingleJson(r: SingleReport): string {
  const index = new Map(r.buckets.map((b, i) => [b, i]));
  return (
    JSON.stringify(
      {
        report: "goroutines",
        source: r.source,
        format: r.format,
        total: r.total,
        claimedTotal: r.claimedTotal,
        header: r.header,
        warnings: r.warnings,
        classes: r.classes.map((c) => ({ class: c.cls, count: c.count })),
        waitMinutes: r.waits,
        buckets: r.buckets.map(bucketJson),
        suspects: r.suspects.map((s) => suspectJson(s, index)),
        deadlock: deadlockJson(r.deadlock),
      },
      null,
      2,
    ) + "\n"
  );
}

export function renderDiffJson(r: DiffReport): string {
  const d = r.diff;
  const index = new Map(d.after.map((b, i) => [b, i]));
  return (
    JSON.stringify(
      {
        report: "goroutines-diff",
        before: r.before,
        after: r.after,
        intervalSeconds: d.intervalSeconds,
        ...(r.timing
          ? {
              intervalSource: r.timing.intervalSource,
              intervalLowerBound: r.timing.intervalLowerBound,
              intervalDetail: r.timing.intervalDetail,
              order: { source: r.timing.order, detail: r.timing.orderDetail, reordered: r.timing.reordered },
            }
          : {}),
        warnings: r.warnings,
        classes: r.classes.map((c) => ({ class: c.cls, count: c.count })),
        rows: d.rows.map((row) => ({
          bucket: index.get(row.bucket) ?? null,
          title: bucketTitle(row.bucket),
          class: row.bucket.cls,
          before: row.before,
          after: row.after,
          delta: row.delta,
          perMinute: row.perMinute,
          persisted: row.persisted,
          ...(index.has(row.bucket) ? {} : { gone: bucketJson(row.bucket) }),
        })),
        buckets: d.after.map(bucketJson),
        suspects: r.suspects.map((s) => suspectJson(s, index)),
        deadlock: deadlockJson(r.deadlock),
      },
      null,
      2,
    ) + "\n"
  );
}
