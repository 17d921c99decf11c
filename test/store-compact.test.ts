// The store's maintenance keeps what a merge would give: retention drops old
// scrapes, downsampling sums old samples into buckets (the merged profile of a
// range covering whole buckets is unchanged: go tool pprof -top is the judge), and
// the hourly re-sort by target changes no answer. Real Go profiles from testdata.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeProfile, writeProfileGz } from "../src/core/codec/index.js";
import { normalizeProfile, type ProfileStore } from "../src/store/index.js";
import { DuckStore } from "../src/store/duckdb.js";
import { ROOT, pprofBinary, runPprof } from "./helpers/run.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-store-compact-"));
const C = join(ROOT, "testdata/corpus/forecastd");
const FILES = ["capture-go126-heavy/cpu.pb.gz", "curl-go126-light/profile.pb.gz"].map((f) => join(C, f));
const HOUR = 3600_000;
const now = Math.floor(Date.UTC(2026, 11, 6, 12) / HOUR) * HOUR;
let store: DuckStore;

afterAll(async () => {
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
});

beforeAll(async () => {
  pprofBinary();
  store = await DuckStore.open(join(tmp, "h.duckdb"));
  const profiles = FILES.map((f) => decodeProfile(gunzipSync(readFileSync(f)), f));
  // Three targets, every 15 s: 12 days ago (past retention), 2 days ago (to downsample), 3 hours ago (kept raw),
  // and across the hour that began 5 hours ago (half before it, half inside: hourly sums and edges).
  for (const start of [now - 12 * 24 * HOUR, now - 2 * 24 * HOUR, now - 3 * HOUR, now - 5 * HOUR - 5 * 60_000])
    for (let k = 0; k < 40; k++)
      await store.write({
        scrapes: ["a:1", "b:2", "c:3"].map((target, i) => ({ target, job: "j", labels: {}, timeMs: start + k * 15_000, type: "cpu" as const, rawBytes: 1, profile: normalizeProfile(profiles[(k + i) % 2]!) })),
        metrics: [],
        dumps: [],
        events: [],
      });
}, 120_000);

async function top(s: ProfileStore, target: string, fromMs: number, toMs: number, name: string): Promise<string> {
  const p = await s.mergedProfile({ target, type: "cpu", fromMs, toMs });
  expect(p, name).not.toBeNull();
  const f = join(tmp, `${name}.pb.gz`);
  writeFileSync(f, writeProfileGz(p!));
  const r = runPprof(["-top", "-nodecount=100000", f]);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe("retention, downsampling and the hourly sort", () => {
  it("keep the merged profiles of the kept ranges, and drop what is past retention", async () => {
    const old = [now - 2 * 24 * HOUR, now - 2 * 24 * HOUR + 10 * 60_000] as const; // two whole 5-minute buckets
    const recent = [now - 3 * HOUR, now - 2 * HOUR] as const;
    // A whole hour (summed into samples_hourly by compact) plus 3 minutes before it; and the edge alone.
    const span = [now - 5 * HOUR - 3 * 60_000, now - 4 * HOUR] as const;
    const edge = [now - 5 * HOUR - 3 * 60_000, now - 5 * HOUR + 2 * 60_000] as const;
    const before = {
      old: await top(store, "b:2", ...old, "old-before"),
      recent: await top(store, "c:3", ...recent, "recent-before"),
      span: await top(store, "a:1", ...span, "span-before"),
      edge: await top(store, "a:1", ...edge, "edge-before"),
    };
    expect(before.span).not.toBe(before.edge);
    const rowsBefore = Number((await store.rows("SELECT count(*) FROM samples WHERE ts < epoch_ms($1::BIGINT)", [BigInt(now - 24 * HOUR)]))[0]![0]);
    await store.compact(now, 7 * 24 * HOUR, 24 * HOUR, 5 * 60_000);
    expect(await top(store, "b:2", ...old, "old-after")).toBe(before.old);
    expect(await top(store, "c:3", ...recent, "recent-after")).toBe(before.recent);
    // The whole hours of a range now come from the hourly sums, the rest from the samples.
    const hourly = await store.rows("SELECT epoch_ms(ts), count(*) FROM samples_hourly WHERE target_id = (SELECT id FROM targets WHERE address = 'a:1') GROUP BY 1 ORDER BY 1");
    // The hours holding data: 2 days ago, the two around 5 hours ago, 3 hours ago (the 12 days old are past retention).
    expect(hourly.map((r) => Number(r[0]))).toEqual([now - 48 * HOUR, now - 6 * HOUR, now - 5 * HOUR, now - 3 * HOUR]);
    expect(await top(store, "a:1", ...span, "span-after")).toBe(before.span);
    expect(await top(store, "a:1", ...edge, "edge-after")).toBe(before.edge);
    expect(await store.mergedProfile({ target: "a:1", type: "cpu", fromMs: now - 13 * 24 * HOUR, toMs: now - 11 * 24 * HOUR })).toBeNull();
    // 40 scrapes at 15 s from a bucket boundary (0 .. 585 s) fill exactly two 5-minute buckets: far fewer rows.
    const rowsAfter = Number((await store.rows("SELECT count(*) FROM samples WHERE ts < epoch_ms($1::BIGINT)", [BigInt(now - 24 * HOUR)]))[0]![0]);
    expect(rowsAfter).toBeGreaterThan(0);
    expect(rowsAfter).toBeLessThan(rowsBefore / 5);
    const scrapes = await store.rows("SELECT resolution_ms, count(*) FROM scrapes WHERE target_id = (SELECT id FROM targets WHERE address = 'b:2') GROUP BY 1 ORDER BY 1");
    expect(scrapes.map((r) => r.map(Number))).toEqual([[0, 80], [300_000, 2]]);
    // Sorted: the kept hours now read target by target (by the targets' integer ids, whose min/max prune row groups).
    const order = (await store.rows("SELECT target_id FROM samples WHERE ts >= epoch_ms($1::BIGINT) AND ts < epoch_ms($2::BIGINT)", [BigInt(now - 3 * HOUR), BigInt(now - 2 * HOUR)])).map((r) => r[0] as number);
    expect(new Set(order).size).toBe(3);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    // A second run changes nothing.
    await store.compact(now, 7 * 24 * HOUR, 24 * HOUR, 5 * 60_000);
    expect(await top(store, "b:2", ...old, "old-again")).toBe(before.old);
  });
});
