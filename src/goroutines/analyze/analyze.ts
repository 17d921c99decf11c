// One goroutine dump, or two snapshots, analysed end to end: buckets, class and
// wait histograms, leak suspects and long-blocked mutex waiters. Pure: the CLI
// reads, this computes, src/report/goroutines-*.ts render.

import { goroutineTotal, type GoroutineDump } from "../model.js";
import { bucketize, type Bucket } from "./buckets.js";
import { findDeadlocks, type DeadlockReport } from "./deadlock.js";
import { diffDumps, type GoroutineDiff } from "./diff.js";
import { classHistogram, waitHistogram, type ClassCount, type WaitBin } from "./histogram.js";
import { DEFAULT_SUSPECT_OPTIONS, findSuspects, type Suspect, type SuspectOptions } from "./suspects.js";

export interface AnalyzeOptions extends SuspectOptions {
  exact: boolean;
}

export const DEFAULT_ANALYZE_OPTIONS: AnalyzeOptions = { ...DEFAULT_SUSPECT_OPTIONS, exact: false };

export interface DumpInfo {
  source: string;
  format: string;
  total: number;
}

export interface SingleReport extends DumpInfo {
  claimedTotal: number | null;
  header: string[];
  warnings: string[];
  classes: ClassCount[];
  waits: WaitBin[];
  buckets: Bucket[];
  suspects: Suspect[];
  deadlock: DeadlockReport;
}

/**
 * How the two snapshots were put in order and how far apart they are, as the caller
 * established it (the CLI: bundle/order.ts evidence, --interval, or its own clock).
 */
export interface DiffTiming {
  /**
   * what proved that `before` is the older: "manifest" | "proto" | "content" | "name" |
   * "mtime" (see docs/BUNDLE.md), "clock" (taken live, in this order), or "given"
   * (nothing did: the order given)
   */
  order: string;
  orderDetail: string;
  /** the inputs were given newest first and were swapped */
  reordered: boolean;
  /**
   * where intervalSeconds came from: "manifest" | "proto" | "content" | "name" | "mtime",
   * "flag" (--interval), "clock" (taken live); null when the interval is unknown
   */
  intervalSource: string | null;
  /** intervalSeconds is a lower bound the dumps prove (goroutine waits): rates are upper bounds */
  intervalLowerBound: boolean;
  intervalDetail: string;
}

export interface DiffReport {
  before: DumpInfo;
  after: DumpInfo;
  timing?: DiffTiming;
  diff: GoroutineDiff;
  warnings: string[];
  classes: ClassCount[];
  suspects: Suspect[];
  deadlock: DeadlockReport;
}

export function analyzeDump(d: GoroutineDump, source: string, o: AnalyzeOptions = DEFAULT_ANALYZE_OPTIONS): SingleReport {
  const buckets = bucketize(d, { exact: o.exact });
  const total = goroutineTotal(d);
  const warnings = [...d.warnings];
  if (d.claimedTotal !== null && d.claimedTotal !== total) {
    warnings.push(`${source}: the dump claims ${d.claimedTotal} goroutines, its records account for ${total}`);
  }
  return {
    source,
    format: d.format,
    total,
    claimedTotal: d.claimedTotal,
    header: d.header,
    warnings,
    classes: classHistogram(d),
    waits: waitHistogram(d),
    buckets,
    suspects: findSuspects({ buckets }, o),
    deadlock: findDeadlocks(d, buckets, { minWaitMinutes: o.longWaitMinutes }),
  };
}

export function analyzeDiff(
  before: GoroutineDump,
  after: GoroutineDump,
  sources: [string, string],
  intervalSeconds: number | null,
  o: AnalyzeOptions = DEFAULT_ANALYZE_OPTIONS,
  timing?: DiffTiming,
): DiffReport {
  const diff = diffDumps(before, after, intervalSeconds, { exact: o.exact });
  const warnings = [...before.warnings, ...after.warnings];
  if (before.format !== after.format) warnings.push(`comparing a ${before.format} dump with a ${after.format} one`);
  return {
    before: { source: sources[0], format: before.format, total: diff.totalBefore },
    after: { source: sources[1], format: after.format, total: diff.totalAfter },
    ...(timing ? { timing } : {}),
    diff,
    warnings,
    classes: classHistogram(after),
    suspects: findSuspects({ diff }, o),
    deadlock: findDeadlocks(after, diff.after, { minWaitMinutes: o.longWaitMinutes, before, intervalSeconds }),
  };
}
