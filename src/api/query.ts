// History queries (godiag query): the merged profile of a target over a range, its
// diff against a base range, and timelines, read from a watcher's data directory.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError, ReportError } from "../core/input/index.js";
import type { Profile } from "../core/model/index.js";
// Not from watch/: its index loads the watcher (prom-client, zod), a query needs none of it.
import { openClickStore, openDuckStore, PROFILE_TYPES, RemoteStore, runningFile, type ProfileStore, type ProfileType, type SeriesPoint, type TopPoint } from "../store/index.js";

export { parseQueryTime, PROFILE_TYPES, type ProfileType } from "../store/index.js";

export interface QueryRange {
  target: string;
  type: ProfileType;
  fromMs: number;
  toMs: number;
}

/**
 * Open a data directory's store for reading. DuckDB lets one process hold the file, so
 * the history of a running watcher is asked of the watcher itself over its HTTP
 * endpoint (it writes its URL into DIR/watcher.json): the same answers, from its store.
 */
export async function openHistory(dataDir: string): Promise<ProfileStore> {
  const file = join(dataDir, "godiag.duckdb");
  if (!existsSync(file)) throw new InputError(dataDir, "no godiag history here (godiag watch --data DIR writes godiag.duckdb)");
  try {
    return await openDuckStore(file, { readOnly: true });
  } catch (e) {
    const msg = (e as Error).message;
    if (!/lock/i.test(msg)) throw new InputError(file, msg.split("\n")[0]!);
    const running = await runningWatcher(dataDir);
    if (running) return running;
    throw new InputError(file, "in use by another process, and no running godiag watch answers for it (DIR/watcher.json): stop that process, or copy the file and query the copy");
  }
}

async function runningWatcher(dataDir: string): Promise<ProfileStore | null> {
  let url: string, token: string;
  try {
    ({ url, token } = JSON.parse(readFileSync(runningFile(dataDir), "utf8")) as { url: string; token: string });
    if (typeof url !== "string" || typeof token !== "string") return null;
  } catch {
    return null;
  }
  try {
    const r = await fetch(`${url}/-/healthy`, { signal: AbortSignal.timeout(5000) });
    return r.ok ? new RemoteStore(url, token) : null;
  } catch {
    return null;
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
  // Loaded for a diff only: the transforms are code a plain range query does not run.
  const { combineSources } = await import("../core/transform/index.js");
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
