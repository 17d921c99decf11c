#!/usr/bin/env node
// godiag watch at scale (BENCH_ONLY=watch npm run bench): a Go fleet process
// (bench/fleet) serving BENCH_WATCH_TARGETS (200) ports with real, per-port varied
// profiles, scraped every 15 s (10 s CPU profile, heap, allocs, block, mutex,
// goroutine, /debug/vars) for BENCH_WATCH_SECONDS (180) by the built CLI, with
// diagnosis on. Measured: the watcher's CPU and RSS (from /proc), scrape jitter
// (from the stored scrape times), skipped scrapes and errors (its /metrics), bytes
// stored per profile (DuckDB file after a checkpoint, against the bytes the targets
// sent), and 24 h range queries over generated history: the run's real scrapes
// repeated back over 24 h for BENCH_WATCH_HISTORY_TARGETS (20) targets, and the last
// BENCH_WATCH_LIVE_HOURS (1) hours of every target not yet summed, as on a live watcher.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out");
const CLI = join(ROOT, "dist/godiag.mjs");
const N = Number(process.env.BENCH_WATCH_TARGETS ?? 200);
const SECONDS = Number(process.env.BENCH_WATCH_SECONDS ?? 180);
const HISTORY_TARGETS = Number(process.env.BENCH_WATCH_HISTORY_TARGETS ?? 20);
const LIVE_HOURS = Number(process.env.BENCH_WATCH_LIVE_HOURS ?? 1);
const QUERY_RUNS = Number(process.env.BENCH_WATCH_QUERY_RUNS ?? 5);
const INTERVAL = 15_000;
mkdirSync(OUT, { recursive: true });

const fleetBin = join(OUT, "fleet");
console.error("building bench/fleet ...");
execFileSync("go", ["build", "-o", fleetBin, "."], { cwd: join(ROOT, "bench/fleet"), stdio: "inherit" });

const data = join(OUT, "watch-data");
rmSync(data, { recursive: true, force: true });
const targetsFile = join(OUT, "fleet-targets.json");
rmSync(targetsFile, { force: true });

function started(child, re, what, timeoutS = 60) {
  return new Promise((res, rej) => {
    let buf = "";
    const t = setTimeout(() => rej(new Error(`${what}: not done in ${timeoutS} s: ${buf}`)), timeoutS * 1000);
    const on = (d) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) {
        clearTimeout(t);
        res(m[1]);
      }
    };
    child.stdout?.on("data", on);
    child.stderr?.on("data", on);
    child.once("exit", (c) => rej(new Error(`${what} exited ${c}: ${buf}`)));
  });
}

const fleet = spawn(fleetBin, ["-ports", String(N), "-targets", targetsFile], { stdio: ["ignore", "pipe", "inherit"] });
await started(fleet, /listening on (\S+)/, "fleet");
// The fleet's CPU profiler needs one slice before the first CPU profile exists.
await new Promise((r) => setTimeout(r, 11_000));

const cfg = join(OUT, "watch-bench.yaml");
writeFileSync(
  cfg,
  `global:
  scrape_interval: 15s
  scrape_timeout: 14s
  max_concurrent_scrapes: ${N + 16}
scrape_configs:
  - job_name: fleet
    file_sd_configs: [{files: ['${targetsFile}']}]
    profiles: {cpu: 10s}
alerting:
  window: 1m
`,
);

// BENCH_WATCH_NODE_ARGS: extra Node flags for the watcher (e.g. --cpu-prof --cpu-prof-dir=bench/out/prof).
const nodeArgs = (process.env.BENCH_WATCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
const watcher = spawn(process.execPath, [...nodeArgs, CLI, "watch", "--config", cfg, "--data", data, "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "pipe"] });
const logLines = [];
watcher.stderr.on("data", (d) => logLines.push(...d.toString().split("\n").filter(Boolean)));
const url = await started(watcher, /metrics on (http:\/\/\S+)\/metrics/, "watcher");
const pid = watcher.pid;
const HZ = 100;
const cpuTicks = () => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(f[11]) + Number(f[12]);
};
const status = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) * 1024;
const t0 = Date.now();
const c0 = cpuTicks();
// Steady state: after the first two intervals (start-up, first CPU profiles).
await new Promise((r) => setTimeout(r, 30_000));
const tSteady = Date.now();
const cSteady = cpuTicks();
let rssMax = 0;
const queuePeak = { scrapes: 0, bytes: 0, storeMem: 0 };
const rssSamples = [];
while (Date.now() - t0 < SECONDS * 1000) {
  await new Promise((r) => setTimeout(r, 5000));
  const rss = status("VmRSS");
  rssSamples.push(rss);
  // The store queue's peaks (which bound made scrapes skip: scrapes or bytes).
  const mt = await fetch(`${url}/metrics`).then((r) => r.text()).catch(() => "");
  const g = (name) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(mt)?.[1] ?? 0);
  queuePeak.scrapes = Math.max(queuePeak.scrapes, g("godiag_store_queue_scrapes"));
  queuePeak.bytes = Math.max(queuePeak.bytes, g("godiag_store_queue_bytes"));
  queuePeak.storeMem = Math.max(queuePeak.storeMem, g("godiag_store_memory_bytes"));
  rssMax = Math.max(rssMax, rss);
}
const cEnd = cpuTicks();
const tEnd = Date.now();
const metrics = await (await fetch(`${url}/metrics`)).text();
const hwm = status("VmHWM");
watcher.kill("SIGTERM");
await new Promise((r) => watcher.once("exit", r));
fleet.kill("SIGTERM");

const sum = (name, filter = "") =>
  metrics
    .split("\n")
    .filter((l) => l.startsWith(name) && l.includes(filter))
    .reduce((a, l) => a + Number(l.split(" ").pop()), 0);
const upCount = metrics.split("\n").filter((l) => l.startsWith("godiag_target_up{") && l.endsWith(" 1")).length;
// Where the memory is: V8's heap and Node's external buffers at the end (the rest of RSS is native: DuckDB, code).
const mb = (name) => (sum(name) / 2 ** 20).toFixed(0);
const memLine = `watcher memory at the end: RSS ${mb("godiag_watcher_process_resident_memory_bytes")} MB, V8 heap used ${mb("godiag_watcher_nodejs_heap_size_used_bytes")} MB of ${mb("godiag_watcher_nodejs_heap_size_total_bytes")} MB, external ${mb("godiag_watcher_nodejs_external_memory_bytes")} MB; store writes ${sum("godiag_store_write_seconds_count")} taking ${sum("godiag_store_write_seconds_sum").toFixed(1)} s; store queue peak (sampled every 5 s) ${queuePeak.scrapes} scrapes, ${(queuePeak.bytes / 2 ** 20).toFixed(0)} MB; DuckDB memory (duckdb_memory()) peak ${(queuePeak.storeMem / 2 ** 20).toFixed(0)} MB, at the end ${mb("godiag_store_memory_bytes")} MB`;
console.error(memLine);

const instance = await DuckDBInstance.create(join(data, "godiag.duckdb"));
const db = await instance.connect();
const rows = async (sql) => (await db.runAndReadAll(sql)).getRowsJS();
await db.run("CHECKPOINT");
const dbBytes = statSync(join(data, "godiag.duckdb")).size;
const [[scrapes, rawBytes]] = await rows("SELECT count(*), sum(raw_bytes) FROM scrapes");
const [[samples]] = await rows("SELECT count(*) FROM samples");
const [[stacks]] = await rows("SELECT count(*) FROM stacks");
// Jitter: the spacing of each target's CPU scrapes against the 15 s interval.
const gaps = (await rows("SELECT epoch_ms(ts) - epoch_ms(lag(ts) OVER (PARTITION BY target_id ORDER BY ts)) AS gap FROM scrapes WHERE profile = 'cpu' QUALIFY gap IS NOT NULL")).map((r) => Number(r[0]))
  // Off-schedule time: the distance to the nearest whole number of intervals (a skipped scrape is counted apart).
  .map((g) => Math.abs(g - Math.max(1, Math.round(g / INTERVAL)) * INTERVAL))
  .sort((a, b) => a - b);
const q = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))] ?? NaN;

if (HISTORY_TARGETS === 0) {
  // A run without the history and queries (profiling the watcher).
  const [[samplesRun]] = await rows("SELECT count(*) FROM samples");
  const skippedBy = {};
  for (const l of metrics.split("\n").filter((x) => x.startsWith("godiag_scrapes_skipped_total{"))) skippedBy[/reason="([^"]+)"/.exec(l)[1]] = Number(l.split(" ").pop());
  console.log(JSON.stringify({ up: upCount, skippedBy, started: sum("godiag_scrapes_total"), skipped: sum("godiag_scrapes_skipped_total"), errors: sum("godiag_scrape_errors_total"), cpuSteady: (cEnd - cSteady) / HZ / ((tEnd - tSteady) / 1000), rssMaxMB: rssMax / 2 ** 20, profiles: Number(scrapes), sampleRows: Number(samplesRun), jitterP50: q(0.5), jitterP99: q(0.99), load: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ") }));
  process.exit(0);
}
// 24 h of history for HISTORY_TARGETS targets: the run's scrapes repeated back in time.
const [[spanMs]] = await rows("SELECT (epoch_ms(max(ts)) - epoch_ms(min(ts)) + 15000)::BIGINT FROM scrapes");
const copies = Math.ceil((24 * 3600_000) / Number(spanMs));
// The targets with the most CPU scrapes (on a starved machine some have none).
const histRows = await rows(`SELECT t.id, t.address FROM scrapes s JOIN targets t ON t.id = s.target_id WHERE profile = 'cpu' GROUP BY 1, 2 ORDER BY count(*) DESC, 2 LIMIT ${HISTORY_TARGETS}`);
const hist = histRows.map((r) => r[1]);
const inList = histRows.map((r) => r[0]).join(",");
const g0 = Date.now();
for (const t of ["samples", "scrapes", "metrics"]) {
  const cols = (await rows(`SELECT column_name FROM information_schema.columns WHERE table_name = '${t}' ORDER BY ordinal_position`)).map((r) => r[0]);
  const sel = cols.map((c) => (c === "ts" ? `ts - to_milliseconds(k * ${spanMs}) AS ts` : c)).join(", ");
  // As they would have arrived; the watcher's maintenance sorts each hour and sums it (below).
  await db.run(`INSERT INTO ${t} SELECT ${sel} FROM ${t}, range(1, ${copies}) r(k) WHERE target_id IN (${inList})`);
}
// The hours of the run were sorted and summed by nobody yet: the maintenance starts over from the oldest.
await db.run("DELETE FROM godiag_meta");
await db.run("CHECKPOINT");
const genSeconds = (Date.now() - g0) / 1000;
const [[histSamples]] = await rows("SELECT count(*) FROM samples");
const [[histScrapesOne]] = await rows(`SELECT count(*) FROM scrapes WHERE target_id = ${histRows[0][0]} AND profile = 'cpu'`);
const [[histProfiles]] = await rows("SELECT count(*) FROM scrapes");
db.closeSync();
instance.closeSync();
// The watcher's own maintenance over the day (as at its start-up and hourly): retention,
// downsampling past 24 h, each complete hour sorted and summed into samples_hourly.
const emptyTargets = join(OUT, "no-targets.json");
writeFileSync(emptyTargets, "[]");
const maintCfg = join(OUT, "watch-maint.yaml");
writeFileSync(maintCfg, readFileSync(cfg, "utf8").replace(targetsFile, emptyTargets));
const m0 = Date.now();
const maint = spawn(process.execPath, [CLI, "watch", "--config", maintCfg, "--data", data, "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "pipe"] });
const maintSecs = await started(maint, /store: maintenance done in (\S+) s/, "maintenance", 1800);
maint.kill("SIGTERM");
await new Promise((r) => maint.once("exit", r));
const maintWallSeconds = (Date.now() - m0) / 1000;
const histBytes = statSync(join(data, "godiag.duckdb")).size;
const histPerProfile = histBytes / Number(histProfiles);

// A live watcher sums an hour an hour after it ends: its last 1-2 hours of every target
// are in samples only, interleaved as they arrived. The other targets' run repeated back
// over the last LIVE_HOURS, copy by copy, oldest first (arrival order), after the day's sums.
const live = { hours: LIVE_HOURS, sampleRows: 0, seconds: 0 };
if (LIVE_HOURS > 0) {
  const l0 = Date.now();
  const li = await DuckDBInstance.create(join(data, "godiag.duckdb"));
  const ldb = await li.connect();
  const liveCopies = Math.ceil((LIVE_HOURS * 3600_000) / Number(spanMs)) - 1;
  const cols = {};
  for (const t of ["samples", "scrapes", "metrics"])
    cols[t] = (await (await ldb.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_name = '${t}' ORDER BY ordinal_position`)).getRowsJS()).map((r) => r[0]);
  for (let k = liveCopies; k >= 1; k--)
    for (const t of ["samples", "scrapes", "metrics"]) {
      const sel = cols[t].map((c) => (c === "ts" ? `ts - to_milliseconds(${k * Number(spanMs)}) AS ts` : c)).join(", ");
      await ldb.run(`INSERT INTO ${t} SELECT ${sel} FROM ${t} WHERE target_id NOT IN (${inList}) AND ts >= (SELECT max(ts) - to_milliseconds(${Number(spanMs)}) FROM scrapes)`);
    }
  // The watcher's maintenance just summed every hour that is over (the store sums an hour as
  // soon as it ends): mark the live hours unsummed again, as just before the next maintenance.
  await ldb.run(`UPDATE godiag_meta SET value = ${Math.floor((Date.now() - LIVE_HOURS * 3600_000) / 3600_000) * 3600_000} WHERE key = 'hourly_until'`);
  await ldb.run("CHECKPOINT");
  live.sampleRows = Number((await (await ldb.runAndReadAll(`SELECT count(*) FROM samples WHERE target_id NOT IN (${inList})`)).getRowsJS())[0][0]);
  ldb.closeSync();
  li.closeSync();
  live.seconds = (Date.now() - l0) / 1000;
}

function timeQuery(args) {
  const times = [];
  let out = "";
  for (let i = 0; i < QUERY_RUNS; i++) {
    const s = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [CLI, "query", "--data", data, "--target", hist[0], ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
    times.push(Number(process.hrtime.bigint() - s) / 1e6);
    if (r.status !== 0) throw new Error(`query ${args.join(" ")}: ${r.stderr}`);
    out = r.stdout;
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], min: times[0], out };
}
// The command's fixed cost (Node start-up, DuckDB open): the same command over an empty range.
const loadBefore = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const qEmpty = timeQuery(["--type", "goroutine", "--from", "-1s", "--to", "now", "--json"]);
const qCpu = timeQuery(["--type", "cpu", "--from", "-25h", "--to", "now", "-o", join(OUT, "watch-24h-cpu.pb.gz")]);
const qHeap = timeQuery(["--type", "heap", "--from", "-25h", "--to", "now", "-o", join(OUT, "watch-24h-heap.pb.gz")]);
const qGor = timeQuery(["--type", "goroutine", "--from", "-25h", "--to", "now", "--json"]);
const qTl = timeQuery(["--type", "cpu", "--from", "-25h", "--to", "now", "--json"]);

const steadyCpu = (cEnd - cSteady) / HZ / ((tEnd - tSteady) / 1000);
const results = {
  date: new Date().toISOString(),
  targets: N,
  seconds: SECONDS,
  watcher: { cpuCoresSteady: steadyCpu, cpuCoresAll: (cEnd - c0) / HZ / ((tEnd - t0) / 1000), rssMaxMB: rssMax / 2 ** 20, hwmMB: hwm / 2 ** 20 },
  scrapes: { up: upCount, started: sum("godiag_scrapes_total"), skipped: sum("godiag_scrapes_skipped_total"), errors: sum("godiag_scrape_errors_total"), storeErrors: sum("godiag_store_errors_total") },
  jitterMs: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: gaps.at(-1) },
  storage: { profiles: Number(scrapes), sampleRows: Number(samples), stacks: Number(stacks), dbBytes, bytesPerProfile: dbBytes / Number(scrapes), rawBytesPerProfile: Number(rawBytes) / Number(scrapes) },
  history: { profiles: Number(histProfiles), bytesPerProfile: 0, targets: hist.length, copies, sampleRows: Number(histSamples), cpuScrapesPerTarget: Number(histScrapesOne), dbBytes: histBytes, generateSeconds: genSeconds, maintenanceSeconds: Number(maintSecs), maintenanceWallSeconds: maintWallSeconds },
  live,
  query24h: { runs: QUERY_RUNS, load: `${loadBefore} -> ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`, startupMs: qEmpty.ms, cpuMs: qCpu.ms, cpuMinMs: qCpu.min, heapMs: qHeap.ms, heapMinMs: qHeap.min, goroutineJsonMs: qGor.ms, cpuTimelineJsonMs: qTl.ms },
};
results.history.bytesPerProfile = histPerProfile;
writeFileSync(join(OUT, "watch.json"), JSON.stringify(results, null, 2));
const f1 = (x) => x.toFixed(1);
console.log(`| measure | value |
|---|---|
| targets, interval, run | ${N}, 15 s (10 s CPU + heap, allocs, block, mutex, goroutine, vars), ${SECONDS} s |
| targets up at the end | ${upCount} / ${N} |
| scrapes started / skipped / profile errors / store errors | ${results.scrapes.started} / ${results.scrapes.skipped} / ${results.scrapes.errors} / ${results.scrapes.storeErrors} |
| watcher CPU, steady state | ${f1(steadyCpu * 100)} % of one core |
| watcher RSS, max sampled / VmHWM | ${f1(results.watcher.rssMaxMB)} MB / ${f1(results.watcher.hwmMB)} MB |
| scrape jitter (distance of each CPU scrape from its 15 s grid) p50 / p90 / p99 / max | ${q(0.5)} / ${q(0.9)} / ${q(0.99)} / ${gaps.at(-1)} ms |
| profiles stored, sample rows, distinct stacks | ${scrapes} / ${samples} / ${stacks} |
| bytes per profile: stored (DuckDB, deduplicated) vs sent (gzipped proto) | ${Math.round(results.storage.bytesPerProfile)} B vs ${Math.round(results.storage.rawBytesPerProfile)} B |
| history generated | ${hist.length} targets x 24 h (${histScrapesOne} CPU scrapes each), ${histSamples} sample rows, ${f1(histBytes / 2 ** 20)} MB, in ${f1(genSeconds)} s |
| the watcher's maintenance over that day (sort and sum 24 h; downsample past 24 h) | ${maintSecs} s (${f1(maintWallSeconds)} s with the watcher's start and stop) |
| bytes per profile with 24 h of history (stacks recur: stored once) | ${Math.round(histPerProfile)} B (${histProfiles} profiles) |
| the last ${LIVE_HOURS} h of the other targets, not summed (a live watcher's) | ${live.sampleRows} sample rows, written in ${f1(live.seconds)} s |
| \`godiag query\` fixed cost (Node start-up, DuckDB open; an empty range), median of ${QUERY_RUNS} | ${Math.round(qEmpty.ms)} ms |
| 24 h query, \`godiag query -o\` wall time (start-up included), min / median of ${QUERY_RUNS}: cpu; heap | ${Math.round(qCpu.min)} / ${Math.round(qCpu.ms)} ms; ${Math.round(qHeap.min)} / ${Math.round(qHeap.ms)} ms (load ${results.query24h.load}) |
| 24 h \`--json\` wall time: goroutine count / cpu timelines | ${Math.round(qGor.ms)} / ${Math.round(qTl.ms)} ms |`);
const byReason = {};
for (const l of metrics.split("\n").filter((x) => x.startsWith("godiag_scrape_errors_total{"))) {
  const key = `${/profile="([^"]+)"/.exec(l)[1]}:${/reason="([^"]+)"/.exec(l)[1]}`;
  byReason[key] = (byReason[key] ?? 0) + Number(l.split(" ").pop());
}
const skipped = {};
for (const l of metrics.split("\n").filter((x) => x.startsWith("godiag_scrapes_skipped_total{"))) skipped[/reason="([^"]+)"/.exec(l)[1]] = Number(l.split(" ").pop());
console.log(memLine);
console.log(`load average during the run (the machine is shared): ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
console.log(`errors by profile:reason ${JSON.stringify(byReason)}; skipped by reason ${JSON.stringify(skipped)}`);
if (results.scrapes.storeErrors > 0 || logLines.some((l) => /internal error/.test(l))) console.log(logLines.slice(-20).join("\n"));
