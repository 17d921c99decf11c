// The DuckDB store sums an hour into samples_hourly as soon as it is over; a scrape of
// that hour written later (late, or while the hour is being sorted and summed) adds its
// samples to the sums itself. Judge: go tool pprof's merge of the raw profiles of the
// hour, against the stored hour's merged profile read from the sums. Real Go profiles.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeProfile, writeProfileGz } from "../src/core/codec/index.js";
import { normalizeProfile } from "../src/store/index.js";
import { DuckStore } from "../src/store/duckdb.js";
import { ROOT, pprofBinary, runPprof } from "./helpers/run.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-store-late-"));
const C = join(ROOT, "testdata/corpus/forecastd");
const FILES = ["capture-go126-heavy/cpu.pb.gz", "curl-go126-light/profile.pb.gz"].map((f) => join(C, f));
const HOUR = 3600_000;
const now = Math.floor(Date.UTC(2026, 11, 6, 12) / HOUR) * HOUR;
const profiles = FILES.map((f) => decodeProfile(gunzipSync(readFileSync(f)), f));
let store: DuckStore;

afterAll(async () => {
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
});

beforeAll(async () => {
  pprofBinary();
  store = await DuckStore.open(join(tmp, "h.duckdb"));
}, 60_000);

/** One scrape of target a:1 at timeMs with profile k (0 or 1). */
const scrape = (timeMs: number, k: number) => store.write({ scrapes: [{ target: "a:1", job: "j", labels: {}, timeMs, type: "cpu", rawBytes: 1, profile: normalizeProfile(profiles[k]!) }], metrics: [], dumps: [], events: [] });

async function hourTop(h: number, name: string): Promise<string> {
  const p = await store.mergedProfile({ target: "a:1", type: "cpu", fromMs: h, toMs: h + HOUR - 1 });
  expect(p).not.toBeNull();
  const f = join(tmp, `${name}.pb.gz`);
  writeFileSync(f, writeProfileGz(p!));
  return runPprof(["-top", "-nodecount=100000", f]).stdout;
}

const pprofTop = (ks: number[]): string => runPprof(["-top", "-nodecount=100000", ...ks.map((k) => FILES[k]!)]).stdout;

describe("an hour summed as soon as it is over", () => {
  it("counts a scrape of it written after the sums, and one written while they are made", async () => {
    const h1 = now - 2 * HOUR;
    const h2 = now - HOUR;
    for (let i = 0; i < 6; i++) await scrape(h1 + i * 60_000, i % 2);
    for (let i = 0; i < 6; i++) await scrape(h2 + i * 60_000, i % 2);
    // At h2 + 2 min: h1 is over and summed; h2 is not.
    await store.compact(h2 + 120_000, 7 * 24 * HOUR, 24 * HOUR, 5 * 60_000);
    const summed = async (h: number) => Number((await store.rows("SELECT count(*) FROM samples_hourly WHERE ts = epoch_ms($1::BIGINT)", [BigInt(h)]))[0]![0]);
    expect(await summed(h1)).toBeGreaterThan(0);
    expect(await summed(h2)).toBe(0);
    // Late: a scrape of h1 (profile 1) after its sums.
    await scrape(h1 + 50 * 60_000, 1);
    expect(await hourTop(h1, "h1")).toBe(pprofTop([0, 1, 0, 1, 0, 1, 1]));
    // During: the maintenance that sums h2 runs while a scrape of h2 is written (either
    // order of the two is right; the write may land before or after the snapshot).
    await Promise.all([store.compact(now + 120_000, 7 * 24 * HOUR, 24 * HOUR, 5 * 60_000), scrape(h2 + 55 * 60_000, 0)]);
    expect(await summed(h2)).toBeGreaterThan(0);
    expect(await hourTop(h2, "h2")).toBe(pprofTop([0, 1, 0, 1, 0, 1, 0]));
    // The sums are read: the hour's samples alone would give the same answer, so check that
    // a query of the whole hour reads samples_hourly (the marked hours reach past h2).
    expect(Number((await store.rows("SELECT value FROM godiag_meta WHERE key = 'hourly_until'"))[0]![0])).toBe(now);
  });
});
