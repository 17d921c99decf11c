// The goroutine analysis for bundles with no debug=2 dump: goroutine?debug=1 text and
// goroutine profiles (proto), as users fetch them with curl or `go tool pprof`. Two
// snapshots of one kind taken at different times are compared as dumps are (growth of a
// bucket; no ids, so no "same goroutine still there": goroutines.ts asks instead that
// the bucket was already in the first one and waits in user code outside any request);
// one snapshot says only what its counts prove (src/goroutines/analyze/counts.ts).

import {
  analyzeDiff,
  analyzeDump,
  parkedBeyondRequests,
  parseGoroutineData,
  profileToGoroutines,
  protoSymbols,
  restoreHiddenFrames,
  type DiffReport,
  type GoFrame,
  type GoroutineDump,
  type SingleReport,
} from "../../goroutines/index.js";
import type { BundleFile } from "../../bundle/index.js";
import type { DiagnoseContext } from "../context.js";

/** What the goroutine rule analyses: one snapshot or two, debug=2 dumps or count-only snapshots. */
export interface Analysis {
  files: BundleFile[];
  /**
   * goroutine?debug=1 text or goroutine profiles: counts per stack, no states, ids or
   * minutes (src/goroutines/analyze/counts.ts); the label says which, for evidence
   */
  countOnly?: string;
  single?: SingleReport;
  diff?: DiffReport;
  intervalSeconds: number | null;
  /** where the interval between the first and last dump came from (docs/BUNDLE.md) */
  intervalSource?: string;
  orderSource?: string;
  header: string[];
}

const LABEL: Record<string, string> = { goroutine: "goroutine profile", "goroutine-debug1": "goroutine?debug=1" };

export function countOnlyAnalysis(ctx: DiagnoseContext): Analysis | undefined {
  const protos = ctx.files("goroutine").filter((f) => f.profile !== undefined);
  const texts = ctx.files("goroutine-debug1");
  // A goroutine profile names the runtime frames a debug=1 text of the same binary hides.
  const symbols = new Map<number, GoFrame[]>();
  for (const f of protos) for (const [pc, fr] of protoSymbols(f.profile!)) symbols.set(pc, fr);
  const read = (f: BundleFile): GoroutineDump | undefined => {
    try {
      if (f.kind === "goroutine") return profileToGoroutines(f.profile!, f.path);
      return restoreHiddenFrames(parseGoroutineData(f.data, f.path, ctx.bundle.limits), symbols.size > 0 ? symbols : undefined);
    } catch {
      return undefined; // unreadable: the bundle reader has said so
    }
  };
  // Two of one kind at different times compare; the profile (every frame) first.
  for (const kind of ["goroutine", "goroutine-debug1"] as const) {
    const files = kind === "goroutine" ? protos : texts;
    if (files.length < 2) continue;
    const series = ctx.series(kind);
    const interval = series.interval && series.interval.seconds > 0 ? series.interval.seconds : null;
    // Equal times (fetched together, or nothing dates them) are one instant, not a diff.
    if (interval === null && series.order === undefined) continue;
    const first = read(files[0]!);
    const last = read(files[files.length - 1]!);
    if (!first || !last) continue;
    const diff = analyzeDiff(first, last, [files[0]!.path, files[files.length - 1]!.path], interval);
    // What one snapshot proves holds in the last one too.
    const seen = new Set(diff.suspects.map((s) => s.bucket.key));
    diff.suspects.push(...parkedBeyondRequests(diff.diff.after).filter((s) => !seen.has(s.bucket.key)));
    return {
      files: [files[0]!, files[files.length - 1]!],
      countOnly: LABEL[kind],
      diff,
      intervalSeconds: interval,
      intervalSource: series.interval ? `${series.interval.lowerBound ? "at least, " : ""}from ${series.interval.source}` : "unknown",
      orderSource: series.order ?? "given",
      header: [],
    };
  }
  // One of each, taken at different moments: with the runtime frames restored from the
  // profile, the debug=1 stacks are the profile's, and the two compare as one kind would.
  const mixed = mixedPair(protos, texts);
  if (mixed) {
    const [a, b, seconds, source] = mixed;
    const first = read(a);
    const last = read(b);
    if (first && last) {
      const diff = analyzeDiff(first, last, [a.path, b.path], seconds);
      const seen = new Set(diff.suspects.map((s) => s.bucket.key));
      diff.suspects.push(...parkedBeyondRequests(diff.diff.after).filter((s) => !seen.has(s.bucket.key)));
      return {
        files: [a, b],
        countOnly: "goroutine?debug=1 and goroutine profile",
        diff,
        intervalSeconds: seconds,
        intervalSource: `from ${source}`,
        orderSource: source,
        header: [],
      };
    }
  }
  const file = protos[protos.length - 1] ?? texts[texts.length - 1];
  if (!file) return undefined;
  const dump = read(file);
  if (!dump) return undefined;
  const single = analyzeDump(dump, file.path);
  const seen = new Set(single.suspects.map((s) => s.bucket.key));
  single.suspects.push(...parkedBeyondRequests(single.buckets).filter((s) => !seen.has(s.bucket.key)));
  return { files: [file], countOnly: LABEL[file.kind], single, intervalSeconds: null, header: [] };
}

/** Times that date a file on the wall clock (not a counter in a name, not the order of paths). */
const WALL = new Set(["manifest", "proto", "mtime", "name"]);
/** Closer than this, two snapshots are one instant (fetched together: a capture takes both). */
const MIN_GAP_MS = 1000;

/**
 * The newest goroutine profile and the newest debug=1 text, oldest first, when both are
 * dated and at least a second apart: [older, newer, seconds, the weaker time source].
 */
function mixedPair(protos: BundleFile[], texts: BundleFile[]): [BundleFile, BundleFile, number, string] | undefined {
  const p = protos[protos.length - 1];
  const t = texts[texts.length - 1];
  if (!p || !t || !WALL.has(p.timeSource) || !WALL.has(t.timeSource)) return undefined;
  const tp = Date.parse(p.time);
  const tt = Date.parse(t.time);
  if (!Number.isFinite(tp) || !Number.isFinite(tt) || Math.abs(tp - tt) < MIN_GAP_MS) return undefined;
  const source = [p.timeSource, t.timeSource].sort((x, y) => TRUST.indexOf(y) - TRUST.indexOf(x))[0]!;
  return tp < tt ? [p, t, (tt - tp) / 1000, source] : [t, p, (tp - tt) / 1000, source];
}

const TRUST = ["manifest", "proto", "content", "name", "mtime"];
