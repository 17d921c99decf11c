// The history of a running watcher, asked over its HTTP endpoint (watch/history-api.ts
// serves it): DuckDB lets one process open a database file for writing and no other
// process read it meanwhile, so `godiag query` on a running watcher's directory asks
// the watcher. Read-only: the watcher is the one writer.

import { join } from "node:path";
import type { Profile } from "../core/model/index.js";
import { readProfileData } from "../core/codec/index.js";
import { InputError } from "../core/input/index.js";
import type { Batch, ProfileStore, RangeQuery, SeriesPoint, StoreStats, TopPoint } from "./types.js";

/** Where a running watcher notes its URL in its data directory (removed when it stops; stale after a kill -9, when the database opens anyway). */
export const runningFile = (dataDir: string): string => join(dataDir, "watcher.json");

/** A merged profile is at most this big (the watcher's own caps bound what it stores). */
const MAX_PROFILE_BYTES = 512 << 20;

export class RemoteStore implements ProfileStore {
  constructor(
    /** the watcher's base URL (http://host:port) */
    readonly url: string,
    /** the token from DIR/watcher.json (its /api/history/ needs it) */
    private readonly token: string,
    private readonly timeoutMs = 120_000,
  ) {}

  private async get(path: string, params: Record<string, string | number>): Promise<Response> {
    const q = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
    const res = await fetch(`${this.url}/api/history/${path}?${q}`, { signal: AbortSignal.timeout(this.timeoutMs), headers: { authorization: `Bearer ${this.token}` } });
    if (res.status === 401) throw new InputError(this.url, "the watcher refused the token (a stale DIR/watcher.json? it is rewritten at each start)");
    if (res.status !== 200 && res.status !== 404) throw new Error(`${this.url}: HTTP ${res.status}: ${(await res.text()).trim()}`);
    return res;
  }

  private range(q: RangeQuery): Record<string, string | number> {
    return { target: q.target, type: q.type, from: q.fromMs, to: q.toMs };
  }

  async mergedProfile(q: RangeQuery): Promise<Profile | null> {
    const res = await this.get("profile", this.range(q));
    if (res.status === 404) return null;
    const body = new Uint8Array(await res.arrayBuffer());
    return readProfileData(body, `${this.url}/api/history/profile`, { maxInputBytes: MAX_PROFILE_BYTES, maxDecompressedBytes: MAX_PROFILE_BYTES * 4 });
  }

  async series(target: string, name: string, fromMs: number, toMs: number): Promise<SeriesPoint[]> {
    return (await (await this.get("series", { target, name, from: fromMs, to: toMs })).json()) as SeriesPoint[];
  }

  async topFunctions(q: RangeQuery, bucketMs: number, n: number): Promise<TopPoint[]> {
    return (await (await this.get("top", { ...this.range(q), bucket: bucketMs, n })).json()) as TopPoint[];
  }

  async targets(): Promise<string[]> {
    return (await (await this.get("targets", {})).json()) as string[];
  }

  write(_b: Batch): Promise<void> {
    return Promise.reject(new Error("a running watcher's history is read-only here"));
  }
  compact(): Promise<void> {
    return Promise.reject(new Error("a running watcher's history is read-only here"));
  }
  stats(): Promise<StoreStats> {
    return Promise.reject(new Error("stats of a running watcher: see its /metrics"));
  }
  async close(): Promise<void> {
    // nothing held: one HTTP request per call
  }
}
