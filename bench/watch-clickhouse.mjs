#!/usr/bin/env node
// The ClickHouse store at the scale of bench/watch.mjs (run that first: it leaves
// bench/out/watch-data with 24 h of history for a few targets). A clickhouse-server of
// our own (Debian's, on 127.0.0.1, data under bench/out), the same history copied in:
// the run's real scrapes of the history targets, repeated back over 24 h by SQL as
// watch.mjs does, each complete hour summed into samples_hourly by the SQL the watcher's
// maintenance runs (src/store/clickhouse.ts, sumHours), then `godiag query --clickhouse`
// over 24 h timed from a fresh process, and checked equal to the DuckDB store's answer
// (go tool pprof -top of both). With BENCH_WATCH_LIVE_HOURS (1), the other targets' run is
// repeated back over the last hours, not summed, as a live watcher leaves them.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out");
const CLI = join(ROOT, "dist/godiag.mjs");
const DATA = join(OUT, "watch-data");
const DB = "godiag_bench";
const HOUR = 3600_000;
const LIVE_HOURS = Number(process.env.BENCH_WATCH_LIVE_HOURS ?? 1);
const QUERY_RUNS = Number(process.env.BENCH_WATCH_QUERY_RUNS ?? 5);
const SERVER = existsSync("/usr/sbin/clickhouse-server") ? "/usr/sbin/clickhouse-server" : "clickhouse-server";
if (SERVER === "clickhouse-server" && spawnSync("which", [SERVER]).status !== 0) {
  console.log("skipped: no clickhouse-server (Debian package clickhouse-server)");
  process.exit(0);
}
if (!existsSync(join(DATA, "godiag.duckdb"))) throw new Error("run bench/watch.mjs first (with BENCH_WATCH_HISTORY_TARGETS > 0)");

const port = await new Promise((r) => {
  const s = createServer();
  s.listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => r(p));
  });
});
const dir = join(OUT, "ch-bench");
rmSync(dir, { recursive: true, force: true });
for (const d of ["data", "tmp", "log", "fmt"]) mkdirSync(join(dir, d), { recursive: true });
writeFileSync(
  join(dir, "config.xml"),
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
const server = spawn(SERVER, [`--config-file=${join(dir, "config.xml")}`], { stdio: "ignore" });
const url = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/?query=SELECT%201`)).ok) break;
    } catch {
      if (i > 300) throw new Error("clickhouse-server did not answer in 30 s");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const sql = async (query, body) => {
    const r = await fetch(`${url}/?database=${DB}&query=${encodeURIComponent(query)}`, { method: "POST", body });
    const text = await r.text();
    if (!r.ok) throw new Error(`${query.slice(0, 80)}: ${text}`);
    return text;
  };
  // The schema, as the watcher creates it (ClickStore.open).
  execFileSync(process.execPath, [CLI, "query", "--clickhouse", url, "--database", DB, "--target", "x:1", "--type", "goroutine", "--json"], { stdio: "ignore" });
  const version = (await sql("SELECT version()")).trim();

  // The run's own rows from DuckDB: content tables whole, the history targets' scrapes of the run only.
  const inst = await DuckDBInstance.create(join(DATA, "godiag.duckdb"), { access_mode: "READ_ONLY" });
  const db = await inst.connect();
  const rows = async (q) => (await db.runAndReadAll(q)).getRowsJS();
  // DuckDB keys scrapes, samples and metrics by the targets table's id (src/store/duckdb-schema.ts); ClickHouse by the address.
  const withAddress = (t) => `(SELECT k.address AS target, x.* EXCLUDE (target_id) FROM ${t} x JOIN targets k ON k.id = x.target_id)`;
  const histRows = await rows("SELECT target_id, count(*) AS n FROM scrapes WHERE target_id IN (SELECT target_id FROM scrapes GROUP BY 1 ORDER BY count(*) DESC LIMIT 2) GROUP BY 1 ORDER BY n DESC");
  const hist = [];
  for (const [id] of histRows) hist.push((await rows(`SELECT address FROM targets WHERE id = ${id}`))[0][0]);
  // Targets with no day of history hold the run and its copies over the live hours: the run's
  // scrapes are those stored when their profile was taken (a copy's time is shifted, its header not).
  const [[runFrom, runTo]] = await rows(
    `SELECT epoch_ms(min(ts)), epoch_ms(max(ts)) FROM ${withAddress("scrapes")} WHERE target NOT IN (${hist.map((t) => `'${t}'`).join(",")})
     AND abs(epoch_ms(ts) - (json_extract_string(header, '$.timeNanos')::HUGEINT // 1000000)) < 60000`,
  );
  const spanMs = Number(runTo) - Number(runFrom) + 15_000;
  const copies = Math.ceil((24 * HOUR) / spanMs);
  const inList = hist.map((t) => `'${t}'`).join(",");
  const runWhere = `target IN (${inList}) AND ts >= epoch_ms(${runFrom}::BIGINT)`;
  const tsv = (x) => (x === null ? "\\N" : Array.isArray(x) ? `[${x.join(",")}]` : typeof x === "boolean" ? (x ? "1" : "0") : String(x).replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n"));
  const copy = async (table, select) => {
    const r = await rows(select);
    if (r.length > 0) await sql(`INSERT INTO ${table} FORMAT TabSeparated`, r.map((row) => row.map(tsv).join("\t")).join("\n") + "\n");
    return r.length;
  };
  const c0 = Date.now();
  for (const t of ["functions", "mappings", "locations", "stacks"]) await copy(t, `SELECT * FROM ${t}`);
  const copyRun = async (where) => {
    const n = await copy("samples", `SELECT target, epoch_ms(ts), profile, sample_type, stack_id, labels, value, resolution_ms FROM ${withAddress("samples")} WHERE ${where}`);
    await copy("scrapes", `SELECT target, job, labels, epoch_ms(ts), profile, header, raw_bytes, samples, resolution_ms FROM ${withAddress("scrapes")} WHERE ${where}`);
    await copy("metrics", `SELECT target, epoch_ms(ts), name, value FROM ${withAddress("metrics")} WHERE ${where}`);
    return n;
  };
  const nSamples = await copyRun(runWhere);
  // The other targets' run too (a live hour is made of it below), a few targets at a time (memory).
  const others = LIVE_HOURS > 0 ? (await rows(`SELECT address FROM targets WHERE address NOT IN (${inList}) ORDER BY 1`)).map((r) => r[0]) : [];
  for (let i = 0; i < others.length; i += 20) await copyRun(`target IN (${others.slice(i, i + 20).map((t) => `'${t}'`).join(",")}) AND ts >= epoch_ms(${runFrom}::BIGINT)`);
  db.closeSync();
  inst.closeSync();
  // 24 h: the run repeated back in time, as bench/watch.mjs does for DuckDB.
  for (const [t, cols] of [
    ["samples", "target, ts - k * S, profile, sample_type, stack_id, labels, value, resolution_ms"],
    ["scrapes", "target, job, labels, ts - k * S, profile, header, raw_bytes, samples, resolution_ms"],
    ["metrics", "target, ts - k * S, name, value"],
  ])
    await sql(`INSERT INTO ${t} SELECT ${cols.replaceAll("S", String(spanMs))} FROM ${t} ARRAY JOIN range(toUInt64(${copies})) AS k WHERE k > 0 AND target IN (${inList}) AND ts >= ${runFrom}`);
  // The live hours: the other targets' run repeated back over the last LIVE_HOURS, one insert per copy, oldest first.
  const liveCopies = LIVE_HOURS > 0 ? Math.ceil((LIVE_HOURS * HOUR) / spanMs) - 1 : 0;
  for (let k = liveCopies; k >= 1; k--)
    for (const [t, cols] of [
      ["samples", "target, ts - K, profile, sample_type, stack_id, labels, value, resolution_ms"],
      ["scrapes", "target, job, labels, ts - K, profile, header, raw_bytes, samples, resolution_ms"],
      ["metrics", "target, ts - K, name, value"],
    ])
      await sql(`INSERT INTO ${t} SELECT ${cols.replace("K", String(k * spanMs))} FROM ${t} WHERE target NOT IN (${inList}) AND ts >= ${runFrom}`);
  const [liveSamples] = (await sql(`SELECT count() FROM samples WHERE target NOT IN (${inList})`)).trim().split("\t");
  const genSeconds = (Date.now() - c0) / 1000;
  // The watcher's hourly sums (clickhouse.ts sumHours), for every complete hour of the history.
  const s0 = Date.now();
  const [lo, hi] = (await sql(`SELECT min(ts), max(ts) FROM scrapes WHERE target IN (${inList})`)).trim().split("\t").map(Number);
  let hours = 0;
  for (let h = Math.floor(lo / HOUR) * HOUR; h + HOUR <= Math.floor(hi / HOUR) * HOUR; h += HOUR) {
    const range = `target IN (${inList}) AND ts >= ${h} AND ts < ${h + HOUR}`;
    await sql(`INSERT INTO samples_hourly SELECT target, toInt64(${h}) AS hour, profile, sample_type, stack_id, labels, sum(value) AS v
               FROM samples WHERE ${range} AND (target, profile, ts) IN (SELECT target, profile, ts FROM scrapes WHERE ${range})
               GROUP BY target, profile, sample_type, stack_id, labels`);
    await sql(`INSERT INTO hourly_done FORMAT TabSeparated`, hist.map((t) => `${t}\t${h}`).join("\n") + "\n");
    hours++;
  }
  const sumSeconds = (Date.now() - s0) / 1000;
  const [histSamples] = (await sql(`SELECT count() FROM samples WHERE target IN (${inList})`)).trim().split("\t");
  const [[bytes]] = [(await sql(`SELECT sum(bytes) FROM system.parts WHERE database = '${DB}' AND active`)).trim().split("\t")];
  const [[cpuScrapes]] = [(await sql(`SELECT count() FROM scrapes WHERE target = '${hist[0]}' AND profile = 'cpu'`)).trim().split("\t")];

  const time = (args) => {
    const t = [];
    for (let i = 0; i < QUERY_RUNS; i++) {
      const s = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [CLI, "query", ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
      t.push(Number(process.hrtime.bigint() - s) / 1e6);
      if (r.status !== 0) throw new Error(`query ${args.join(" ")}: ${r.stderr}`);
    }
    t.sort((a, b) => a - b);
    return { min: t[0], median: t[Math.floor(t.length / 2)] };
  };
  const ch = ["--clickhouse", url, "--database", DB, "--target", hist[0]];
  const loadBefore = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  const empty = time([...ch, "--type", "goroutine", "--from", "-1s", "--json"]);
  const out = {};
  const same = {};
  for (const type of ["cpu", "heap"]) {
    out[type] = time([...ch, "--type", type, "--from", "-25h", "--to", "now", "-o", join(OUT, `ch-24h-${type}.pb.gz`)]);
    console.error(`24 h ${type}: min ${Math.round(out[type].min)} / median ${Math.round(out[type].median)} ms`);
    // The same range from the DuckDB file: go tool pprof -top of both must agree.
    execFileSync(process.execPath, [CLI, "query", "--data", DATA, "--target", hist[0], "--type", type, "--from", "-25h", "--to", "now", "-o", join(OUT, `duck-24h-${type}.pb.gz`)]);
    const top = (f) => execFileSync("go", ["tool", "pprof", "-top", "-nodecount=100000", ...(type === "heap" ? ["-sample_index=alloc_space"] : []), f], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    same[type] = top(join(OUT, `ch-24h-${type}.pb.gz`)) === top(join(OUT, `duck-24h-${type}.pb.gz`));
  }
  console.log(`| measure (ClickHouse ${version}, this machine) | value |
|---|---|
| history | ${hist.length} targets x 24 h (${cpuScrapes} CPU scrapes each), ${histSamples} sample rows (${nSamples} copied from the run), ${(Number(bytes) / 2 ** 20).toFixed(1)} MB in active parts; generated in ${genSeconds.toFixed(1)} s |
| hourly sums of ${hours} hours (the watcher's SQL) | ${sumSeconds.toFixed(1)} s |
| the last ${LIVE_HOURS} h of the other ${others.length} targets, not summed (a live watcher's) | ${liveSamples} sample rows |
| \`godiag query --clickhouse\` fixed cost (an empty range), min / median of ${QUERY_RUNS} | ${Math.round(empty.min)} / ${Math.round(empty.median)} ms |
| 24 h query \`-o\` wall time (start-up included), min / median of ${QUERY_RUNS}: cpu; heap | ${Math.round(out.cpu.min)} / ${Math.round(out.cpu.median)} ms; ${Math.round(out.heap.min)} / ${Math.round(out.heap.median)} ms (load ${loadBefore} before the queries) |
| same answer as the DuckDB store (go tool pprof -top): cpu / heap | ${same.cpu} / ${same.heap} |
load average: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
} finally {
  server.kill("SIGTERM");
  await new Promise((r) => (server.exitCode !== null ? r() : server.once("exit", r)));
}
