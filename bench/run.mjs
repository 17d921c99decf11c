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

function have(cmd, args = ["version"]) {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

const hasGo = have("go");
const hasTime = existsSync("/usr/bin/time");
if (!hasGo) {
  console.error("bench: go is not on PATH: the peer (go tool pprof) cannot run, nothing to compare.");
  process.exit(1);
}

const pprof = join(OUT, "pprof");
if (!existsSync(pprof)) {
  console.error("building go tool pprof from the machine's Go ...");
  execFileSync("go", ["build", "-o", pprof, "cmd/pprof"], { stdio: "inherit" });
}

const generated = join(OUT, "large-gen.pb.gz");
if (!existsSync(generated)) {
  console.error("generating the large synthetic profile (bench/gen-large) ...");
  execFileSync("go", ["run", ".", "-o", generated], { cwd: join(ROOT, "bench/gen-large"), stdio: "inherit" });
}

const inputs = [
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

writeFileSync(join(OUT, "results.json"), JSON.stringify({ date: new Date().toISOString(), runs: RUNS, results }, null, 2));
console.log(`| input | size | godiag top | pprof -top | speed-up | godiag RSS | pprof RSS | RSS ratio | same output |`);
console.log(`|---|---|---|---|---|---|---|---|---|`);
for (const r of results) {
  console.log(
    `| ${r.input} | ${(r.bytes / 1e6).toFixed(1)} MB | ${r.godiagMs.toFixed(0)} ms | ${r.pprofMs.toFixed(0)} ms | ${r.speedup.toFixed(2)}x | ${r.godiagRssMB.toFixed(0)} MB | ${r.pprofRssMB.toFixed(0)} MB | ${r.rssRatio.toFixed(2)} | ${r.identicalOutput ? "yes" : "NO"} |`,
  );
}

// The other comparisons, each against its own peer, in the same run. Each script
// prints its own markdown section (docs/PERFORMANCE.md keeps the latest).
// BENCH_ONLY=pprof skips them.
const SUITES = [
  ["goroutine dumps vs panicparse pp", "bench/goroutines.mjs"],
  ["benchstat", "bench/benchstat.mjs"],
  ["flame graphs", "bench/flame.mjs"],
  ["capture overhead", "bench/capture-overhead.mjs"],
  ["regular expressions: re2js vs V8", "bench/regexp.mjs"],
];
if (process.env.BENCH_ONLY !== "pprof") {
  for (const [title, script] of SUITES) {
    console.log(`\n## ${title} (${script})\n`);
    const r = spawnSync(process.execPath, [join(ROOT, script)], { stdio: "inherit", timeout: 30 * 60_000 });
    if (r.status !== 0) console.log(`(${script} failed: exit ${r.status ?? r.signal})`);
  }
}
