#!/usr/bin/env node
// Goroutine dump benchmark: a real 50,000-goroutine debug=2 dump (written by
// testdata/workloads/goroutines50k) read by `godiag goroutines` and by
// panicparse's `pp`, alternately, same file, same run; medians and ratio. Also
// times godiag's parse + bucket in-process (the acceptance bar is < 0.5 s).
// Prints a markdown section. Run after `npm run build:bundle`.
//
// pp: found on PATH, in bench/out, or in $(go env GOPATH)/bin; otherwise
// installed into bench/out with
//   GOFLAGS= GOBIN=bench/out go install github.com/maruel/panicparse/v2/cmd/pp@latest
// pp runs with -parse=false: by default it also reads the Go sources named in
// the dump to guess argument types, work godiag does not do.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const goEnv = { ...process.env, GOFLAGS: "", GOWORK: "off", GOTOOLCHAIN: "local" };
mkdirSync(OUT, { recursive: true });

const dump = join(OUT, "goroutines50k.txt");
if (!existsSync(dump)) {
  const bin = join(OUT, "goroutines50k");
  execFileSync("go", ["build", "-o", bin, "./goroutines50k"], { cwd: join(ROOT, "testdata/workloads"), env: goEnv, stdio: "inherit" });
  execFileSync(bin, [dump], { stdio: "inherit", timeout: 120_000 });
}

function findPP() {
  const gopath = spawnSync("go", ["env", "GOPATH"], { encoding: "utf8", env: goEnv }).stdout.trim();
  for (const p of [join(OUT, "pp"), gopath && join(gopath, "bin/pp")]) if (p && existsSync(p)) return p;
  if (spawnSync("pp", ["-help"], { stdio: "ignore" }).error === undefined) return "pp";
  const r = spawnSync("go", ["install", "github.com/maruel/panicparse/v2/cmd/pp@latest"], { env: { ...goEnv, GOBIN: OUT }, encoding: "utf8" });
  if (r.status !== 0) {
    console.error(`bench: cannot install panicparse pp (module proxy?): ${r.stderr.trim().split("\n").pop()}`);
    return null;
  }
  return join(OUT, "pp");
}

function wall(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs) => Math.min(...xs);
const cli = join(ROOT, "dist/godiag.mjs");
if (!existsSync(cli)) {
  console.error("bench: dist/godiag.mjs missing: run npm run build:bundle first");
  process.exit(1);
}

// In-process parse + bucket.
const inproc = join(OUT, "goroutines-inproc.mjs");
execFileSync(join(ROOT, "node_modules/.bin/esbuild"), [join(ROOT, "bench/goroutines-inproc.ts"), "--bundle", "--platform=node", "--format=esm", `--outfile=${inproc}`, "--log-level=warning"]);
// The machine may be shared: the load average is reported beside the numbers.
const load0 = loadavg()[0];
const ip = JSON.parse(execFileSync(process.execPath, [inproc, dump, String(Math.max(2 * RUNS, 10))], { encoding: "utf8" }));

const pp = findPP();
const ours = [];
const theirs = [];
for (let i = 0; i < RUNS; i++) {
  ours.push(wall(process.execPath, [cli, "goroutines", dump]));
  if (pp) theirs.push(wall(pp, ["-parse=false", dump]));
}
const size = (statSync(dump).size / 1e6).toFixed(1);
const lines = [];
lines.push("### Goroutine dumps (`godiag goroutines` vs panicparse `pp`)", "");
lines.push(`Input: a real goroutine?debug=2 dump of ${ip.total} goroutines (${size} MB, testdata/workloads/goroutines50k), ${ip.buckets} buckets. Whole commands: ${RUNS} alternating runs; in-process: ${ip.runs} runs after one warm-up.`, "");
lines.push("| what | godiag | pp -parse=false | ratio (pp / godiag) |", "|---|---|---|---|");
const o = median(ours);
if (pp) {
  const t = median(theirs);
  lines.push(`| whole command, wall (median / min) | ${o.toFixed(0)} / ${min(ours).toFixed(0)} ms | ${t.toFixed(0)} / ${min(theirs).toFixed(0)} ms | ${(t / o).toFixed(2)}x |`);
} else {
  lines.push(`| whole command, wall (median / min) | ${o.toFixed(0)} / ${min(ours).toFixed(0)} ms | (pp unavailable) | - |`);
}
lines.push(`| parse + bucket in-process, wall (median / min) | ${ip.medianMs.toFixed(0)} / ${ip.minMs.toFixed(0)} ms | - | - |`);
lines.push(`| parse + bucket in-process, CPU (median) | ${ip.cpuMedianMs.toFixed(0)} ms | - | - |`);
lines.push(`| parse + bucket in-process, first run (cold JIT), wall | ${ip.coldMs.toFixed(0)} ms | - | - |`, "");
lines.push(`Acceptance: parse + bucket < 500 ms (wall median): ${ip.medianMs < 500 ? "yes" : "NO"}; load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end, on ${cpus().length} CPUs.`);
console.log(lines.join("\n"));
