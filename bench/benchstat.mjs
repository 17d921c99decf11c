// godiag bench vs benchstat on generated benchmark files of several sizes (same run, as ratios).
// Usage: npm run build:bundle && node bench/benchstat.mjs
//   (needs test-output/bin/benchstat, which test/bench-benchstat.test.ts installs)
// Env: RUNS=N rounds (default 9); GODIAG=bundle to time (default dist/godiag.mjs); GODIAG_BASELINE=path/to/older/godiag.mjs adds it as a
// third contender (before/after comparisons in the same run).
// Each round runs every tool once, in a rotating order, so load from other processes on the
// machine hits all of them alike; the table shows medians. Every tool's stdout is checked
// byte-for-byte against benchstat's before timing (a fast wrong answer is not a result).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out/benchstat");
mkdirSync(OUT, { recursive: true });
const RUNS = Number(process.env.RUNS ?? 9);
const bs = join(ROOT, "test-output/bin/benchstat");
const GODIAG = resolve(process.env.GODIAG ?? join(ROOT, "dist/godiag.mjs"));

// [benchmarks, runs per benchmark]: a typical PR run, the colleague's 400 × 20, and a scaling check.
const SIZES = [
  [20, 6],
  [400, 20],
  [2000, 10],
];

function generate(nb, runs) {
  const files = [];
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const [name, f] of [["old", 1], ["new", 0.97]]) {
    const parts = ["goos: linux\ngoarch: amd64\npkg: example.com/big\n"];
    for (let b = 0; b < nb; b++)
      for (let i = 0; i < runs; i++)
        parts.push(`BenchmarkOp/case=${b}/size=${b % 7}-8 1000 ${(100 + b) * f * (1 + 0.05 * rnd())} ns/op ${b * 8} B/op ${b % 5} allocs/op\n`);
    const file = `${name}-${nb}x${runs}.txt`;
    writeFileSync(join(OUT, file), parts.join(""));
    files.push(file);
  }
  return files;
}

const run = (cmd, args) => spawnSync(cmd, args, { cwd: OUT, encoding: "utf8", maxBuffer: 1 << 28 });
// CPU time (user + sys, all threads) through GNU time when present: less sensitive than wall
// time to other processes competing for the cores.
const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;
const CPU_FILE = join(OUT, "cpu.txt");
function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const res = GNU_TIME ? run(GNU_TIME, ["-o", CPU_FILE, "-f", "%U %S", cmd, ...args]) : run(cmd, args);
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 0) throw new Error(res.stderr);
  const cpu = GNU_TIME ? readFileSync(CPU_FILE, "utf8").trim().split(/\s+/).slice(-2).reduce((a, x) => a + Number(x) * 1000, 0) : NaN;
  return { wall, cpu };
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const tools = [];
if (existsSync(bs)) tools.push({ name: "benchstat", cmd: bs, pre: [] });
tools.push({ name: "godiag bench", cmd: process.execPath, pre: [GODIAG, "bench"] });
if (process.env.GODIAG_BASELINE) tools.push({ name: "godiag bench (baseline)", cmd: process.execPath, pre: [resolve(process.env.GODIAG_BASELINE), "bench"] });

console.log("## godiag bench vs benchstat\n");
console.log(`Generated old/new files (3 units per line), median of ${RUNS} alternating runs: wall ms (CPU ms, user+sys; GNU time counts in 10 ms steps).`);
console.log(`"node start" is \`godiag --version\`: Node start-up plus compiling the bundle, the floor for any command.\n`);
const header = ["size", ...tools.map((t) => t.name), "node start"];
if (existsSync(bs)) header.push(...tools.slice(1).map((t) => `${t.name} / benchstat`));
console.log("| " + header.join(" | ") + " |");
console.log("| " + header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ") + " |");
for (const [nb, runs] of SIZES) {
  const files = generate(nb, runs);
  const ref = tools[0];
  const want = run(ref.cmd, [...ref.pre, ...files]);
  if (want.status !== 0) throw new Error(want.stderr);
  for (const t of tools.slice(1)) {
    const got = run(t.cmd, [...t.pre, ...files]);
    if (got.status !== 0 || got.stdout !== want.stdout) throw new Error(`${t.name}: output differs from ${ref.name} on ${files.join(" ")}: ${got.stderr}`);
  }
  const times = tools.map(() => []);
  const cpus = tools.map(() => []);
  const start = [];
  for (let r = 0; r < RUNS; r++) {
    const order = [...tools.keys(), -1];
    for (let k = 0; k < r % order.length; k++) order.push(order.shift());
    for (const i of order) {
      const t = i < 0 ? timed(process.execPath, [GODIAG, "--version"]) : timed(tools[i].cmd, [...tools[i].pre, ...files]);
      if (i < 0) start.push(t.wall);
      else {
        times[i].push(t.wall);
        cpus[i].push(t.cpu);
      }
    }
  }
  const med = times.map(median);
  const cpu = cpus.map(median);
  const cell = (i) => (GNU_TIME ? `${med[i].toFixed(0)} (${cpu[i].toFixed(0)})` : med[i].toFixed(0));
  const row = [`${nb} × ${runs}`, ...tools.map((_, i) => cell(i)), median(start).toFixed(0)];
  if (existsSync(bs)) row.push(...med.slice(1).map((m, i) => `${(m / med[0]).toFixed(2)}` + (GNU_TIME && cpu[0] > 0 ? ` (${(cpu[i + 1] / cpu[0]).toFixed(2)})` : "")));
  console.log("| " + row.join(" | ") + " |");
}
