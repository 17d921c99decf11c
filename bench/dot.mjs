#!/usr/bin/env node
// The call graph reports against pprof: `godiag dot` vs the machine's pprof built from
// cmd/pprof (`pprof -dot`, no go-command start-up) and vs `go tool pprof -dot` as users
// run it, plus `godiag svg` (the same DOT laid out by Graphviz in WebAssembly) and
// `godiag callgrind` vs `pprof -callgrind`. Fresh processes, alternating, on the
// google/pprof corpus's large.cpu and bench/gen-large's profile when present. Wall time
// and CPU time (user+sys, steadier on a shared machine), medians. Prints markdown.
// Needs dist/ (npm run build) and go.
//
//   BENCH_DOT_RUNS=N   runs per tool and input (default 7)

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out");
const CORPUS = resolve(ROOT, "../shared/corpus");
const RUNS = Number(process.env.BENCH_DOT_RUNS ?? 7);
mkdirSync(OUT, { recursive: true });
const pprof = join(OUT, "pprof");
if (!existsSync(pprof)) execFileSync("go", ["build", "-o", pprof, "cmd/pprof"], { stdio: "inherit" });
const CLI = join(ROOT, "dist/godiag.mjs");

const inputs = [
  ["large.cpu (google/pprof corpus)", join(CORPUS, "google-pprof/internal/proftest/testdata/large.cpu")],
  ["generated (bench/gen-large)", join(OUT, "large-gen.pb.gz")],
].filter(([, f]) => existsSync(f));

function run(argv) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", ...argv], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, TZ: "UTC", PPROF_BINARY_PATH: "/nonexistent", PPROF_TMPDIR: OUT },
  });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
  const [wall, user, sys, rss] = (r.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
  return { wallMs: wall * 1000, cpuMs: (user + sys) * 1000, rssMB: rss / 1024, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const tools = (file) => [
  ["godiag dot", [process.execPath, CLI, "dot", file]],
  ["pprof -dot", [pprof, "-symbolize=none", "-dot", file]],
  ["go tool pprof -dot", ["go", "tool", "pprof", "-symbolize=none", "-dot", file]],
  ["godiag svg", [process.execPath, CLI, "svg", file]],
  ["godiag callgrind", [process.execPath, CLI, "callgrind", file]],
  ["pprof -callgrind", [pprof, "-symbolize=none", "-callgrind", file]],
];

console.log("| input | command | wall (median) | CPU user+sys (median) | max RSS | output |");
console.log("|---|---|---|---|---|---|");
for (const [name, file] of inputs) {
  const rows = tools(file).map(([label, argv]) => ({ label, argv, runs: [] }));
  for (let i = 0; i < RUNS; i++) for (const r of rows) r.runs.push(run(r.argv));
  const out = Object.fromEntries(rows.map((r) => [r.label, r.runs[0].stdout]));
  const same = {
    "godiag dot": out["godiag dot"] === out["pprof -dot"] ? "= pprof -dot" : "DIFFERS from pprof -dot",
    "godiag callgrind": out["godiag callgrind"] === out["pprof -callgrind"] ? "= pprof -callgrind" : "DIFFERS from pprof -callgrind",
  };
  for (const r of rows) {
    const mb = (statSync(file).size / 1e6).toFixed(1);
    console.log(
      `| ${name}, ${mb} MB | ${r.label} | ${median(r.runs.map((x) => x.wallMs)).toFixed(0)} ms | ${median(r.runs.map((x) => x.cpuMs)).toFixed(0)} ms | ${Math.max(...r.runs.map((x) => x.rssMB)).toFixed(0)} MB | ${same[r.label] ?? ""} |`,
    );
  }
}
