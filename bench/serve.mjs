#!/usr/bin/env node
// BENCH_ONLY=serve npm run bench: the web UI (godiag serve) on a ~20 MB gzipped profile
// (bench/gen-large, 600k samples), against go tool pprof -http -no_browser on the same file.
//
// For each of BENCH_SERVE_RUNS (default 3) rounds:
//   - godiag serve: start -> URL printed ("up"); then headless Chromium opens the URL and
//     we time until the first view has drawn (body[data-ready]): the first paint after
//     the server is up (target < 1 s); then the flame view (its level of detail: frames
//     sent); peak RSS (VmHWM) of the server after both.
//   - pprof -http: start -> the port answers; then GET /ui/top and /ui/flamegraph, timed;
//     peak RSS (VmHWM) after both.
// Medians are reported. The machine is shared: compare ratios, not seconds.
// BENCH_SERVE_PEER=0 skips pprof -http (minutes and gigabytes on this profile).
//
// BENCH_SERVE_BIG=1 adds the big case (acceptance 4): a ~300 MB uncompressed profile
// (bench/gen-large -raw, 3M samples; generated into bench/out, not committed). godiag serve:
// start -> up, then the flame view in Chromium, flame zoom and hover per frame (as
// bench/flame.mjs measures them), /api/meta while a graph view computes (interactive?), peak
// RSS. pprof -http on the same file: until /ui/flamegraph answers, or stopped after
// BENCH_SERVE_PEER_TIMEOUT_S (default 300) or past BENCH_SERVE_PEER_MAX_GB (default 12:
// the machine is shared), its peak RSS recorded when it answered or was stopped.
// BENCH_SERVE_RUNS=0 skips the 20 MB rounds.

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out");
const CLI = join(ROOT, "dist/godiag.mjs");
const RUNS = Number(process.env.BENCH_SERVE_RUNS ?? 3);
mkdirSync(OUT, { recursive: true });

const file = join(OUT, "serve-20mb.pb.gz");
if (RUNS > 0 && !existsSync(file)) {
  console.error("generating a ~20 MB profile (bench/gen-large -samples 600000) ...");
  execFileSync("go", ["run", ".", "-samples", "600000", "-o", file], { cwd: join(ROOT, "bench/gen-large"), stdio: "inherit" });
}
const pprof = join(OUT, "pprof");
if (!existsSync(pprof)) {
  console.error("building go tool pprof from the machine's Go ...");
  execFileSync("go", ["build", "-o", pprof, "cmd/pprof"], { stdio: "inherit" });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;
const peakKB = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

function stop(child) {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    child.once("exit", () => res());
    child.kill("SIGTERM");
  });
}

async function ours(browser) {
  const t0 = now();
  const child = spawn(process.execPath, [CLI, "serve", file], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((res, rej) => {
    let out = "";
    child.stdout.on("data", (b) => {
      out += b;
      const m = /(http:\/\/\S+)/.exec(out);
      if (m) res(m[1]);
    });
    child.once("exit", (c) => rej(new Error(`godiag serve exited ${c}`)));
  });
  const up = now();
  try {
    return await measure(browser, child, url, t0, up);
  } finally {
    // a failed measurement must not leave the server running
    await stop(child);
  }
}

async function measure(browser, child, url, t0, up) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const t1 = now();
  await page.goto(url, { waitUntil: "commit", timeout: 120_000 });
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  const paint = now() - t1;
  const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN);
  const rows = await page.$$eval("table.top tbody tr", (t) => t.length);
  const t2 = now();
  await page.goto(url + "?view=flame", { waitUntil: "commit", timeout: 300_000 });
  await page.waitForSelector("body[data-ready]", { timeout: 300_000 });
  const flame = now() - t2;
  const frames = await page.evaluate(() => document.getElementById("godiag-flame").godiagFlame.state().nodes);
  const rss = peakKB(child.pid);
  await page.close();
  return { startMs: up - t0, paintMs: paint, fcpMs: fcp, flameMs: flame, rows, frames, rssKB: rss };
}

async function theirs() {
  const port = await freePort();
  const t0 = now();
  const child = spawn(pprof, [`-http=127.0.0.1:${port}`, "-no_browser", file], {
    stdio: ["ignore", "ignore", "ignore"],
    env: { ...process.env, PPROF_TMPDIR: OUT, PPROF_BINARY_PATH: "/nonexistent" },
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      await fetch(base + "/ui/top?n=1");
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const up = now();
  const t1 = now();
  await (await fetch(base + "/ui/top")).text();
  const top = now() - t1;
  const t2 = now();
  await (await fetch(base + "/ui/flamegraph")).text();
  const flame = now() - t2;
  const rss = peakKB(child.pid);
  await stop(child);
  return { startMs: up - t0, topMs: top, flameMs: flame, rssKB: rss };
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
// Chromium's own first page (renderer start-up) is not the server's: open one before measuring.
await (await browser.newPage()).close();
const a = [];
const b = [];
for (let i = 0; i < RUNS; i++) {
  a.push(await ours(browser));
  if (process.env.BENCH_SERVE_PEER !== "0") b.push(await theirs());
}
await browser.close();
const m = (xs, k) => median(xs.map((x) => x[k]));
if (RUNS > 0) {
const size = (readFileSync(file).length / 1e6).toFixed(1);
console.log(`\n## godiag serve vs go tool pprof -http (${size} MB gzipped profile, ${RUNS} runs, medians)\n`);
console.log(`| | start (until serving) | first contentful paint after up | first view drawn after up | flame view | peak RSS |`);
console.log(`|---|---|---|---|---|---|`);
console.log(`| godiag serve | ${m(a, "startMs").toFixed(0)} ms | ${m(a, "fcpMs").toFixed(0)} ms | ${m(a, "paintMs").toFixed(0)} ms (top, ${a[0].rows} rows, in Chromium) | ${m(a, "flameMs").toFixed(0)} ms (${a[0].frames} frames sent) | ${(m(a, "rssKB") / 1024).toFixed(0)} MB |`);
if (b.length > 0) console.log(`| pprof -http | ${m(b, "startMs").toFixed(0)} ms | | ${m(b, "topMs").toFixed(0)} ms (/ui/top, HTML only) | ${m(b, "flameMs").toFixed(0)} ms (/ui/flamegraph) | ${(m(b, "rssKB") / 1024).toFixed(0)} MB |`);
console.log(`\nfirst view < 1 s after up: ${m(a, "paintMs") < 1000 ? "yes" : "NO"}` + (b.length > 0 ? `; RSS ratio ours/pprof: ${(m(a, "rssKB") / m(b, "rssKB")).toFixed(2)}` : ""));
}
if (process.env.BENCH_SERVE_BIG === "1") {
  const { bigCase } = await import("./serve-big.mjs");
  await bigCase({ OUT, CLI, pprof, peakKB, freePort, stop, now, median });
}
