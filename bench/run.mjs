#!/usr/bin/env node
// npm run bench: godiag vs the peer in the same run, reported as ratios.
//
// For each input, `godiag top` and `go tool pprof -top` (the machine's pprof,
// built once from cmd/pprof so the go command's own start-up is not counted
// against the peer) run alternately N times. We report the median wall time and
// the peak RSS (from /usr/bin/time) of each, their ratios, and check that both
// printed the same text. Machines are noisy: compare ratios, not seconds.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out");
const CORPUS = resolve(ROOT, "../shared/corpus");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
mkdirSync(OUT, { recursive: true });

// BENCH_ONLY=pcap: only godiag pcap vs tshark (bench/pcap.mjs).
if (process.env.BENCH_ONLY === "pcap") {
  const r = spawnSync(process.execPath, [join(ROOT, "bench/pcap.mjs")], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

function have(cmd, args = ["version"]) {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

const hasGo = have("go");
const hasTime = existsSync("/usr/bin/time");
if (!hasGo) {
  console.error("bench: go is not on PATH: the peer (go tool pprof) cannot run, nothing to compare.");
  process.exit(1);
}

// BENCH_ONLY=serve: only the web UI's case (bench/serve.mjs).
if (process.env.BENCH_ONLY === "serve") {
  await import("./serve.mjs");
  process.exit(0);
}
// BENCH_ONLY=watch: only the continuous-mode scale bench (bench/watch.mjs).
if (process.env.BENCH_ONLY === "watch") {
  const r = spawnSync(process.execPath, [join(ROOT, "bench/watch.mjs")], { stdio: "inherit", timeout: 60 * 60_000 });
  // The same history in ClickHouse (needs watch.mjs's data; skipped without clickhouse-server).
  const c = r.status === 0 ? spawnSync(process.execPath, [join(ROOT, "bench/watch-clickhouse.mjs")], { stdio: "inherit", timeout: 30 * 60_000 }) : r;
  process.exit(c.status ?? 1);
}

const onlyTrace = process.env.BENCH_ONLY === "trace";
const pprof = join(OUT, "pprof");
if (!onlyTrace && !existsSync(pprof)) {
  console.error("building go tool pprof from the machine's Go ...");
  execFileSync("go", ["build", "-o", pprof, "cmd/pprof"], { stdio: "inherit" });
}

const generated = join(OUT, "large-gen.pb.gz");
if (!onlyTrace && !existsSync(generated)) {
  console.error("generating the large synthetic profile (bench/gen-large) ...");
  execFileSync("go", ["run", ".", "-o", generated], { cwd: join(ROOT, "bench/gen-large"), stdio: "inherit" });
}

// BENCH_ONLY=trace: only the execution-trace comparison below.
const inputs = onlyTrace ? [] : [
  { name: "large.cpu (google/pprof corpus)", file: join(CORPUS, "google-pprof/internal/proftest/testdata/large.cpu") },
  { name: "generated (bench/gen-large)", file: generated },
];

function run(argv) {
  const cmd = hasTime ? "/usr/bin/time" : argv[0];
  const args = hasTime ? ["-f", "%e %M", ...argv] : argv.slice(1);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, TZ: "UTC", PPROF_BINARY_PATH: "/nonexistent", PPROF_TMPDIR: OUT },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
  let rssKB = NaN;
  if (hasTime) {
    const last = r.stderr.trim().split("\n").pop() ?? "";
    rssKB = Number(last.split(" ")[1]);
  }
  return { ms, rssKB, stdout: r.stdout };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const results = [];
for (const input of inputs) {
  const size = statSync(input.file).size;
  const ours = [];
  const theirs = [];
  let same = true;
  for (let i = 0; i < RUNS; i++) {
    const a = run([process.execPath, join(ROOT, "dist/godiag.mjs"), "top", input.file]);
    const b = run([pprof, "-symbolize=none", "-top", input.file]);
    if (a.stdout !== b.stdout) same = false;
    ours.push(a);
    theirs.push(b);
  }
  const r = {
    input: input.name,
    bytes: size,
    godiagMs: median(ours.map((x) => x.ms)),
    pprofMs: median(theirs.map((x) => x.ms)),
    godiagRssMB: Math.max(...ours.map((x) => x.rssKB)) / 1024,
    pprofRssMB: Math.max(...theirs.map((x) => x.rssKB)) / 1024,
    identicalOutput: same,
  };
  r.speedup = r.pprofMs / r.godiagMs;
  r.rssRatio = r.godiagRssMB / r.pprofRssMB;
  results.push(r);
}

if (!onlyTrace) writeFileSync(join(OUT, "results.json"), JSON.stringify({ date: new Date().toISOString(), runs: RUNS, results }, null, 2));
if (results.length) console.log(`| input | size | godiag top | pprof -top | speed-up | godiag RSS | pprof RSS | RSS ratio | same output |`);
if (results.length) console.log(`|---|---|---|---|---|---|---|---|---|`);
for (const r of results) {
  console.log(
    `| ${r.input} | ${(r.bytes / 1e6).toFixed(1)} MB | ${r.godiagMs.toFixed(0)} ms | ${r.pprofMs.toFixed(0)} ms | ${r.speedup.toFixed(2)}x | ${r.godiagRssMB.toFixed(0)} MB | ${r.pprofRssMB.toFixed(0)} MB | ${r.rssRatio.toFixed(2)} | ${r.identicalOutput ? "yes" : "NO"} |`,
  );
}

// Execution traces, against golang.org/x/exp/trace (testdata/trace/oracle) on a ~20 MB
// trace of a busy program (testdata/trace/progs/tracebusy): the reader alone (every event
// to a counting visitor) vs the oracle's count mode, and `godiag trace` (read + every
// analysis) vs its stats mode. Alternating fresh processes; CPU time (user+sys) is the
// steadier measure on a shared machine, so it is reported beside the wall time.
// BENCH_TRACE_RUNS (default 3) rounds; BENCH_ONLY=pprof skips this too.
if (process.env.BENCH_ONLY !== "pprof") {
  const goEnv = { ...process.env, GOFLAGS: "", GOWORK: "off", GOTOOLCHAIN: "local" };
  const traceRuns = Number(process.env.BENCH_TRACE_RUNS ?? 3);
  const oracle = join(OUT, "trace-oracle");
  if (!existsSync(oracle)) {
    console.error("building the trace oracle (golang.org/x/exp/trace) ...");
    execFileSync("go", ["build", "-o", oracle, "."], { cwd: join(ROOT, "testdata/trace/oracle"), env: goEnv, stdio: "inherit" });
  }
  const trace = join(OUT, "busy-20mb.trace");
  if (!existsSync(trace)) {
    console.error("writing a 20 MB execution trace (testdata/trace/progs/tracebusy) ...");
    const bin = join(OUT, "tracebusy");
    execFileSync("go", ["build", "-o", bin, "./tracebusy"], { cwd: join(ROOT, "testdata/trace/progs"), env: goEnv, stdio: "inherit" });
    execFileSync(bin, ["-out", trace, "-mb", "20"], { stdio: "inherit", timeout: 300_000 });
  }
  const reader = join(OUT, "trace-reader-inproc.mjs");
  execFileSync(join(ROOT, "node_modules/.bin/esbuild"), [join(ROOT, "bench/trace-reader-inproc.ts"), "--bundle", "--platform=node", "--format=esm", `--outfile=${reader}`, "--log-level=warning"]);
  const timed = (argv) => {
    const r = spawnSync("/usr/bin/time", ["-f", "%M %U %S", ...argv], { encoding: "utf8", maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
    const t0 = r.stderr.trim().split("\n").pop().split(" ").map(Number);
    return { rssKB: t0[0], cpuMs: (t0[1] + t0[2]) * 1000, stdout: r.stdout };
  };
  const withWall = (argv) => {
    const t0 = process.hrtime.bigint();
    const r = timed(argv);
    return { ...r, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
  };
  // What both `godiag trace --json` and the oracle's stats report, compared as the same-output check.
  const SHARED = ["durationNs", "goroutinesCreated", "goroutinesEnded", "gcCycles", "stw", "stwByReason", "markAssist"];
  const cases = [
    {
      name: "trace: reader vs x/exp/trace (count)",
      ours: () => withWall([process.execPath, reader, trace, "0"]),
      theirs: () => withWall([oracle, "count", trace]),
      same: (a, b) => JSON.parse(a).events === Number(b.trim()),
    },
    {
      name: "trace: godiag trace vs x/exp/trace (stats)",
      ours: () => withWall([process.execPath, join(ROOT, "dist/godiag.mjs"), "trace", "--json", trace]),
      theirs: () => withWall([oracle, "stats", trace]),
      same: (a, b) => {
        const x = JSON.parse(a).summary;
        const y = JSON.parse(b);
        return SHARED.every((k) => JSON.stringify(x[k]) === JSON.stringify(y[k]));
      },
    },
  ];
  const size = statSync(trace).size;
  const rows = [];
  for (const c of cases) {
    const ours = [];
    const theirs = [];
    let same = true;
    for (let i = 0; i < traceRuns; i++) {
      const a = c.ours();
      const b = c.theirs();
      if (!c.same(a.stdout, b.stdout)) same = false;
      ours.push(a);
      theirs.push(b);
    }
    rows.push({ c, ours, theirs, same });
  }
  const mbs = (ms) => `${(size / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
  console.log(`\n## execution traces vs golang.org/x/exp/trace (${(size / 1e6).toFixed(1)} MB, ${traceRuns} alternating runs)\n`);
  console.log(`| case | godiag wall (median) | peer wall | speed-up | godiag CPU (min) | peer CPU | CPU speed-up | godiag RSS | peer RSS | same result |`);
  console.log(`|---|---|---|---|---|---|---|---|---|---|`);
  for (const { c, ours, theirs, same } of rows) {
    const ow = median(ours.map((x) => x.ms));
    const tw = median(theirs.map((x) => x.ms));
    const oc = Math.min(...ours.map((x) => x.cpuMs));
    const tc = Math.min(...theirs.map((x) => x.cpuMs));
    const orss = Math.max(...ours.map((x) => x.rssKB)) / 1024;
    const trss = Math.max(...theirs.map((x) => x.rssKB)) / 1024;
    console.log(
      `| ${c.name} | ${ow.toFixed(0)} ms | ${tw.toFixed(0)} ms | ${(tw / ow).toFixed(2)}x | ${oc.toFixed(0)} ms (${mbs(oc)}) | ${tc.toFixed(0)} ms (${mbs(tc)}) | ${(tc / oc).toFixed(2)}x | ${orss.toFixed(0)} MB | ${trss.toFixed(0)} MB | ${same ? "yes" : "NO"} |`,
    );
  }
  // Issue 15's goal: `godiag trace` at least 2x faster than x/exp/trace's stats mode on the same file.
  const last = rows[rows.length - 1];
  if (last) {
    const cpu = Math.min(...last.theirs.map((x) => x.cpuMs)) / Math.min(...last.ours.map((x) => x.cpuMs));
    const wall = median(last.theirs.map((x) => x.ms)) / median(last.ours.map((x) => x.ms));
    const verdict = (r) => (r >= 2 ? "met" : `missed (godiag takes ${(1 / r).toFixed(2)}x the peer's)`);
    console.log(`\ngoal (issue 15): godiag trace >= 2.00x faster than x/exp/trace stats. CPU ratio (min/min) ${cpu.toFixed(2)}x: ${verdict(cpu)}; wall ratio (median/median) ${wall.toFixed(2)}x: ${verdict(wall)}.`);
  }
}

// The other comparisons, each against its own peer, in the same run. Each script
// prints its own markdown section (docs/PERFORMANCE.md keeps the latest).
// BENCH_ONLY=pprof (or trace) skips them.
const SUITES = [
  ["goroutine dumps vs panicparse pp", "bench/goroutines.mjs"],
  ["benchstat", "bench/benchstat.mjs"],
  ["flame graphs", "bench/flame.mjs"],
  ["call graph: dot, svg, callgrind vs pprof", "bench/dot.mjs"],
  ["capture overhead", "bench/capture-overhead.mjs"],
  ["regular expressions: re2js vs V8", "bench/regexp.mjs"],
  ["packet captures: godiag pcap vs tshark", "bench/pcap.mjs"],
  ["eBPF probe overhead (root, bpftrace)", "bench/ebpf-overhead.mjs"],
  ["eBPF probe cost per event (root, bpftrace)", "bench/ebpf-event-cost.mjs"],
  ["continuous mode: godiag watch at 200 targets", "bench/watch.mjs"],
  ["continuous mode: the same 24 h history in ClickHouse", "bench/watch-clickhouse.mjs"],
];
if (process.env.BENCH_ONLY === undefined) {
  for (const [title, script] of SUITES) {
    console.log(`\n## ${title} (${script})\n`);
    const r = spawnSync(process.execPath, [join(ROOT, script)], { stdio: "inherit", timeout: 30 * 60_000 });
    if (r.status !== 0) console.log(`(${script} failed: exit ${r.status ?? r.signal})`);
  }
}
