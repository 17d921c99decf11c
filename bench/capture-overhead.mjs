// Overhead of one default `godiag capture` on the service it captures, measured
// directly: a Go load generator (bench/loadgen: closed loop, fixed concurrency,
// 127.0.0.1 only, bounded in time and count) records the requests completed
// every 100 ms against testdata/workloads/badtarget's /work handler while one
// whole capture runs (`godiag capture URL`, default --seconds 30: snapshot
// round, CPU window with block/mutex deltas, second goroutine dump). The
// manifest's fetch times split the capture into phases:
//   before   capture start -> CPU profile start (snapshot round, Node start-up)
//   window   the CPU profile's seconds (100 Hz SIGPROF sampling in the target)
//   after    CPU profile end -> capture end (goroutine dump #2, writing)
// Baseline: the same load in the seconds before and after the capture.
//
// Two placements on the 2-core machine:
//   isolated  target pinned to CPU 1 (GOMAXPROCS=1); load generator and godiag
//             on CPU 0: what the service itself pays for being captured
//   shared    nothing pinned: godiag's own CPU competes with the target too
//
// A second table: the longest stop-the-world pause each snapshot fetch causes,
// by goroutine count (badtarget -idle N -probe: a spinning goroutine records
// the longest gap between its clock reads; a pause stops it too).
//
// Usage: npm run build:bundle && node bench/capture-overhead.mjs [--runs 3] [--seconds 30] [--mode isolated,shared] [--pauses 1000,10000,50000,100000] [--nice N]
// (--nice N runs godiag under nice -n N: the experiment recorded in docs/PERFORMANCE.md)
// Prints a markdown section (docs/PERFORMANCE.md keeps the latest one).

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist/godiag.mjs");
const OUT = join(ROOT, "bench/out");
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const RUNS = Number(arg("runs", "3"));
const SECONDS = Number(arg("seconds", "30"));
const MODES = arg("mode", "isolated,shared").split(",").filter((m) => m === "isolated" || m === "shared");
const NICE = arg("nice", ""); // experiment: run godiag under nice -n N
const CONCURRENCY = 8;
const WORK = "/work?n=3000"; // ~0.7 ms of sha256 per request: a few thousand requests/s per core
const PRE = 10; // baseline seconds before the capture (the first 2 are warm-up)
const POST = 6; // baseline seconds after it
const BUCKET_MS = 20;

mkdirSync(OUT, { recursive: true });
const targetBin = join(OUT, "badtarget");
const loadgenBin = join(OUT, "loadgen");
execFileSync("go", ["build", "-o", targetBin, "./badtarget"], { cwd: join(ROOT, "testdata/workloads"), stdio: "inherit" });
execFileSync("go", ["build", "-o", loadgenBin, "."], { cwd: join(ROOT, "bench/loadgen"), stdio: "inherit" });

const pinned = (cpu, cmd, args) => (cpu === undefined ? [cmd, args] : ["taskset", ["-c", String(cpu), cmd, ...args]]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on("exit", () => {
  for (const c of children) {
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {}
  }
});

function start(cpu, cmd, args, env = {}, stderr = "inherit") {
  const [c, a] = pinned(cpu, cmd, args);
  const p = spawn(c, a, { stdio: ["ignore", "pipe", stderr], detached: true, env: { ...process.env, ...env } });
  children.add(p);
  p.on("exit", () => children.delete(p));
  return p;
}

async function startTarget(mode, extra = []) {
  const env = mode === "isolated" ? { GOMAXPROCS: "1" } : {};
  const t = start(mode === "isolated" ? 1 : undefined, targetBin, ["-seconds", "600", ...extra], env);
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("badtarget did not start")), 10_000);
    t.stdout.on("data", (d) => {
      const m = /listening on (\S+)/.exec(d.toString());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return { proc: t, url };
}

function collect(proc) {
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  return new Promise((resolve) => proc.on("exit", (code) => resolve({ code, out })));
}

/** One run: baseline, one default capture, baseline; returns phase boundaries and the timeline. */
async function oneRun(mode) {
  const { proc: target, url } = await startTarget(mode);
  const loadCpu = mode === "isolated" ? 0 : undefined;
  const maxSeconds = PRE + SECONDS + 60 + POST;
  const load = start(loadCpu, loadgenBin, ["-url", url + WORK, "-c", String(CONCURRENCY), "-seconds", String(maxSeconds), "-bucket", `${BUCKET_MS}ms`]);
  const loadDone = collect(load);
  await sleep(PRE * 1000);

  const bundle = join(OUT, "capture-overhead-bundle");
  rmSync(bundle, { recursive: true, force: true });
  const captureStart = Date.now();
  const godiag = NICE ? ["nice", ["-n", NICE, process.execPath, CLI]] : [process.execPath, [CLI]];
  const cap = start(loadCpu, godiag[0], [...godiag[1], "capture", url, "-q", "-o", bundle, "--seconds", String(SECONDS)], {}, "ignore");
  const { code } = await collect(cap);
  const captureEnd = Date.now();
  if (code !== 0) throw new Error(`capture exited ${code}`);
  const manifest = JSON.parse(readFileSync(join(bundle, "manifest.json"), "utf8"));
  const cpu = manifest.files.find((f) => f.kind === "cpu");
  const windowStart = Date.parse(cpu.time);
  const windowEnd = windowStart + cpu.seconds * 1000;

  await sleep(POST * 1000);
  process.kill(load.pid, "SIGTERM");
  const { out } = await loadDone;
  process.kill(-target.pid, "SIGKILL");
  const tl = JSON.parse(out);
  if (tl.errors > 0) throw new Error(`load generator saw ${tl.errors} errors`);
  return { tl, captureStart, windowStart, windowEnd, captureEnd };
}

/** Requests completed in [from, to) (unix ms), buckets cut proportionally. */
function requests(tl, from, to) {
  let n = 0;
  tl.counts.forEach((c, i) => {
    const b0 = tl.startUnixMs + i * tl.bucketMs;
    const overlap = Math.min(to, b0 + tl.bucketMs) - Math.max(from, b0);
    if (overlap > 0) n += (c * overlap) / tl.bucketMs;
  });
  return n;
}

function phases(r) {
  const { tl } = r;
  const tlEnd = tl.startUnixMs + tl.counts.length * tl.bucketMs;
  const base = [
    [tl.startUnixMs + 2000, r.captureStart - 200],
    [r.captureEnd + 200, tlEnd],
  ];
  const rate = (spans) => {
    const n = spans.reduce((s, [a, b]) => s + requests(tl, a, b), 0);
    const secs = spans.reduce((s, [a, b]) => s + (b - a), 0) / 1000;
    return { rps: n / secs, secs, n };
  };
  const baseline = rate(base);
  const before = rate([[r.captureStart, r.windowStart]]);
  const window = rate([[r.windowStart, r.windowEnd]]);
  const after = rate([[r.windowEnd, r.captureEnd]]);
  const outside = rate([
    [r.captureStart, r.windowStart],
    [r.windowEnd, r.captureEnd],
  ]);
  const whole = rate([[r.captureStart, r.captureEnd]]);
  const loss = (p) => (baseline.rps - p.rps) / baseline.rps;
  // Requests the outside phases lost, as a share of what the whole capture would have served.
  const outsideShare = (baseline.rps * outside.secs - outside.n) / (baseline.rps * whole.secs);
  return { baseline, before, window, after, outside, whole, loss, outsideShare };
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (x) => `${(x * 100).toFixed(1)} %`;
const list = (a, f) => a.map(f).join(", ");

const lines = [];
for (const mode of MODES) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const p = phases(await oneRun(mode));
    runs.push(p);
    process.stderr.write(
      `${mode} run ${i + 1}: baseline ${p.baseline.rps.toFixed(0)} req/s; before ${p.before.secs.toFixed(2)} s ${pct(p.loss(p.before))}; ` +
        `window ${pct(p.loss(p.window))}; after ${p.after.secs.toFixed(2)} s ${pct(p.loss(p.after))}; whole ${pct(p.loss(p.whole))}\n`,
    );
  }
  const row = (name, get) => {
    const losses = runs.map((p) => p.loss(get(p)));
    return `| ${mode} | ${name} | ${median(runs.map((p) => get(p).secs)).toFixed(2)} s | ${list(runs, (p) => get(p).rps.toFixed(0))} | ${list(losses, pct)} | **${pct(median(losses))}** |`;
  };
  lines.push(`| ${mode} | baseline (before and after the capture) | ${median(runs.map((p) => p.baseline.secs)).toFixed(1)} s | ${list(runs, (p) => p.baseline.rps.toFixed(0))} | - | - |`);
  lines.push(row("before the CPU window (snapshot round)", (p) => p.before));
  lines.push(row("CPU profile window", (p) => p.window));
  lines.push(row("after the CPU window (goroutine dump #2, write)", (p) => p.after));
  lines.push(row("outside the CPU window (before + after)", (p) => p.outside));
  lines.push(row("whole capture", (p) => p.whole));
  lines.push(
    `| ${mode} | requests lost outside the window / requests of the whole capture | - | - | ${list(runs, (p) => pct(p.outsideShare))} | **${pct(median(runs.map((p) => p.outsideShare)))}** |`,
  );
}

// Stop-the-world pauses per fetch, by goroutine count.
const PAUSE_COUNTS = arg("pauses", "1000,10000,50000,100000").split(",").filter(Boolean).map(Number);
const ENDPOINTS = ["goroutine?debug=2", "goroutine?debug=1", "goroutine", "heap", "allocs", "heap?debug=1", "block", "mutex", "threadcreate"];
const pauseRows = [];
for (const n of PAUSE_COUNTS) {
  const { proc, url } = await startTarget("shared", ["-idle", String(n), "-probe"]);
  // {gapNs, stwNs}: the prober's longest stall, and the runtime's longest non-GC stop-the-world pause since the last call
  const gap = async () => {
    const j = await (await fetch(`${url}/maxgap`)).json();
    return { gap: j.gapNs / 1e6, stw: j.stwNs / 1e6 };
  };
  await sleep(1000);
  await gap();
  await sleep(500);
  const idle = await gap();
  const row = { n, idle, ep: {}, capture: 0 };
  for (const ep of ENDPOINTS) {
    const g = [];
    for (let i = 0; i < RUNS; i++) {
      await gap();
      const r = await fetch(`${url}/debug/pprof/${ep}`);
      await r.arrayBuffer();
      g.push(await gap());
    }
    row.ep[ep] = { gap: median(g.map((x) => x.gap)), stw: median(g.map((x) => x.stw)) };
  }
  const g = [];
  for (let i = 0; i < RUNS; i++) {
    await gap();
    const { code } = await collect(start(undefined, process.execPath, [CLI, "capture", url, "-q", "-o", join(OUT, "capture-overhead-bundle"), "--seconds", "0", "--interval", "0"], {}, "ignore"));
    if (code !== 0) throw new Error(`capture exited ${code}`);
    g.push(await gap());
  }
  row.capture = { gap: median(g.map((x) => x.gap)), stw: median(g.map((x) => x.stw)) };
  process.kill(-proc.pid, "SIGKILL");
  pauseRows.push(row);
  process.stderr.write(`pauses, ${n} goroutines: debug=2 ${JSON.stringify(row.ep["goroutine?debug=2"])} ms, whole snapshot round ${JSON.stringify(row.capture)} ms\n`);
}
const ms = (x) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
const cell = (x) => `${ms(x.stw)} / ${ms(x.gap)}`;

console.log(`## Capture overhead (bench/capture-overhead.mjs)

One default capture (\`godiag capture URL --seconds ${SECONDS}\`) against testdata/workloads/badtarget \`${WORK}\`,
${CONCURRENCY} keep-alive clients (bench/loadgen, Go) on 127.0.0.1, requests counted every ${BUCKET_MS} ms; ${RUNS} runs per placement,
each with ${PRE - 2} s of baseline before and ${POST} s after the capture. Phases from the manifest's fetch times.

| placement | phase | duration (median) | requests/s (runs) | loss (runs) | loss (median) |
|---|---|---|---|---|---|
${lines.join("\n")}

Longest pause of the service per fetch, by goroutine count (badtarget -idle N -probe, GOMAXPROCS=2; median of ${RUNS}), in ms:
the runtime's own longest non-GC stop-the-world pause (runtime/metrics \`/sched/pauses/total/other:seconds\`, upper bound
of its histogram bucket) / the longest stall a spinning goroutine saw (STW plus OS scheduling on the shared cores).

| goroutines | no fetch | ${ENDPOINTS.join(" | ")} | whole snapshot round (\`capture --seconds 0 --interval 0\`) |
|---|---|${ENDPOINTS.map(() => "---|").join("")}---|
${pauseRows.map((r) => `| ${r.n} | ${cell(r.idle)} | ${ENDPOINTS.map((e) => cell(r.ep[e])).join(" | ")} | ${cell(r.capture)} |`).join("\n")}
`);
process.exit(0);
