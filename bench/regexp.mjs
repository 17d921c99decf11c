#!/usr/bin/env node
// Regular expressions: user patterns (--focus, --ignore, --show, --hide, --tagfocus, peek's regex)
// on re2js (Go's regexp ported to JS: RE2 syntax, linear time) against V8's backtracking RegExp,
// which godiag used for them until the switch (V8_REF below). Prints a markdown section for
// docs/PERFORMANCE.md ("Regular expressions"). Needs dist/ (npm run build:bundle), git and esbuild
// (to build the V8-era CLI from V8_REF into bench/out/), go (to generate the 1M-sample profile).
//
//   1. engines alone: each (input, pattern, engine) in a fresh node process, as a CLI run meets it:
//      load the engine, compile, one pass over the distinct strings pprof's FilterSamplesByName
//      tests (function names, file names, mapping files), then the warm cost per string;
//   2. whole commands: `godiag top --focus P FILE` and friends, this build against the V8 build,
//      alternating run by run (same load for both), median wall and CPU (user+sys), and whether
//      both printed the same bytes (stdout and stderr);
//   3. pathological patterns: both builds, the V8 one killed after --timeout seconds;
//   4. the legacy parser's fixed patterns (core/codec/legacy/regexp.ts): V8 and re2js per line.
//
//   --runs N         runs per command and build (default 5; medians are reported)
//   --timeout S      kill a pathological run after S seconds (default 20)
//   --cli FILE       the build to measure (default dist/godiag.mjs)
//   --baseline FILE  the V8-era CLI to compare with (default: built from V8_REF)
//   --no-baseline    only this build

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out");
mkdirSync(OUT, { recursive: true });
const ESBUILD = join(ROOT, "node_modules/.bin/esbuild");
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const RUNS = Number(opt("--runs", process.env.BENCH_RUNS ?? 5));
const TIMEOUT_S = Number(opt("--timeout", 20));
const CLI = argv.includes("--cli") ? resolve(opt("--cli")) : join(ROOT, "dist/godiag.mjs");
/** A commit whose user patterns ran on V8 (core/go/regexp.ts translated them to a RegExp), as up to this change. */
const V8_REF = "ee92c92cb1ef9b76e259a5b8acc8d0ba2cfc01c2";

if (!existsSync(CLI)) {
  console.error(`bench/regexp: ${CLI} missing: run npm run build:bundle first`);
  process.exit(1);
}

// ---- the CLI of V8_REF ----
function buildBaseline() {
  const ref = execFileSync("git", ["rev-parse", "--verify", "--quiet", V8_REF.slice(0, 12) + "^{commit}"], { cwd: ROOT, encoding: "utf8" }).trim();
  const dir = join(OUT, "regexp-v8-" + ref.slice(0, 12));
  const cli = join(dir, "godiag.mjs");
  if (existsSync(cli)) return cli;
  console.error(`bench/regexp: building the V8-era CLI from ${ref.slice(0, 12)} into ${dir} ...`);
  rmSync(dir, { recursive: true, force: true });
  // The sources go to a temporary directory, not under bench/: eslint and tsc would read them there.
  const src = mkdtempSync(join(tmpdir(), "godiag-v8-src-"));
  try {
    const tar = spawnSync("git", ["archive", "--format=tar", ref, "src"], { cwd: ROOT, maxBuffer: 1 << 30 });
    if (tar.status !== 0) throw new Error(`git archive ${ref}: ${tar.stderr}`);
    execFileSync("tar", ["-x", "-C", src], { input: tar.stdout });
    // The esbuild invocation of package.json's build:bundle at V8_REF; NODE_PATH finds our node_modules.
    execFileSync(ESBUILD, [
      join(src, "src/apps/cli/main.ts"), "--bundle", "--splitting", "--platform=node", "--format=esm", "--target=node20",
      `--outdir=${dir}`, "--entry-names=godiag", "--chunk-names=chunks/[name]-[hash]", "--out-extension:.js=.mjs",
      "--log-level=warning", "--banner:js=import { createRequire as __godiagRequire } from 'node:module'; const require = __godiagRequire(import.meta.url);",
    ], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NODE_PATH: join(ROOT, "node_modules") } });
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
  return cli;
}
let baseline = null;
if (!argv.includes("--no-baseline")) baseline = argv.includes("--baseline") ? resolve(opt("--baseline")) : buildBaseline();

// ---- the in-process helper (TypeScript from src/, bundled once) ----
const HELPER_SRC = String.raw`
import { readFileSync, writeFileSync } from "node:fs";
import { parseProfileData, writeProfileGz } from "../src/core/codec/index.js";
import { DEFAULT_LIMITS } from "../src/core/input/index.js";
import { ProfileBuilder } from "../src/core/model/builder.js";
import { goRegExp, re2js } from "../src/core/go/regexp.js";
import { LinearRegExp } from "../src/core/codec/legacy/regexp.js";

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const [cmd, ...args] = process.argv.slice(2);

if (cmd === "names") {
  // What FilterSamplesByName tests: function names, file names, mapping files (distinct).
  const p = parseProfileData(readFileSync(args[0]), args[0], DEFAULT_LIMITS);
  const names = new Set<string>();
  for (let f = 0; f < p.functions.length; f++) {
    names.add(p.str(p.functions.name[f]));
    names.add(p.str(p.functions.filename[f]));
  }
  for (const m of p.mappings) names.add(m.file);
  writeFileSync(args[1], JSON.stringify([...names]));
  console.log(JSON.stringify({ functions: p.functions.length, locations: p.locations.length, samples: p.samples.length, names: names.size }));
} else if (cmd === "synth") {
  // 40 functions whose names are runs of 40..79 'a' then ".b": (a+)+$ backtracks 2^n steps on each for V8.
  const b = new ProfileBuilder();
  b.sampleTypes = [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }];
  b.periodType = { type: "cpu", unit: "nanoseconds" };
  b.period = 10_000_000;
  const main = b.addLocation([{ func: b.addFunction("main.main", "main.main", "main.go"), line: 1 }]);
  for (let i = 0; i < 40; i++) {
    const name = "a".repeat(40 + i) + ".b";
    const loc = b.addLocation([{ func: b.addFunction(name, name, "a.go"), line: 1 }]);
    b.addSample([loc, main], [1 + i, (1 + i) * 10_000_000]);
  }
  writeFileSync(args[0], writeProfileGz(b.build()));
  console.log(JSON.stringify({ functions: b.functionCount, samples: b.sampleCount }));
} else if (cmd === "match") {
  // One cold CLI-like pass: load + compile + one test per distinct name; then warm ns per name.
  // CPU time (user+sys of this process): the machine may be shared.
  const [namesFile, engine, pattern] = args;
  const names: string[] = JSON.parse(readFileSync(namesFile, "utf8"));
  const cpu = (c0: NodeJS.CpuUsage): number => {
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  let c0 = process.cpuUsage();
  let re: { test(s: string): boolean };
  if (engine === "v8") {
    // The V8-era translation for these patterns: a leading (?i) becomes the i flag.
    const lead = /^\(\?i\)/.exec(pattern);
    re = new RegExp(lead ? pattern.slice(lead[0].length) : pattern, lead ? "ui" : "u");
  } else if (engine === "re2js") {
    re = re2js().RE2JS.compile(pattern); // loads re2js
  } else {
    re = goRegExp(pattern); // what godiag runs: string search for literal patterns, else re2js
  }
  const compileMs = cpu(c0);
  c0 = process.cpuUsage();
  let hits = 0;
  for (const n of names) if (re.test(n)) hits++;
  const firstPassMs = cpu(c0);
  const warm: number[] = [];
  for (let k = 0; k < 7; k++) {
    c0 = process.cpuUsage();
    let tested = 0;
    do {
      for (const n of names) re.test(n);
      tested += names.length;
    } while (cpu(c0) < 20);
    warm.push((cpu(c0) * 1e6) / tested);
  }
  warm.sort((a, b) => a - b);
  console.log(JSON.stringify({ compileMs, firstPassMs, warmNs: warm[3], hits }));
} else if (cmd === "legacy") {
  // pprof's memory-map and thread patterns (core/codec/legacy): GuardedRegExp runs V8 up to 1024 chars, re2js above.
  const S = "[\\t\\n\\f\\r ]";
  const HEX = "[0-9A-Fa-f]";
  const cHex = "(?:0x)?(" + HEX + "+)";
  const cHexRange = S + "*" + cHex + "[\\t\\n\\f\\r -]?" + S + "*" + cHex + ":?";
  const cPerm = "(?:" + S + "+([-rwxp]+))?";
  const cSpaceHex = "(?:" + S + "+(" + HEX + "+))?";
  const cSpaceString = "(?:" + S + "+([^\\t\\n\\f\\r ]+))?";
  const procMaps = "^" + cHexRange + cPerm + cSpaceHex + S + "+" + HEX + "+:" + HEX + "+" + S + "+[0-9]+" + cSpaceString;
  const threadGo = "--- Thread ([[:xdigit:]]+) \\(name: (.*)/(\\d+)\\) stack: ---";
  const threadJs = /--- Thread ([0-9A-Fa-f]+) \(name: ([^\n]*)\/(\d+)\) stack: ---/;
  const cases: [string, RegExp, string, string, (n: number) => string][] = [
    ["/proc/self/maps line", new RegExp(procMaps), procMaps, "00400000-00c2d000 r-xp 00000000 08:01 1234567 /usr/bin/server", (n) => "0".repeat(n)],
    ["threadz header", threadJs, threadGo, "--- Thread 7f3a2c001700 (name: worker/12345) stack: ---", (n) => "--- Thread 1 (name: " + "a/".repeat(n / 2)],
  ];
  const per = (f: () => unknown, reps: number): number => {
    let best = Infinity;
    for (let k = 0; k < 5; k++) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < reps; i++) f();
      best = Math.min(best, (ms(t) * 1000) / reps);
    }
    return best;
  };
  const out = [];
  for (const [name, v8, goSrc, short, long] of cases) {
    const lin = new LinearRegExp(goSrc);
    const k4 = long(4096);
    const k64 = long(65536);
    out.push({
      name,
      v8ShortUs: per(() => v8.exec(short), 20000),
      re2ShortUs: per(() => lin.exec(short), 20000),
      v8Long4Us: per(() => v8.exec(k4), 1), // V8 is quadratic here: 64 KiB takes about a minute
      re2Long4Us: per(() => lin.exec(k4), 20),
      re2Long64Us: per(() => lin.exec(k64), 20),
    });
  }
  console.log(JSON.stringify(out));
}
`;
const helper = join(OUT, "regexp-helper.mjs");
execFileSync(ESBUILD, ["--bundle", "--platform=node", "--format=esm", "--loader=ts", "--sourcefile=regexp-helper.ts", `--outfile=${helper}`, "--log-level=warning",
  "--banner:js=import { createRequire as __godiagRequire } from 'node:module'; const require = __godiagRequire(import.meta.url);"],
  { cwd: join(ROOT, "bench"), input: HELPER_SRC });
const help = (...args) => JSON.parse(execFileSync(process.execPath, [helper, ...args], { encoding: "utf8", maxBuffer: 1 << 28 }));

// ---- inputs ----
const big = join(OUT, "flame-1m-100k.pb.gz"); // the same file bench/flame.mjs uses
if (!existsSync(big)) {
  console.error("bench/regexp: generating 1M samples over 100k stacks (bench/gen-large -stacks) ...");
  execFileSync("go", ["run", ".", "-samples", "1000000", "-stacks", "100000", "-o", big], { cwd: join(ROOT, "bench/gen-large"), stdio: "inherit" });
}
const synth = join(OUT, "regexp-a-runs.pb.gz");
help("synth", synth);
const inputs = [
  { key: "gen", name: "generated 1M samples (bench/gen-large)", file: big },
  { key: "large", name: "large.cpu (google/pprof corpus)", file: resolve(ROOT, "../shared/corpus/google-pprof/internal/proftest/testdata/large.cpu") },
  { key: "ship", name: "shipquote cpu.pb.gz (largest Go CPU profile in testdata/)", file: join(ROOT, "testdata/corpus/shipquote/capture-go126-heavy/cpu.pb.gz") },
].filter((i) => existsSync(i.file));
for (const i of inputs) {
  i.namesFile = join(OUT, `regexp-names-${i.key}.json`);
  Object.assign(i, help("names", i.file, i.namesFile));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load0 = loadavg()[0];

// ---- 1. engines alone ----
const PATTERNS = [
  "json", "encoding/json\\.\\(\\*decodeState\\)\\.object", "mallocgc|memmove|Get|Put", "^runtime\\.", "Encode$", "(?i)JSON", // literal
  "svc1[0-9]/(api|store)\\.", "\\.func[0-9]+$", "(?i)^net/http\\..*serve", // regexps
];
const engineRows = [];
for (const i of inputs) {
  for (const p of PATTERNS) {
    const v8 = help("match", i.namesFile, "v8", p);
    const re2 = help("match", i.namesFile, "re2js", p);
    const ours = help("match", i.namesFile, "godiag", p);
    if (v8.hits !== re2.hits || ours.hits !== re2.hits) throw new Error(`${p} on ${i.name}: V8 matched ${v8.hits} names, re2js ${re2.hits}, godiag ${ours.hits}`);
    engineRows.push({ input: i.name, pattern: p, v8, re2, ours });
  }
}

// ---- 2. whole commands ----
function runCli(cli, args, timeoutS) {
  // With a timeout, coreutils' timeout kills node itself (killing /usr/bin/time would leave node running).
  const argv = [process.execPath, cli, ...args];
  if (timeoutS) argv.unshift("timeout", "--signal=KILL", `${timeoutS}s`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%x %U %S", ...argv], { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, TZ: "UTC" } });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const lines = r.stderr.trimEnd().split("\n");
  const [status, u, s] = lines.pop().split(" ").map(Number);
  const note = /^Command (exited with non-zero status|terminated by signal)/.test(lines.at(-1) ?? "") ? lines.pop() : "";
  // timeout --signal=KILL takes its own process group down with the command: "terminated by signal 9"
  if (timeoutS && (status === 137 || status === 124 || note.endsWith("signal 9"))) return { killed: true, wallMs };
  return { killed: false, wallMs, cpuMs: (u + s) * 1000, out: r.stdout + "\0" + lines.join("\n"), code: status };
}

const CASES = [
  { inputs: ["gen", "large", "ship"], args: ["top"] },
  { inputs: ["gen", "large", "ship"], args: ["top", "--focus", "json"] },
  { inputs: ["gen"], args: ["top", "--focus", "encoding/json\\.\\(\\*decodeState\\)\\.object"] },
  { inputs: ["gen", "large", "ship"], args: ["top", "--focus", "mallocgc|memmove|Get|Put"] },
  { inputs: ["gen", "ship"], args: ["top", "--focus", "^runtime\\."] },
  { inputs: ["gen", "large", "ship"], args: ["top", "--focus", "(?i)JSON"] },
  { inputs: ["gen"], args: ["top", "--focus", "svc1[0-9]/(api|store)\\."] },
  { inputs: ["gen", "large", "ship"], args: ["top", "--focus", "\\.func[0-9]+$"] },
  { inputs: ["gen", "ship"], args: ["top", "--focus", "(?i)^net/http\\..*serve"] },
  { inputs: ["gen"], args: ["top", "--ignore", "runtime\\."] },
  { inputs: ["gen"], args: ["top", "--show", "svc|main", "--hide", "runtime"] },
  { inputs: ["gen"], args: ["top", "--tagfocus", "tenant=tenant-00[1-5]"] },
  { inputs: ["gen"], args: ["peek", "mallocgc$"] },
];
const clis = baseline ? [["V8", baseline], ["re2js", CLI]] : [["re2js", CLI]];
const cmdRows = [];
for (const c of CASES) {
  for (const key of c.inputs) {
    const input = inputs.find((i) => i.key === key);
    if (!input) continue;
    const args = [...c.args, input.file];
    const got = Object.fromEntries(clis.map(([label]) => [label, []]));
    for (let k = 0; k < RUNS; k++) for (const [label, cli] of clis) got[label].push(runCli(cli, args));
    const row = { input: input.name, args: c.args.join(" "), same: true };
    for (const [label] of clis) {
      row[label] = { wallMs: median(got[label].map((r) => r.wallMs)), cpuMs: median(got[label].map((r) => r.cpuMs)) };
    }
    const outs = clis.flatMap(([label]) => got[label].map((r) => r.out));
    row.same = outs.every((o) => o === outs[0]);
    cmdRows.push(row);
  }
}

// ---- 3. pathological patterns ----
const PATHO = [
  { file: synth, input: "40 names of 40-79 'a' (bench/regexp.mjs)", args: ["top", "--focus", "(a+)+$"] },
  { file: big, input: "generated 1M samples", args: ["top", "--focus", "([a-z./]+)+X"] },
  { file: synth, input: "40 names of 40-79 'a' (bench/regexp.mjs)", args: ["top", "--ignore", "(a|aa)+$"] },
];
const pathoRows = [];
for (const p of PATHO) {
  const row = { input: p.input, args: p.args.join(" ") };
  for (const [label, cli] of clis) row[label] = runCli(cli, [...p.args, p.file], TIMEOUT_S);
  pathoRows.push(row);
}

// ---- 4. legacy parser lines ----
const legacy = help("legacy");

// ---- report ----
const f0 = (v) => v.toFixed(0);
/** A code span in a markdown table cell: GitHub splits cells at | even inside backquotes. */
const code = (t) => "`" + t.replaceAll("|", "\\|") + "`";
const f1 = (v) => (v < 10 ? v.toFixed(1) : v.toFixed(0));
const lines = [];
lines.push("## Regular expressions (bench/regexp.mjs)", "");
lines.push(`${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, \`node bench/regexp.mjs\`, ${RUNS} alternating runs per command and build; V8 = the CLI of ${V8_REF.slice(0, 7)} (user patterns translated to a V8 RegExp), re2js = this build (string search for literal patterns, re2js for the rest). Load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end, on ${cpus().length} CPUs: compare CPU (user+sys) more than wall time.`, "");
lines.push("Inputs: " + inputs.map((i) => `${i.name}: ${i.functions.toLocaleString("en-US")} functions, ${i.locations.toLocaleString("en-US")} locations, ${i.samples.toLocaleString("en-US")} samples, ${i.names.toLocaleString("en-US")} distinct names`).join("; ") + ".", "");
lines.push("### Engines alone (a fresh process per row: load, compile, one pass over the distinct names, then warm)", "");
lines.push("CPU time. godiag = what core/go/regexp.ts runs: string search for literal patterns (optionally `^`/`$`-anchored, `|`-separated), re2js for the rest.", "");
lines.push("| input | pattern | hits | V8: compile + first pass | re2js: load + compile + first pass | godiag: same | V8 warm / name | re2js warm / name | godiag warm / name |", "|---|---|---:|---:|---:|---:|---:|---:|---:|");
for (const r of engineRows) {
  const cold = (x) => `${f1(x.compileMs)} + ${f1(x.firstPassMs)} ms`;
  lines.push(`| ${r.input} | ${code(r.pattern)} | ${r.v8.hits} | ${cold(r.v8)} | ${cold(r.re2)} | ${cold(r.ours)} | ${f0(r.v8.warmNs)} ns | ${f0(r.re2.warmNs)} ns | ${f0(r.ours.warmNs)} ns |`);
}
lines.push("", "### Whole commands (`godiag ARGS FILE`; median wall / median CPU)", "");
const hdr = clis.map(([l]) => l).join(" | ");
lines.push(`| input | args | ${hdr} | ${baseline ? "CPU re2js / V8 | " : ""}same output |`, `|---|---|${clis.map(() => "---:").join("|")}|${baseline ? "---:|" : ""}---|`);
for (const r of cmdRows) {
  const cells = clis.map(([l]) => `${f0(r[l].wallMs)} / ${f0(r[l].cpuMs)} ms`).join(" | ");
  const ratio = baseline ? ` ${(r.re2js.cpuMs / r.V8.cpuMs).toFixed(2)} |` : "";
  lines.push(`| ${r.input} | ${code(r.args)} | ${cells} |${ratio} ${r.same ? "yes" : "NO"} |`);
}
lines.push("", `### Pathological patterns (killed after ${TIMEOUT_S} s)`, "");
lines.push(`| input | args | ${hdr} |`, `|---|---|${clis.map(() => "---:").join("|")}|`);
for (const r of pathoRows) {
  const cells = clis.map(([l]) => (r[l].killed ? `killed after ${TIMEOUT_S} s` : `${f0(r[l].wallMs)} ms (CPU ${f0(r[l].cpuMs)} ms)`)).join(" | ");
  lines.push(`| ${r.input} | ${code(r.args)} | ${cells} |`);
}
lines.push("", "### Legacy parser patterns (trusted; core/codec/legacy/regexp.ts, best of 5)", "");
lines.push("| pattern | V8, short line | re2js, short line | V8, 4 KiB line | re2js, 4 KiB line | re2js, 64 KiB line |", "|---|---:|---:|---:|---:|---:|");
const us = (v) => (v >= 1000 ? `${f1(v / 1000)} ms` : `${v.toFixed(2)} µs`);
for (const r of legacy) {
  lines.push(`| ${r.name} | ${us(r.v8ShortUs)} | ${us(r.re2ShortUs)} | ${us(r.v8Long4Us)} | ${us(r.re2Long4Us)} | ${us(r.re2Long64Us)} |`);
}
console.log(lines.join("\n"));
