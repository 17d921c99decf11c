#!/usr/bin/env node
// Execution-trace reader benchmark: a ~20 MB trace of a busy Go program (written by
// testdata/trace/progs/tracebusy) read fully by godiag's reader and by golang.org/x/exp/
// trace (the oracle program's "count" mode), alternately, same file, same run. Reports
// MB/s, ratios and peak RSS, plus godiag's in-process warm-JIT time. Prints markdown.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MB = Number(process.env.BENCH_TRACE_MB ?? 20);
const goEnv = { ...process.env, GOFLAGS: "", GOWORK: "off", GOTOOLCHAIN: "local" };
mkdirSync(OUT, { recursive: true });

const oracle = join(OUT, "trace-oracle");
if (!existsSync(oracle)) execFileSync("go", ["build", "-o", oracle, "."], { cwd: join(ROOT, "testdata/trace/oracle"), env: goEnv, stdio: "inherit" });
const trace = join(OUT, `busy-${MB}mb.trace`);
if (!existsSync(trace)) {
  const bin = join(OUT, "tracebusy");
  execFileSync("go", ["build", "-o", bin, "./tracebusy"], { cwd: join(ROOT, "testdata/trace/progs"), env: goEnv, stdio: "inherit" });
  execFileSync(bin, ["-out", trace, "-mb", String(MB)], { stdio: "inherit", timeout: 300_000 });
}
const inproc = join(OUT, "trace-reader-inproc.mjs");
execFileSync(join(ROOT, "node_modules/.bin/esbuild"), [join(ROOT, "bench/trace-reader-inproc.ts"), "--bundle", "--platform=node", "--format=esm", `--outfile=${inproc}`, "--log-level=warning"]);

/** Wall ms, peak RSS (KB) and CPU ms (user+sys) of a command, from /usr/bin/time. */
function measure(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%M %U %S", cmd, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  const [rss, user, sys] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { ms, rssKB: rss, cpuMs: (user + sys) * 1000, stdout: r.stdout };
}

const load0 = loadavg()[0];
const ours = [];
const theirs = [];
let events = 0;
for (let i = 0; i < RUNS; i++) {
  const o = measure(process.execPath, [inproc, trace, "0"]);
  events = JSON.parse(o.stdout).events;
  ours.push(o);
  const t = measure(oracle, ["count", trace]);
  if (Number(t.stdout.trim()) !== events) throw new Error(`event counts differ: godiag ${events}, x/exp/trace ${t.stdout.trim()}`);
  theirs.push(t);
}
const warm = JSON.parse(execFileSync(process.execPath, [inproc, trace, String(Math.max(RUNS, 5))], { encoding: "utf8" }));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs) => Math.min(...xs);
const mb = statSync(trace).size / 1e6;
const rate = (ms) => `${(mb / (ms / 1000)).toFixed(1)} MB/s`;
const row = (what, f) => {
  const o = f(ours);
  const t = f(theirs);
  return `| ${what} | ${o.toFixed(0)} ms (${rate(o)}) | ${t.toFixed(0)} ms (${rate(t)}) | ${(t / o).toFixed(2)}x |`;
};
const lines = [];
lines.push("### Execution traces (godiag's reader vs golang.org/x/exp/trace)", "");
lines.push(
  `Input: a ${mb.toFixed(1)} MB Go 1.26 trace of ${events} events (testdata/trace/progs/tracebusy), read fully: every event to a counting visitor; x/exp/trace: the oracle's count mode. ${RUNS} alternating runs, each a fresh process.`,
  "",
);
lines.push("| what | godiag | x/exp/trace | ratio (x/exp / godiag) |", "|---|---|---|---|");
lines.push(row("whole process, wall (median)", (xs) => median(xs.map((x) => x.ms))));
lines.push(row("whole process, wall (min)", (xs) => min(xs.map((x) => x.ms))));
lines.push(row("whole process, CPU user+sys (min)", (xs) => min(xs.map((x) => x.cpuMs))));
lines.push(`| peak RSS (max) | ${(Math.max(...ours.map((x) => x.rssKB)) / 1024).toFixed(0)} MB | ${(Math.max(...theirs.map((x) => x.rssKB)) / 1024).toFixed(0)} MB | - |`);
lines.push(`| godiag in-process, warm JIT, wall (median / min) | ${warm.medianMs.toFixed(0)} / ${warm.minMs.toFixed(0)} ms (${rate(warm.medianMs)}) | - | - |`, "");
lines.push(`Load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end, on ${cpus().length} CPUs.`);
console.log(lines.join("\n"));
