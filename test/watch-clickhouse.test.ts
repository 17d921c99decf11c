// godiag watch into a real ClickHouse server (Debian's clickhouse-server, started
// here in a temporary directory on a free port): two watchers, each its hashmod
// shard of two real Go services, both writing into one database. Oracle: go tool
// pprof's merge of the very profiles the watchers scraped (--keep-raw).

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { available } from "./helpers/available.js";
import { buildWorkload, startLive, stopAll, type Live } from "./helpers/live.js";
import { ROOT, pprofBinary, runCli, runPprof } from "./helpers/run.js";
import { startWatcher, waitFor, type RunningWatcher } from "./helpers/watcher.js";
import { parseWatchConfig } from "../src/api/watch.js";
import { InputError } from "../src/api/errors.js";
import { gunzipSync } from "node:zlib";
import { decodeProfile, writeProfileGz } from "../src/core/codec/index.js";
import { normalizeProfile } from "../src/store/index.js";
import { ClickStore } from "../src/store/clickhouse.js";

// Debian installs it in /usr/sbin, which a user's PATH may lack.
const SERVER = existsSync("/usr/sbin/clickhouse-server") ? "/usr/sbin/clickhouse-server" : "clickhouse-server";
const hasServer = available(SERVER !== "clickhouse-server" || spawnSync("which", ["clickhouse-server"]).status === 0, "clickhouse-server (Debian package clickhouse-server)");
const tmp = mkdtempSync(join(tmpdir(), "godiag-watch-ch-"));
const addr = (l: Live): string => l.url.replace(/^http:\/\//, "");
const DB = "godiag_test";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A server of our own: its data, tmp and logs under tmp, HTTP only, on 127.0.0.1. */
async function startClickHouse(): Promise<{ url: string; proc: ChildProcess }> {
  const dir = join(tmp, "ch");
  for (const d of ["data", "tmp", "log", "fmt"]) mkdirSync(join(dir, d), { recursive: true });
  const port = await freePort();
  const cfg = join(dir, "config.xml");
  writeFileSync(
    cfg,
    `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/s.log</log><errorlog>${dir}/log/e.log</errorlog></logger>
  <http_port>${port}</http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <format_schema_path>${dir}/fmt/</format_schema_path>
  <mark_cache_size>5368709</mark_cache_size>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <profiles><default></default></profiles>
  <quotas><default></default></quotas>
</yandex>
`,
  );
  const proc = spawn(SERVER, [`--config-file=${cfg}`], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    "clickhouse-server to answer",
    async () => {
      try {
        return (await fetch(`${url}/?query=SELECT%201`)).ok;
      } catch {
        return false;
      }
    },
    30_000,
  );
  return { url, proc };
}

let ch: { url: string; proc: ChildProcess } | undefined;
let a: Live, b: Live;
const watchers: RunningWatcher[] = [];

beforeAll(async () => {
  if (!hasServer) return;
  const [leakBin, healthyBin] = [buildWorkload("faults/leakserver"), buildWorkload("faults/healthy")];
  pprofBinary();
  [ch, a, b] = await Promise.all([startClickHouse(), startLive(leakBin, ["-seconds", "90"]), startLive(healthyBin, ["-seconds", "90"])]);
}, 300_000);

afterAll(async () => {
  for (const w of watchers) if (w.child.exitCode === null) await w.stop();
  await stopAll();
  if (ch) {
    ch.proc.kill("SIGTERM");
    await new Promise((r) => (ch!.proc.exitCode !== null ? r(null) : ch!.proc.once("exit", r)));
  }
  rmSync(tmp, { recursive: true, force: true });
});

function config(index: number): string {
  const f = join(tmp, `godiag-${index}.yaml`);
  writeFileSync(
    f,
    `global:
  scrape_interval: 2s
  scrape_timeout: 1500ms
shard: {total: 2, index: ${index}}
scrape_configs:
  - job_name: svc
    static_configs:
      - targets: ['${addr(a)}', '${addr(b)}']
    profiles: {cpu: 1s}
storage:
  engine: clickhouse
  clickhouse: {url: '${ch!.url}', database: ${DB}}
`,
  );
  return f;
}

const rawDir = (i: number) => join(tmp, `raw-${i}`);
const scraped = (i: number, target: string, type: string): string[] => {
  const dir = join(rawDir(i), "svc", target.replace(":", "_"));
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(`${type}-`)).map((f) => join(dir, f)) : [];
};
/** The lines of a that b lacks and of b that a lacks, short enough to read in a CI log's tail. */
const onlyIn = (a: string, b: string): string => {
  const [la, lb] = [a.split("\n"), b.split("\n")];
  const diff = (x: string[], y: string[]) => x.filter((l) => !y.includes(l)).slice(0, 8);
  return `only ours: ${JSON.stringify(diff(la, lb))}; only pprof's merge: ${JSON.stringify(diff(lb, la))}`;
};
/** Locations (address in its mapping -> inline lines) only in ours / only in the raw scrapes. */
const locationDiff = (ours: string, raws: string[]): string => {
  const locs = (f: string): Set<string> => {
    const p = decodeProfile(gunzipSync(readFileSync(f)), f);
    const out = new Set<string>();
    const L = p.locations;
    for (let i = 0; i < L.length; i++) {
      const lines: string[] = [];
      for (let k = L.lineStart[i]; k < L.lineStart[i + 1]; k++) lines.push(`${p.functions.name[p.lines.func[k]] !== undefined ? p.strings.get(p.functions.name[p.lines.func[k]]) : "?"}:${p.lines.line[k]}`);
      const start = L.mapping[i] >= 0 ? p.mappings[L.mapping[i]]!.start : 0n;
      out.add(`${(L.address[i] - start).toString(16)} ${lines.join("<")}`);
    }
    return out;
  };
  const mine = locs(ours);
  const raw = new Set(raws.flatMap((f) => [...locs(f)]));
  return `only ours ${JSON.stringify([...mine].filter((x) => !raw.has(x)).slice(0, 6))}, only raw ${JSON.stringify([...raw].filter((x) => !mine.has(x)).slice(0, 6))}`;
};
const allScraped = (target: string, type: string): string[] => [...scraped(0, target, type), ...scraped(1, target, type)];

describe("storage.engine: clickhouse in the configuration", () => {
  const job = ["scrape_configs:", "  - job_name: api", "    static_configs: [{targets: ['a:1']}]"];
  it("needs storage.clickhouse.url: refused naming the engine's line", () => {
    let err: unknown;
    try {
      parseWatchConfig([...job, "storage:", "  engine: clickhouse"].join("\n"), "godiag.yaml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).line).toBe(5);
    expect((err as InputError).message).toMatch(/^godiag\.yaml: storage\.engine: clickhouse needs storage\.clickhouse\.url/);
  });
  it("with a url, the database defaults to godiag", () => {
    const c = parseWatchConfig([...job, "storage:", "  engine: clickhouse", "  clickhouse: {url: 'http://ch:8123'}"].join("\n"), "godiag.yaml");
    expect(c.storage.clickhouse).toEqual({ url: "http://ch:8123", database: "godiag", username: "default", password: "" });
  });
});

describe.skipIf(!hasServer)("two sharded watchers into one ClickHouse database", () => {
  beforeAll(async () => {
    for (const i of [0, 1]) watchers.push(await startWatcher(["--config", config(i), "--data", join(tmp, `data-${i}`), "--listen", "127.0.0.1:0", "--keep-raw", rawDir(i), "--log-stores"]));
    // Three CPU scrapes of each service stored, whichever shard has it.
    const stored = (t: string) => watchers.flatMap((w) => w.lines).filter((l) => l.includes(` stored svc/${t} cpu `)).length;
    await waitFor("three stored CPU scrapes of each service", () => stored(addr(a)) >= 3 && stored(addr(b)) >= 3, 40_000);
    for (const w of watchers) expect(await w.stop()).toBe(0);
  }, 120_000);

  it("each service is scraped by exactly one of the two watchers (hashmod)", () => {
    for (const t of [addr(a), addr(b)]) {
      const by = [0, 1].filter((i) => scraped(i, t, "cpu").length > 0);
      expect(by, t).toHaveLength(1);
    }
  });

  it("lists both services from the one database", () => {
    // The timeline of one service and an unknown one: the database holds both watchers' targets.
    for (const t of [addr(a), addr(b)]) {
      const r = runCli(["query", "--clickhouse", ch!.url, "--database", DB, "--target", t, "--type", "goroutine", "--from", "-10m", "--json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { goroutines: unknown[] }).goroutines.length).toBeGreaterThanOrEqual(3);
    }
  });

  for (const type of ["cpu", "heap"] as const)
    it(`the merged ${type} profile of each service equals go tool pprof's merge of its raw scrapes`, () => {
      for (const t of [addr(a), addr(b)]) {
        const files = allScraped(t, type);
        expect(files.length).toBeGreaterThanOrEqual(3);
        // Every kept scrape was written (the watcher logs each stored one by its time): a
        // difference below would otherwise not say whether a scrape or a sum went wrong.
        const storedTimes = watchers.flatMap((w) => w.lines).flatMap((l) => (l.includes(` stored svc/${t} ${type} `) ? [l.trim().split(" ").at(-1)!] : []));
        const keptTimes = files.map((f) => /-(\d+)\.pb\.gz$/.exec(f)![1]!);
        expect(storedTimes.sort(), watchers.flatMap((w) => w.lines).filter((l) => /store|fail|error/i.test(l)).join("\n")).toEqual(keptTimes.sort());
        const ours = join(tmp, `q-${type}-${t.replace(":", "_")}.pb.gz`);
        const q = runCli(["query", "--clickhouse", ch!.url, "--database", DB, "--target", t, "--type", type, "--from", "-10m", "--to", "now", "-o", ours]);
        expect(q.stderr).toBe("");
        expect(q.code).toBe(0);
        const peer = join(tmp, `p-${type}-${t.replace(":", "_")}.pb.gz`);
        expect(runPprof(["-proto", "-output", peer, ...files]).code).toBe(0);
        for (const idx of type === "heap" ? ["inuse_space", "alloc_objects"] : [""]) {
          const args = ["-top", "-nodecount=100000", ...(idx ? [`-sample_index=${idx}`] : [])];
          const mine = runPprof([...args, ours]);
          const theirs = runPprof([...args, peer]);
          expect(mine.code).toBe(0);
          expect(mine.stdout).toMatch(/flat%/);
          // On a mismatch (seen once in ~40 local runs, cause unknown), say which locations differ.
          if (mine.stdout !== theirs.stdout) expect.fail(`${onlyIn(mine.stdout, theirs.stdout)}; locations: ${locationDiff(ours, files)}`);
        }
      }
    });

  it("an unreachable server is one line and exit 2", () => {
    const r = runCli(["query", "--clickhouse", "http://127.0.0.1:1", "--database", DB, "--target", addr(a), "--type", "cpu"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("http://127.0.0.1:1");
  });
});

// The hourly sums (samples_hourly): a range of whole hours plus minutes before them reads
// the hours from the sums and the minutes from the samples; the answer is go tool pprof's
// merge of the very profiles stored in the range, before and after the sums.
describe.skipIf(!hasServer)("ClickHouse hourly sums", () => {
  const HOUR = 3600_000;
  const now = Math.floor(Date.UTC(2026, 11, 6, 12) / HOUR) * HOUR;
  const C = join(ROOT, "testdata/corpus/forecastd");
  const FILES = ["capture-go126-heavy/cpu.pb.gz", "curl-go126-light/profile.pb.gz"].map((f) => join(C, f));
  const start = now - 5 * HOUR - 5 * 60_000;
  let store: ClickStore;

  beforeAll(async () => {
    store = await ClickStore.open({ url: ch!.url, database: "godiag_hourly" });
    const profiles = FILES.map((f) => normalizeProfile(decodeProfile(gunzipSync(readFileSync(f)), f)));
    // Two targets every 15 s across the hour that began 5 hours ago (5 minutes before it, 65 minutes in).
    for (let k = 0; k < 280; k += 20)
      await store.write({
        scrapes: Array.from({ length: 20 }, (_, j) => k + j).flatMap((i) => ["a:1", "b:2"].map((target, t) => ({ target, job: "j", labels: {}, timeMs: start + i * 15_000, type: "cpu" as const, rawBytes: 1, profile: profiles[(i + t) % 2]! }))),
        metrics: [],
        dumps: [],
        events: [],
      });
  }, 120_000);

  afterAll(async () => {
    await store?.close();
  });

  async function top(fromMs: number, toMs: number, name: string): Promise<string> {
    const p = await store.mergedProfile({ target: "a:1", type: "cpu", fromMs, toMs });
    expect(p, name).not.toBeNull();
    const f = join(tmp, `hourly-${name}.pb.gz`);
    writeFileSync(f, writeProfileGz(p!));
    const r = runPprof(["-top", "-nodecount=100000", f]);
    expect(r.code).toBe(0);
    return r.stdout;
  }

  /** pprof's merge of a:1's scrapes in [from, to]: scrape i holds FILES[i % 2]. */
  function peer(fromMs: number, toMs: number, name: string): string {
    const files: string[] = [];
    for (let i = 0; i < 280; i++) if (start + i * 15_000 >= fromMs && start + i * 15_000 <= toMs) files.push(FILES[i % 2]!);
    const merged = join(tmp, `hourly-peer-${name}.pb.gz`);
    expect(runPprof(["-proto", "-output", merged, ...files]).code).toBe(0);
    const r = runPprof(["-top", "-nodecount=100000", merged]);
    expect(r.code).toBe(0);
    return r.stdout;
  }

  it("answer whole hours from the sums and the edges from the samples, as pprof merges them", async () => {
    // The whole hour [now - 5 h, now - 4 h) plus the 3 minutes before it.
    const span = [now - 5 * HOUR - 3 * 60_000, now - 4 * HOUR] as const;
    const expected = peer(...span, "span");
    expect(await top(...span, "span-before")).toBe(expected);
    await store.compact(now, 7 * 24 * HOUR);
    const done = await store.rows("SELECT DISTINCT target, ts FROM hourly_done ORDER BY target, ts");
    // Both targets wrote into the hours that began 6, 5 and 4 hours ago: all complete, all summed.
    expect(done.map((r) => [r[0], Number(r[1])])).toEqual(["a:1", "b:2"].flatMap((t) => [6, 5, 4].map((h) => [t, now - h * HOUR])));
    const [[hourRows]] = await store.rows(`SELECT count() FROM samples_hourly WHERE target = 'a:1' AND ts = ${now - 5 * HOUR}`);
    const [[sampleRows]] = await store.rows(`SELECT count() FROM samples WHERE target = 'a:1' AND ts >= ${now - 5 * HOUR} AND ts < ${now - 4 * HOUR}`);
    // An hour of 240 scrapes of two profiles folds into far fewer rows (each distinct stack once).
    expect(Number(hourRows)).toBeGreaterThan(0);
    expect(Number(hourRows)).toBeLessThan(Number(sampleRows) / 50);
    expect(await top(...span, "span-after")).toBe(expected);
    // A range inside an hour (no whole hour) reads only samples; an hour's end at the range's end too.
    const inside = [now - 5 * HOUR + 60_000, now - 5 * HOUR + 10 * 60_000] as const;
    expect(await top(...inside, "inside")).toBe(peer(...inside, "inside"));
    const tail = [now - 5 * HOUR, now - 4 * HOUR + 5 * 60_000] as const;
    expect(await top(...tail, "tail")).toBe(peer(...tail, "tail"));
    // A second compaction sums nothing twice.
    await store.compact(now, 7 * 24 * HOUR);
    expect(await top(...span, "span-again")).toBe(expected);
  }, 120_000);
});
