// The big case of bench/serve.mjs (BENCH_SERVE_BIG=1): acceptance 4 of godiag issue 17 on a
// ~300 MB uncompressed profile. See bench/serve.mjs for what is measured.

import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const rssKB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);

export async function bigCase({ OUT, CLI, pprof, peakKB, freePort, stop, now, median }) {
  const file = join(OUT, "serve-300mb.pb");
  if (!existsSync(file)) {
    console.error("generating a ~300 MB uncompressed profile (bench/gen-large -raw -samples 3000000) ...");
    execFileSync("go", ["run", ".", "-raw", "-samples", "3000000", "-o", file], { cwd: join(ROOT, "bench/gen-large"), stdio: "inherit" });
  }
  const mb = statSync(file).size / 1e6;
  const ours = await oursBig(file, { CLI, peakKB, stop, now, median });
  const theirs = process.env.BENCH_SERVE_PEER === "0" ? null : await theirsBig(file, { pprof, peakKB, freePort, stop, now });
  console.log(`\n## godiag serve on a ${mb.toFixed(0)} MB uncompressed profile (3M samples)${theirs ? " vs go tool pprof -http" : ""}\n`);
  console.log(`load average at the end: ${loadavg()}\n`);
  console.log(`| | until serving | flame view drawn | /api/meta while a call graph computes | flame zoom median / p95 | flame hover median / p95 | peak RSS |`);
  console.log(`|---|---|---|---|---|---|---|`);
  const f = (x) => `${x.toFixed(1)} ms`;
  console.log(
    `| godiag serve | ${(ours.startMs / 1000).toFixed(1)} s | ${(ours.flameMs / 1000).toFixed(1)} s (${ours.frames} frames sent) | ${ours.metaMs.toFixed(0)} ms (graph: ${(ours.graphMs / 1000).toFixed(1)} s) | ${f(ours.zoomMed)} / ${f(ours.zoomP95)} | ${f(ours.hoverMed)} / ${f(ours.hoverP95)} | ${(ours.rssKB / 1024).toFixed(0)} MB |`,
  );
  if (theirs !== null) {
    console.log(
      `| pprof -http | ${theirs.up ? `${(theirs.startMs / 1000).toFixed(1)} s` : `not serving after ${(theirs.startMs / 1000).toFixed(0)} s (stopped)`} | ${theirs.flameMs !== null ? `${(theirs.flameMs / 1000).toFixed(1)} s (/ui/flamegraph)` : "not answered (stopped)"} | | | | ${(theirs.rssKB / 1024).toFixed(0)} MB${theirs.stopped ? " when stopped" : ""} |`,
    );
    console.log(`\nRSS ratio ours/pprof: ${(ours.rssKB / theirs.rssKB).toFixed(3)} (target < 0.2)${theirs.stopped ? "; pprof's is a lower bound (stopped)" : ""}`);
  }
}

async function oursBig(file, { CLI, peakKB, stop, now, median }) {
  const t0 = now();
  const child = spawn(process.execPath, [CLI, "serve", file], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const url = await new Promise((res, rej) => {
      let out = "";
      child.stdout.on("data", (b) => {
        out += b;
        const m = /(http:\/\/\S+)/.exec(out);
        if (m) res(m[1]);
      });
      child.once("exit", (c) => rej(new Error(`godiag serve exited ${c}`)));
    });
    const startMs = now() - t0;
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const t1 = now();
      await page.goto(url + "?view=flame", { waitUntil: "commit", timeout: 900_000 });
      await page.waitForSelector("body[data-ready]", { timeout: 900_000 });
      const flameMs = now() - t1;
      const m = await page.evaluate(() => {
        const a = document.getElementById("godiag-flame").godiagFlame;
        const canvas = document.querySelector("canvas.gdf-canvas");
        const r = canvas.getBoundingClientRect();
        const zoom = [];
        const hover = [];
        // as bench/flame.mjs: clicks at depth 3..8 across the width, then reset; each redraws synchronously
        for (let k = 0; k < 100; k++) {
          const x = r.left + (((k * 37) % 100) / 100) * r.width + 1;
          const y = r.top + (3 + (k % 6)) * 18 + 5;
          let t = performance.now();
          canvas.dispatchEvent(new MouseEvent("click", { clientX: x, clientY: y, bubbles: true }));
          zoom.push(performance.now() - t);
          t = performance.now();
          a.reset();
          zoom.push(performance.now() - t);
        }
        for (let k = 0; k < 200; k++) {
          const x = r.left + ((k * 7.3) % r.width);
          const y = r.top + ((k * 5) % 20) * 18 + 5;
          const t = performance.now();
          canvas.dispatchEvent(new MouseEvent("mousemove", { clientX: x, clientY: y, bubbles: true }));
          hover.push(performance.now() - t);
        }
        return { zoom, hover, frames: a.state().nodes };
      });
      await page.close();
      // interactive while a big view computes: the call graph on the worker, /api/meta on the HTTP thread
      const t2 = now();
      const graph = fetch(url + "api/dot?p=0&base=-1").then(async (r) => (await r.text(), now() - t2));
      await new Promise((r) => setTimeout(r, 500));
      const t3 = now();
      await (await fetch(url + "api/meta")).text();
      const metaMs = now() - t3;
      const graphMs = await graph;
      const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
      return {
        startMs,
        flameMs,
        frames: m.frames,
        zoomMed: median(m.zoom),
        zoomP95: p95(m.zoom),
        hoverMed: median(m.hover),
        hoverP95: p95(m.hover),
        metaMs,
        graphMs,
        rssKB: peakKB(child.pid),
      };
    } finally {
      await browser.close();
    }
  } finally {
    await stop(child);
  }
}

export async function theirsBig(file, { pprof, peakKB, freePort, stop, now }) {
  const limitMs = Number(process.env.BENCH_SERVE_PEER_TIMEOUT_S ?? 300) * 1000;
  const maxKB = Number(process.env.BENCH_SERVE_PEER_MAX_GB ?? 12) * 1024 * 1024;
  const port = await freePort();
  const t0 = now();
  const child = spawn(pprof, [`-http=127.0.0.1:${port}`, "-no_browser", file], {
    stdio: ["ignore", "ignore", "ignore"],
    env: { ...process.env, PPROF_TMPDIR: dirname(file), PPROF_BINARY_PATH: "/nonexistent" },
  });
  const base = `http://127.0.0.1:${port}`;
  let peak = 0;
  let stopped = false;
  const watch = setInterval(() => {
    try {
      // NaN before pprof's exec (the forked process has no VmHWM line yet)
      const k = peakKB(child.pid);
      if (k > peak) peak = k;
      if (rssKB(child.pid) > maxKB || now() - t0 > limitMs) {
        stopped = true;
        child.kill("SIGKILL");
      }
    } catch {
      // exited
    }
  }, 500);
  let up = false;
  let startMs = 0;
  let flameMs = null;
  try {
    while (!stopped && child.exitCode === null) {
      try {
        await fetch(base + "/ui/top?n=1", { signal: AbortSignal.timeout(Math.max(1, limitMs - (now() - t0))) });
        up = true;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    startMs = now() - t0;
    if (up && !stopped) {
      const t1 = now();
      try {
        await (await fetch(base + "/ui/flamegraph", { signal: AbortSignal.timeout(Math.max(1, limitMs - (now() - t0))) })).text();
        flameMs = now() - t1;
      } catch {
        stopped = true;
      }
    }
    try {
      const k = peakKB(child.pid);
      if (k > peak) peak = k;
    } catch {
      // killed
    }
  } finally {
    clearInterval(watch);
    await stop(child);
  }
  return { up, startMs, flameMs, rssKB: peak, stopped };
}
