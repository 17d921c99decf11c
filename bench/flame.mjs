#!/usr/bin/env node
// Flame graph performance: HTML generation time (godiag flame, whole CLI run), HTML size
// against the gzipped profile, and in headless Chromium (performance.now()): first
// paint (page start to first drawn frame), zoom (click -> redraw) and hover (mousemove
// -> tooltip + outline) times. Prints a markdown section for docs/PERFORMANCE.md.
// Needs dist/ (npm run build:bundle), go (to generate the 1M-sample profile) and /usr/bin/chromium.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench/out");
mkdirSync(OUT, { recursive: true });
const CLI = join(ROOT, "dist/godiag.mjs");

const big = join(OUT, "flame-1m-100k.pb.gz");
if (!existsSync(big)) {
  console.error("generating 1M samples over 100k stacks (bench/gen-large -stacks) ...");
  execFileSync("go", ["run", ".", "-samples", "1000000", "-stacks", "100000", "-o", big], { cwd: join(ROOT, "bench/gen-large"), stdio: "inherit" });
}
const inputs = [
  { name: "large.cpu (google/pprof corpus)", file: resolve(ROOT, "../shared/corpus/google-pprof/internal/proftest/testdata/large.cpu") },
  { name: "generated 1M samples / 100k stacks", file: big },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
const viewerBytes = (() => {
  // the viewer alone: the page for a one-frame profile is (almost) just the viewer
  const s = readFileSync(CLI, "utf8");
  return s.length; // upper bound, replaced below by an empty-ish page
})();

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const rows = [];
for (const input of inputs) {
  const html = join(OUT, "flame-" + input.name.replace(/\W+/g, "_") + ".html");
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, CLI, "flame", input.file, "-o", html], { encoding: "utf8" });
  const genMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(r.stderr);
  const rssMB = Number(r.stderr.trim().split("\n").pop()) / 1024;
  const frames = /\((\d+) frames/.exec(r.stderr)?.[1];
  const htmlBytes = statSync(html).size;
  const raw = readFileSync(input.file);
  const gz = raw[0] === 0x1f && raw[1] === 0x8b ? raw.length : gzipSync(raw).length;
  // viewer size: the page minus its data blob
  const page = readFileSync(html, "utf8");
  const blob = /id="godiag-flame-data">([^<]*)</.exec(page)[1].length;
  const viewer = htmlBytes - blob;

  const pg = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await pg.goto("file://" + html);
  await pg.waitForFunction(() => document.getElementById("godiag-flame").godiagFlame !== undefined, null, { timeout: 120_000 });
  const m = await pg.evaluate(async () => {
    const a = document.getElementById("godiag-flame").godiagFlame;
    const canvas = document.querySelector("canvas.gdf-canvas");
    const r = canvas.getBoundingClientRect();
    const zoom = [];
    const hover = [];
    // zoom: click frames at depth 3..8 across the width, then reset; each click redraws synchronously
    for (let k = 0; k < 30; k++) {
      const x = r.left + ((k * 37) % 100) / 100 * r.width + 1;
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
    // paint timing: first paint as recorded by the viewer (script start -> first frame drawn)
    const st = a.state();
    return { firstPaint: st.firstPaintMs, nav: performance.now(), nodes: st.nodes, zoom, hover };
  });
  await pg.close();
  rows.push({
    name: input.name,
    frames: Number(frames),
    genMs,
    rssMB,
    htmlBytes,
    gz,
    viewer,
    ratio: htmlBytes / (2 * gz + viewer),
    firstPaint: m.firstPaint,
    zoomMed: median(m.zoom),
    zoomP95: p95(m.zoom),
    hoverMed: median(m.hover),
    hoverP95: p95(m.hover),
  });
}
await browser.close();
void viewerBytes;

const mb = (b) => (b / 1048576).toFixed(2) + " MB";
console.log("## Flame graphs (godiag flame)\n");
console.log(`${new Date().toISOString().slice(0, 10)}, Node ${process.versions.node}, Debian chromium headless, \`node bench/flame.mjs\`.\n`);
console.log("| input | tree frames | generate HTML (CLI wall) | peak RSS | HTML | gzipped profile | HTML / (2×gz + viewer) | first paint | zoom median / p95 | hover median / p95 |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.frames.toLocaleString("en-US")} | ${(r.genMs / 1000).toFixed(2)} s | ${r.rssMB.toFixed(0)} MB | ${mb(r.htmlBytes)} | ${mb(r.gz)} | ${r.ratio.toFixed(2)} | ${r.firstPaint.toFixed(0)} ms | ${r.zoomMed.toFixed(1)} / ${r.zoomP95.toFixed(1)} ms | ${r.hoverMed.toFixed(2)} / ${r.hoverP95.toFixed(2)} ms |`,
  );
}
