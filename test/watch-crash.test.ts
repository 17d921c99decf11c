// kill -9 during ingestion, then a restart on the same data directory: every scrape
// the watcher logged as stored is still there, nothing is half-written (each
// scrape's samples, stacks and locations are all present or all absent), and the
// restarted watcher resumes. Then a range diff, checked against go tool pprof
// -diff_base over the very profiles the watcher scraped, asked both of the running
// watcher (DuckDB lets one process hold the file: godiag query asks it over HTTP)
// and of the stopped one's file.

import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckStore } from "../src/store/duckdb.js";
import { runningFile, storeFile } from "../src/api/watch.js";
import { buildWorkload, startLive, stopAll, type Live } from "./helpers/live.js";
import { pprofBinary, runCli, runPprof } from "./helpers/run.js";
import { startWatcher, waitFor } from "./helpers/watcher.js";
import { startServe } from "./helpers/serve-ui.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-watch-crash-"));
const data = join(tmp, "data");
const raw = join(tmp, "raw");
let a: Live, b: Live;
const addr = (l: Live): string => l.url.replace(/^http:\/\//, "");
const STORED = /stored (\S+)\/(\S+) (\w+) (\d+)$/;
const storedKeys = (lines: string[]): string[] => lines.flatMap((l) => (STORED.exec(l) ? [STORED.exec(l)!.slice(2).join(" ")] : []));

let beforeKill: string[] = [];
let afterRestart: string[] = [];
let restartExit: number | null = null;
/** the diff asked of the running watcher, and the query without its watcher.json */
let whileRunning: { diff: ReturnType<typeof runCli>; orphan: ReturnType<typeof runCli>; hadRunningFile: boolean; goneAfterStop?: boolean };
const DIFF_ARGS = ["-top", "-nodecount=100000", "-sample_index=inuse_space"];
const iso = (ms: number) => new Date(ms).toISOString();

/** a's heap scrapes stored (logged) and kept raw, in time order; the base is the first three, the source the last three. */
function heapRanges(logged: Set<string>): { base: Array<{ f: string; t: number }>; src: Array<{ f: string; t: number }> } {
  const dir = join(raw, "crash", addr(a).replace(":", "_"));
  const files = readdirSync(dir)
    .filter((f) => f.startsWith("heap-"))
    .map((f) => ({ f: join(dir, f), t: Number(/-(\d+)\.pb\.gz$/.exec(f)![1]) }))
    // A profile scraped when the watcher was killed is on disk but was never stored.
    .filter((x) => logged.has(`${addr(a)} heap ${x.t}`))
    .sort((x, y) => x.t - y.t);
  expect(files.length).toBeGreaterThanOrEqual(6);
  // heapgrowth's heap grows between them.
  return { base: files.slice(0, 3), src: files.slice(-3) };
}

function diffQuery(base: Array<{ t: number }>, src: Array<{ t: number }>, out: string): ReturnType<typeof runCli> {
  return runCli(["query", "--data", data, "--target", addr(a), "--type", "heap", "--from", iso(src[0]!.t), "--to", iso(src[2]!.t), "--base-from", iso(base[0]!.t), "--base-to", iso(base[2]!.t), "-o", out]);
}

/** go tool pprof -diff_base over the raw scrapes (pprof keeps only the last of several -diff_base flags: the base is merged first, by pprof). */
function peerDiff(base: Array<{ f: string }>, src: Array<{ f: string }>, name: string): string {
  const baseFile = join(tmp, `${name}-base.pb.gz`);
  expect(runPprof(["-proto", "-output", baseFile, ...base.map((x) => x.f)]).code).toBe(0);
  const peer = runPprof([...DIFF_ARGS, "-diff_base", baseFile, ...src.map((x) => x.f)]);
  expect(peer.code).toBe(0);
  return peer.stdout;
}
let rows: { scrapes: string[]; nullLabels: number; orphanSamples: number; emptyScrapes: number; missingStacks: number; missingLocations: number; missingFunctions: number };

beforeAll(async () => {
  pprofBinary();
  a = await startLive(buildWorkload("faults/heapgrowth"), ["-seconds", "120"]);
  b = await startLive(buildWorkload("faults/healthy"), ["-seconds", "120"]);
  const cfg = join(tmp, "godiag.yaml");
  writeFileSync(
    cfg,
    `global: {scrape_interval: 1s, scrape_timeout: 900ms}
scrape_configs:
  - job_name: crash
    static_configs: [{targets: ['${addr(a)}', '${addr(b)}']}]
    profiles: {cpu: 0s}
`,
  );
  const args = ["--config", cfg, "--data", data, "--listen", "127.0.0.1:0", "--log-stores", "--keep-raw", raw, "--no-diagnose"];
  const w1 = await startWatcher(args);
  await waitFor("a dozen stored scrapes", () => storedKeys(w1.lines).length >= 12 * 5, 40_000);
  await w1.kill9();
  beforeKill = storedKeys(w1.lines);
  const w2 = await startWatcher(args);
  await waitFor("scrapes after the restart", () => storedKeys(w2.lines).length >= 4 * 5, 40_000);
  {
    const { base, src } = heapRanges(new Set(beforeKill));
    const hadRunningFile = existsSync(runningFile(data));
    const diff = diffQuery(base, src, join(tmp, "diff-running.pb.gz"));
    // Without the watcher's note of its URL, the locked file is refused in one line.
    renameSync(runningFile(data), join(tmp, "watcher.json"));
    const orphan = runCli(["query", "--data", data, "--target", addr(a), "--type", "heap", "--from", "-1m"]);
    renameSync(join(tmp, "watcher.json"), runningFile(data));
    whileRunning = { diff, orphan, hadRunningFile };
  }
  restartExit = await w2.stop();
  whileRunning.goneAfterStop = !existsSync(runningFile(data));
  afterRestart = storedKeys(w2.lines);
  const s = await DuckStore.open(storeFile(data), { readOnly: true });
  try {
    const one = async (sql: string) => Number((await s.rows(sql))[0]![0]);
    rows = {
      scrapes: (await s.rows("SELECT t.address, profile, epoch_ms(ts) FROM scrapes JOIN targets t ON t.id = scrapes.target_id")).map((r) => r.join(" ")),
      nullLabels: await one("SELECT count(*) FROM samples WHERE labels IS NULL OR sample_type IS NULL OR target_id IS NULL"),
      orphanSamples: await one("SELECT count(*) FROM samples s WHERE NOT EXISTS (SELECT 1 FROM scrapes c WHERE c.target_id = s.target_id AND c.profile = s.profile AND c.ts = s.ts)"),
      emptyScrapes: await one("SELECT count(*) FROM scrapes c WHERE c.samples > 0 AND NOT EXISTS (SELECT 1 FROM samples s WHERE c.target_id = s.target_id AND c.profile = s.profile AND c.ts = s.ts)"),
      missingStacks: await one("SELECT count(*) FROM (SELECT DISTINCT stack_id FROM samples) s WHERE stack_id NOT IN (SELECT id FROM stacks)"),
      missingLocations: await one("SELECT count(*) FROM (SELECT DISTINCT UNNEST(location_ids) AS l FROM stacks) WHERE l NOT IN (SELECT id FROM locations)"),
      missingFunctions: await one("SELECT count(*) FROM (SELECT DISTINCT UNNEST(line_functions) AS f FROM locations) WHERE f <> 0 AND f NOT IN (SELECT id FROM functions)"),
    };
  } finally {
    await s.close();
  }
}, 180_000);

afterAll(async () => {
  await stopAll();
  if (process.env.GODIAG_KEEP_TEST_DIR) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
});

describe("kill -9 during ingestion and a restart", () => {
  it("keeps every scrape logged as stored before the kill, and those after the restart", () => {
    expect(beforeKill.length).toBeGreaterThanOrEqual(60);
    expect(restartExit).toBe(0);
    const have = new Set(rows.scrapes);
    expect(beforeKill.filter((k) => !have.has(k))).toEqual([]);
    expect(afterRestart.filter((k) => !have.has(k))).toEqual([]);
    // Beyond what was logged, at most the batch in flight at the kill was committed
    // (two targets, five profiles; the first allocs/block/mutex scrape is a baseline, not stored).
    const logged = new Set([...beforeKill, ...afterRestart]);
    expect(rows.scrapes.filter((k) => !logged.has(k)).length).toBeLessThanOrEqual(10);
  });

  it("left nothing half-written: no samples without their scrape, stack, location or function", () => {
    expect(rows).toMatchObject({ nullLabels: 0, orphanSamples: 0, emptyScrapes: 0, missingStacks: 0, missingLocations: 0, missingFunctions: 0 });
  });
});

describe("a diff of two ranges", () => {
  it("equals go tool pprof -diff_base of the raw scrapes of the two ranges", () => {
    const { base, src } = heapRanges(new Set([...beforeKill, ...afterRestart]));
    const ours = join(tmp, "diff.pb.gz");
    const q = diffQuery(base, src, ours);
    expect(q.stderr).toBe("");
    expect(q.code).toBe(0);
    const mine = runPprof([...DIFF_ARGS, ours]);
    expect(mine.stdout).toBe(peerDiff(base, src, "stopped"));
    expect(mine.stdout).toMatch(/main\.cacheResponse/);
  });

  it("is answered by the running watcher over HTTP while it holds the database, the same as pprof's", () => {
    expect(whileRunning.hadRunningFile).toBe(true);
    expect(whileRunning.diff.stderr).toBe("");
    expect(whileRunning.diff.code).toBe(0);
    const { base, src } = heapRanges(new Set(beforeKill));
    const mine = runPprof([...DIFF_ARGS, join(tmp, "diff-running.pb.gz")]);
    expect(mine.stdout).toBe(peerDiff(base, src, "running"));
    expect(mine.stdout).toMatch(/main\.cacheResponse/);
    expect(whileRunning.orphan.code).toBe(2);
    expect(whileRunning.orphan.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(whileRunning.orphan.stderr).toMatch(/in use by another process/);
    expect(whileRunning.goneAfterStop).toBe(true);
  });

  it("is served by godiag serve --store: the top view of the merged heap is pprof's top of the raw scrapes", async () => {
    const { src } = heapRanges(new Set([...beforeKill, ...afterRestart]));
    const srv = await startServe(["--store", data, "--target", addr(a), "--from", iso(src[0]!.t), "--to", iso(src[2]!.t)]);
    try {
      const meta = (await (await fetch(srv.url + "api/meta")).json()) as { profiles: Array<{ id: number; name: string }> };
      const names = meta.profiles.map((p) => p.name.replace(/^.*\//, ""));
      // cpu: 0s in this configuration; allocs, block and mutex are deltas (stored from the second scrape on).
      expect(names).toContain("heap.pb.gz");
      expect(names).toContain("goroutine.pb.gz");
      expect(names).not.toContain("cpu.pb.gz");
      const heap = meta.profiles[names.indexOf("heap.pb.gz")]!.id;
      const top = (await (await fetch(srv.url + `api/top?p=${heap}&si=inuse_space`)).json()) as { rows: Array<{ name: string; flat: string; flatPct: string; sumPct: string; cum: string; cumPct: string }> };
      const peer = runPprof(["-top", "-nodecount=100000", "-sample_index=inuse_space", ...src.map((x) => x.f)]);
      expect(peer.code).toBe(0);
      const peerRows = peer.stdout
        .split("\n")
        .filter((l) => /^\s*-?[\d.]+\w*\s+-?[\d.]+%/.test(l))
        .map((l) => l.trim().split(/\s+/));
      const n = Math.min(10, peerRows.length);
      expect(n).toBeGreaterThan(2);
      expect(top.rows.slice(0, n).map((r) => [r.flat, r.flatPct, r.sumPct, r.cum, r.cumPct, ...r.name.split(/\s+/)])).toEqual(peerRows.slice(0, n));
    } finally {
      await srv.stop();
    }
  });

  it("rejects a base range with nothing in it, in one line, exit 2", () => {
    const r = runCli(["query", "--data", data, "--target", addr(a), "--type", "heap", "--from", "-10m", "--base-from", "2001-01-01T00:00:00Z", "--base-to", "2001-01-02T00:00:00Z"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/no heap profiles .* in the base range/);
  });
});
