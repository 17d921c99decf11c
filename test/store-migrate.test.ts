// A DuckDB file written before targets got integer ids (scrapes, samples, metrics and
// samples_hourly keyed by the address string) is converted when a watcher opens it, and
// answers as before: the merged profile's go tool pprof -top equals pprof's own merge of
// the raw profiles that were stored. A read-only open (godiag query) of such a file is
// refused in one line that says what to do. Real Go profiles from testdata.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeProfile, writeProfileGz } from "../src/core/codec/index.js";
import { normalizeProfile } from "../src/store/index.js";
import { DuckStore } from "../src/store/duckdb.js";
import { ROOT, pprofBinary, runCli, runPprof } from "./helpers/run.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-store-migrate-"));
const C = join(ROOT, "testdata/corpus/forecastd");
const FILES = ["capture-go126-heavy/cpu.pb.gz", "curl-go126-light/profile.pb.gz"].map((f) => join(C, f));
const HOUR = 3600_000;
const now = Math.floor(Date.UTC(2026, 11, 6, 12) / HOUR) * HOUR;
const data = join(tmp, "data");
const file = join(data, "godiag.duckdb");

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The address-keyed layout of the earlier release, made from a current file by SQL. */
async function toAddressKeys(): Promise<void> {
  const s = await DuckStore.open(file);
  for (const t of ["scrapes", "samples", "metrics", "samples_hourly"]) {
    const cols = (await s.rows(`SELECT column_name FROM information_schema.columns WHERE table_name = '${t}' ORDER BY ordinal_position`)).map((r) => r[0] as string);
    const sel = cols.map((c) => (c === "target_id" ? "k.address AS target" : `x.${c}`)).join(", ");
    await s.rows(`CREATE TABLE ${t}_old AS SELECT ${sel} FROM ${t} x JOIN targets k ON k.id = x.target_id ORDER BY x.ts`);
    await s.rows(`DROP TABLE ${t}`);
    await s.rows(`ALTER TABLE ${t}_old RENAME TO ${t}`);
  }
  await s.rows("DROP TABLE targets");
  await s.close();
}

beforeAll(async () => {
  pprofBinary();
  mkdirSync(data, { recursive: true });
  const s = await DuckStore.open(file);
  const profiles = FILES.map((f) => decodeProfile(gunzipSync(readFileSync(f)), f));
  // Two targets every 15 s over an hour boundary, so that compact sums the first hour.
  const start = now - 2 * HOUR - 5 * 60_000;
  for (let k = 0; k < 40; k++)
    await s.write({
      scrapes: ["10.0.0.17:6060", "10.0.0.18:6060"].map((target, i) => ({ target, job: "j", labels: {}, timeMs: start + k * 15_000, type: "cpu" as const, rawBytes: 1, profile: normalizeProfile(profiles[(k + i) % 2]!) })),
      metrics: [{ target: "10.0.0.18:6060", timeMs: start + k * 15_000, name: "goroutines", value: k }],
      dumps: [],
      events: [],
    });
  await s.compact(now, 7 * 24 * HOUR, 24 * HOUR, 5 * 60_000);
  await s.close();
  await toAddressKeys();
}, 120_000);

describe("an address-keyed DuckDB file", () => {
  it("is refused by a read-only open in one line, and converted by a watcher's open with the same answers", async () => {
    const q = runCli(["query", "--data", data, "--target", "10.0.0.18:6060", "--type", "cpu", "--from", new Date(now - 3 * HOUR).toISOString(), "--to", new Date(now).toISOString()]);
    expect(q.code).toBe(2);
    expect(q.stderr.trim().split("\n")).toHaveLength(1);
    expect(q.stderr).toMatch(/earlier godiag.*start godiag watch/);

    const s = await DuckStore.open(file);
    try {
      expect(await s.targets()).toEqual(["10.0.0.17:6060", "10.0.0.18:6060"]);
      const cols = (await s.rows("SELECT table_name, column_name FROM information_schema.columns WHERE column_name LIKE 'target%' ORDER BY 1, 2")).map((r) => r.join("."));
      expect(cols).toEqual(["dumps.target", "events.target", "metrics.target_id", "samples.target_id", "samples_hourly.target_id", "scrapes.target_id"]);
      // 10.0.0.18 got profiles 1, 0, 1, 0, ... (k + 1) % 2: 20 of each over the 40 scrapes, one hour of them summed.
      const p = await s.mergedProfile({ target: "10.0.0.18:6060", type: "cpu", fromMs: now - 3 * HOUR, toMs: now });
      expect(p).not.toBeNull();
      const merged = join(tmp, "merged.pb.gz");
      writeFileSync(merged, writeProfileGz(p!));
      const ours = runPprof(["-top", "-nodecount=100000", merged]);
      const theirs = runPprof(["-top", "-nodecount=100000", ...Array.from({ length: 40 }, (_, k) => FILES[(k + 1) % 2]!)]);
      expect(theirs.code).toBe(0);
      expect(ours.stdout).toBe(theirs.stdout);
      expect((await s.series("10.0.0.18:6060", "goroutines", now - 3 * HOUR, now)).map((x) => x.value)).toEqual(Array.from({ length: 40 }, (_, k) => k));
      // Written after the conversion: a new target gets the next id.
      await s.write({ scrapes: [], metrics: [{ target: "10.0.0.19:6060", timeMs: now, name: "up", value: 1 }], dumps: [], events: [] });
      expect((await s.rows("SELECT id, address FROM targets ORDER BY id")).map((r) => r.join(" "))).toEqual(["1 10.0.0.17:6060", "2 10.0.0.18:6060", "3 10.0.0.19:6060"]);
    } finally {
      await s.close();
    }
  });
});
