// History queries (godiag query): the merged profile of a target over a range, its
// diff against a base range, and timelines, read from a watcher's data directory.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { combineSources } from "../core/transform/index.js";
import { InputError, ReportError } from "../core/input/index.js";
import type { Profile } from "../core/model/index.js";
import { openClickStore, openDuckStore, PROFILE_TYPES, type ProfileStore, type ProfileType, type SeriesPoint, type TopPoint } from "../store/index.js";

export { parseQueryTime, PROFILE_TYPES, type ProfileType } from "../store/index.js";

export interface QueryRange {
  target: string;
  type: ProfileType;
  fromMs: number;
  toMs: number;
}

/** Open a data directory's store for reading. DuckDB lets one process write, so a running watcher's directory is refused (with what to do). */
export async function openHistory(dataDir: string): Promise<ProfileStore> {
  const file = join(dataDir, "godiag.duckdb");
  if (!existsSync(file)) throw new InputError(dataDir, "no godiag history here (godiag watch --data DIR writes godiag.duckdb)");
  try {
    return await openDuckStore(file, { readOnly: true });
  } catch (e) {
    const msg = (e as Error).message;
    if (/lock/i.test(msg)) throw new InputError(file, "in use by a running godiag watch (DuckDB allows one writer): stop it, or copy the file and query the copy");
    throw new InputError(file, msg.split("\n")[0]!);
  }
}

/** The history watchers wrote into a ClickHouse database (storage.engine: clickhouse). */
export async function openClickHistory(url: string, database: string): Promise<ProfileStore> {
  try {
    return await openClickStore({ url, database });
  } catch (e) {
    throw new InputError(url, `ClickHouse: ${(e as Error).message.split("\n")[0]!}`);
  }
}

/** pprof's merge of the range's scrapes; with a base range, `pprof -diff_base base src` of the two merges. */
export async function queryProfile(store: ProfileStore, q: QueryRange, base?: { fromMs: number; toMs: number }): Promise<Profile> {
  const src = await store.mergedProfile(q);
  if (!src) throw new ReportError(`no ${q.type} profiles of ${q.target} between ${new Date(q.fromMs).toISOString()} and ${new Date(q.toMs).toISOString()}`);
  if (!base) return src;
  const b = await store.mergedProfile({ ...q, fromMs: base.fromMs, toMs: base.toMs });
  if (!b) throw new ReportError(`no ${q.type} profiles of ${q.target} in the base range ${new Date(base.fromMs).toISOString()} to ${new Date(base.toMs).toISOString()}`);
  return combineSources([src], [b], { diffBase: true, normalize: false, fakeMappings: true });
}

export interface Timeline {
  target: string;
  type: ProfileType;
  from: string;
  to: string;
  goroutines: Array<{ time: string; count: number }>;
  heapInuseBytes: Array<{ time: string; bytes: number }>;
  gcCpuFraction: Array<{ time: string; fraction: number }>;
  /** per bucket, the functions with the most flat value of the type's default sample type */
  topFunctions: Array<{ time: string; function: string; value: number }>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export async function queryTimeline(store: ProfileStore, q: QueryRange, opts: { bucketMs?: number; top?: number } = {}): Promise<Timeline> {
  const series = (name: string): Promise<SeriesPoint[]> => store.series(q.target, name, q.fromMs, q.toMs);
  // About 60 buckets over the range, at least one second each.
  const bucketMs = opts.bucketMs ?? Math.max(1000, Math.round((q.toMs - q.fromMs) / 60 / 1000) * 1000);
  const top: TopPoint[] = q.type === "goroutine" ? [] : await store.topFunctions(q, bucketMs, opts.top ?? 5);
  return {
    target: q.target,
    type: q.type,
    from: iso(q.fromMs),
    to: iso(q.toMs),
    goroutines: (await series("goroutines")).map((p) => ({ time: iso(p.timeMs), count: p.value })),
    heapInuseBytes: (await series("heap_inuse_bytes")).map((p) => ({ time: iso(p.timeMs), bytes: p.value })),
    gcCpuFraction: (await series("gc_cpu_fraction")).map((p) => ({ time: iso(p.timeMs), fraction: p.value })),
    topFunctions: top.map((p) => ({ time: iso(p.timeMs), function: p.function, value: p.value })),
  };
}

export function isProfileType(s: string): s is ProfileType {
  return (PROFILE_TYPES as readonly string[]).includes(s);
}
