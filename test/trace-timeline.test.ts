// The execution-trace timeline (godiag trace --html) in real headless Chromium (Debian's
// chromium + playwright-core): it loads offline with no console errors; what it draws
// agrees with the reference parser (testdata/trace/oracle, golang.org/x/exp/trace: P lanes
// = GOMAXPROCS, every goroutine run of a small trace, GC bands = GC cycles, STW bands =
// pauses) and with `godiag trace --json`
// read from the same file (run time on the P lanes = the goroutines' execution time,
// which trace-analysis tests against go tool trace); hovering the busiest goroutine's
// longest run names it; wheel, keys and drag zoom and pan by the amounts a hand
// calculation gives. A 20 MB trace paints in under a second. The merge of sub-pixel runs
// (lanes.ts) is checked on a hand-made lane. Screenshots go to test-output/timeline/.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ProcLane } from "../src/trace/timeline/lanes.js";
import { analyzeTraceFileWithTimeline, timelineFromBytes } from "../src/api/trace.js";
import { CLI, ROOT, runCli } from "./helpers/run.js";
import { available } from "./helpers/available.js";
import { openLocalPage } from "./helpers/local-page.js";
import { haveGo, oracle, TRACE_CORPUS } from "./helpers/trace-peers.js";

const OUT = join(ROOT, "test-output/timeline");
const CHROMIUM = "/usr/bin/chromium";
const GO = haveGo();
const ok = available(existsSync(CHROMIUM), `chromium (${CHROMIUM})`) && available(existsSync(CLI), `the built CLI (${CLI})`) && available(GO, "go");

interface OracleStats {
  maxGomaxprocs: number;
  gcCycles: number;
  stw: { count: number };
}

interface TraceJson {
  summary: { maxGomaxprocs: number; gcCycles: number; stw: { count: number } };
  goroutineGroups: { name: string; count: number; stats: { execNs: number; schedWaitNs: number } }[];
  topGoroutines: { id: number; name: string; stats: { execNs: number } }[];
  tasks: { type: string; count: number; incomplete: number }[];
}

interface State {
  t0: number;
  t1: number;
  durationNs: number;
  resolutionNs: number;
  lanes: { kind: string; label: string; y: number; h: number }[];
  gcBands: number;
  gcBandsBefore: number;
  stwBands: number;
  firstPaintMs: number;
  redraws: number;
}


const api = <T>(page: Page, fn: string): Promise<T> =>
  page.evaluate(`(function(a){return ${fn}})(document.getElementById("godiag-timeline").godiagTimeline)`) as Promise<T>;

let browser: Browser;

/** godiag trace --json --html: the JSON report and the page's path. */
function timeline(trace: string, name: string): { json: TraceJson; html: string } {
  const html = join(OUT, `${name}.html`);
  rmSync(html, { force: true });
  const r = runCli(["trace", trace, "--json", "--html", html], { timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
  return { json: JSON.parse(r.stdout) as TraceJson, html };
}

async function open(file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const { page, errors, requests } = await openLocalPage(browser, file, { viewport: { width: 1500, height: 1000 } });
  await page.waitForFunction(
    () => {
      const a = (document.getElementById("godiag-timeline") as unknown as { godiagTimeline?: { state(): { firstPaintMs: number } } }).godiagTimeline;
      return a !== undefined && a.state().firstPaintMs > 0;
    },
    null,
    { timeout: 30_000 },
  );
  return { page, errors, requests };
}

async function pixel(page: Page, x: number, y: number): Promise<[number, number, number]> {
  return page.evaluate(
    ([px, py]) => {
      const c = document.querySelector("canvas.gdt-canvas") as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      const dpr = c.width / r.width;
      const d = c.getContext("2d")!.getImageData(Math.round((px - r.left) * dpr), Math.round((py - r.top) * dpr), 1, 1).data;
      return [d[0], d[1], d[2]] as [number, number, number];
    },
    [x, y],
  );
}

const oracleStats = (trace: string) => JSON.parse(oracle("stats", trace)) as OracleStats;

/**
 * Goroutine runs as x/exp/trace sees them (oracle events mode): from a transition to
 * Running on a P to the goroutine's next transition out of Running (or the last event),
 * times from the first event. `fromUndetermined`: first seen running at a generation start.
 */
function oracleRuns(trace: string): { p: number; g: number; start: number; end: number; fromUndetermined: boolean }[] {
  const runs: { p: number; g: number; start: number; end: number; fromUndetermined: boolean }[] = [];
  const open = new Map<number, (typeof runs)[number]>();
  let t0 = NaN;
  let last = 0;
  for (const line of oracle("events", trace).split("\n")) {
    const tm = / t=(\d+) /.exec(line);
    if (tm === null) continue;
    const t = Number(tm[1]);
    if (Number.isNaN(t0)) t0 = t;
    last = t - t0;
    const m = /^StateTransition .* p=(-?\d+) .* res=Goroutine\((\d+)\) from=(\w+) to=(\w+)/.exec(line);
    if (m === null || m[3] === m[4]) continue;
    const g = Number(m[2]);
    if (m[3] === "Running") {
      const r = open.get(g);
      if (r) r.end = t - t0;
      open.delete(g);
    }
    if (m[4] === "Running" && Number(m[1]) >= 0) {
      const r = { p: Number(m[1]), g, start: t - t0, end: NaN, fromUndetermined: m[3] === "Undetermined" };
      runs.push(r);
      open.set(g, r);
    }
  }
  for (const r of open.values()) r.end = last;
  return runs;
}

describe.skipIf(!ok)("trace timeline HTML in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("gcheavy: lanes and bands match the reference parser, run time matches --json, hover names the goroutine", async () => {
    const trace = join(TRACE_CORPUS, "gcheavy.trace");
    const peer = oracleStats(trace);
    const { json, html } = timeline(trace, "gcheavy");
    const { page, errors, requests } = await open(html);
    expect(errors).toEqual([]);
    expect(requests).toEqual(["file://" + html]);
    const st = await api<State>(page, "a.state()");
    expect(st.lanes.filter((l) => l.kind === "proc").length).toBe(peer.maxGomaxprocs);
    expect(peer.gcCycles).toBeGreaterThan(5); // the workload forces many cycles
    expect(st.gcBands).toBe(peer.gcCycles);
    expect(st.gcBands).toBe(json.summary.gcCycles);
    expect(st.stwBands).toBe(peer.stw.count);

    // A small trace keeps every run: the P lanes hold exactly x/exp/trace's runs (a run
    // first seen at a generation start begins at that generation's sync, as go tool trace counts it).
    expect(st.resolutionNs).toBe(0);
    const peerRuns = oracleRuns(trace);
    expect(peerRuns.length).toBeGreaterThan(500);
    const spans = await api<[number, number, number, number][]>(page, "a.spans()");
    expect(spans.length).toBe(peerRuns.length);
    const key = (p: number, g: number, a: number, b: number) => `P${p} G${g} ${a}-${b}`;
    const mine = new Set(spans.map(([p, g, a, b]) => key(p, g, a, b)));
    const missing = peerRuns.filter((r) => !r.fromUndetermined && !mine.has(key(r.p, r.g, r.start, r.end)));
    expect(missing).toEqual([]);

    // Run time on the P lanes = every goroutine's execution time (merged spans keep their runs' time).
    const busy = await api<number[]>(page, "a.procBusyNs()");
    const exec = json.goroutineGroups.reduce((s, g) => s + g.stats.execNs, 0);
    expect(Math.abs(busy.reduce((a, b) => a + b, 0) - exec)).toBeLessThanOrEqual(exec * 1e-9 + 1);
    // The busiest group's lane: running goroutine-ns summed over buckets = its execution time
    // (float32 counts: ~1e-6 relative error per bucket).
    const lanes = await api<{ group: string; ns: Record<string, number> }[]>(page, "a.groupLaneTotals()");
    const top = json.goroutineGroups.find((g) => g.name === lanes[0].group)!;
    expect(lanes[0].group).toBe(json.goroutineGroups.filter((g) => g.name !== "")[0].name);
    expect(Math.abs(lanes[0].ns.running - top.stats.execNs)).toBeLessThan(top.stats.execNs * 1e-4);
    expect(Math.abs(lanes[0].ns.runnable - top.stats.schedWaitNs)).toBeLessThan(top.stats.schedWaitNs * 1e-4);

    // Where the GC lane hit-tests as a GC band, the pixel is the GC colour.
    const gcLane = st.lanes.find((l) => l.kind === "gc")!;
    const box = (await page.$eval("canvas.gdt-canvas", (c) => {
      const r = c.getBoundingClientRect();
      return { left: r.left, top: r.top, width: r.width };
    }))!;
    let found = false;
    for (let x = 200; x < box.width - 2 && !found; x += 3) {
      const h = await api<{ kind: string; text: string } | null>(page, `a.hit(${box.left + x}, ${box.top + gcLane.y + 5})`);
      if (h?.kind === "gc") {
        expect(await pixel(page, box.left + x, box.top + gcLane.y + 5)).toEqual([0xe8, 0x89, 0x1c]);
        found = true;
      }
    }
    expect(found).toBe(true);

    // Hover the busiest goroutine's longest run (zoomed so it is wide): the tooltip names it.
    const g = json.topGoroutines[0];
    const run = await api<{ lane: number; i: number; start: number; end: number } | null>(page, `a.findRun(${g.id})`);
    expect(run).not.toBeNull();
    const pad = (run!.end - run!.start) * 0.5;
    await api(page, `a.setView(${run!.start - pad}, ${run!.end + pad})`);
    const r = (await api<{ x: number; y: number; w: number; h: number } | null>(page, `a.rectOf(${run!.lane}, ${run!.i})`))!;
    expect(r.w).toBeGreaterThan(100);
    await page.mouse.move(r.x + r.w / 2, r.y + r.h / 2);
    const tip = (await page.textContent(".gdt-tip"))!;
    expect(await page.isVisible(".gdt-tip")).toBe(true);
    expect(tip).toContain(`G${g.id} running on P`);
    expect(tip).toContain(`group ${g.name}`);
    expect(tip).toMatch(/duration/);
    await page.screenshot({ path: join(OUT, "gcheavy-hover.png") });
    // Hovering the busiest group's lane: its name and its goroutines' mean count by state.
    const groupLane = st.lanes.find((l) => l.kind === "group")!;
    await page.mouse.move(r.x + r.w / 2, box.top + groupLane.y + groupLane.h / 2);
    const gtip = (await page.textContent(".gdt-tip"))!;
    expect(gtip).toContain(`${lanes[0].group} (${top.count} goroutines)`);
    expect(gtip).toMatch(/mean goroutines by state/);
    await page.close();
  }, 120_000);

  it("zooms with the wheel and keys and pans by dragging, by the hand-calculated amounts", async () => {
    const { html } = timeline(join(TRACE_CORPUS, "network.trace"), "network");
    const { page, errors } = await open(html);
    const st0 = await api<State>(page, "a.state()");
    expect(st0.t0).toBe(0);
    expect(st0.t1).toBe(st0.durationNs);
    const c = await page.evaluate(() => {
      const r = document.querySelector("canvas.gdt-canvas")!.getBoundingClientRect();
      return { left: r.left, top: r.top, width: r.width };
    });
    const plotW = c.width - 190; // LABEL_W
    const timeAt = (s: State, x: number) => s.t0 + ((x - c.left - 190) / plotW) * (s.t1 - s.t0);
    const procY = c.top + st0.lanes.find((l) => l.kind === "proc")!.y + 5;

    // Wheel: the window shrinks by exp(deltaY * 0.002) around the time under the pointer.
    // (an integer: Chromium's mouse events carry whole CSS pixels)
    const x = Math.round(c.left + 190 + plotW * 0.3);
    const before = timeAt(st0, x);
    await page.mouse.move(x, procY);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction((w) => {
      const s = (document.getElementById("godiag-timeline") as unknown as { godiagTimeline: { state(): { t0: number; t1: number } } }).godiagTimeline.state();
      return s.t1 - s.t0 < w;
    }, st0.durationNs);
    const st1 = await api<State>(page, "a.state()");
    expect((st1.t1 - st1.t0) / st0.durationNs).toBeCloseTo(Math.exp(-0.6), 6);
    expect(Math.abs(timeAt(st1, x) - before)).toBeLessThan(st0.durationNs * 1e-9);

    // Keys: W zooms in by 0.8 around the centre; 0 resets.
    await page.keyboard.press("w");
    const st2 = await api<State>(page, "a.state()");
    expect((st2.t1 - st2.t0) / (st1.t1 - st1.t0)).toBeCloseTo(0.8, 9);
    expect((st2.t0 + st2.t1) / 2).toBeCloseTo((st1.t0 + st1.t1) / 2, 0);

    // Drag 200 px to the right: the window moves 200 px worth of time earlier.
    const win = st2.t1 - st2.t0;
    await page.mouse.move(x, procY);
    await page.mouse.down();
    await page.mouse.move(x + 100, procY);
    await page.mouse.move(x + 200, procY);
    await page.mouse.up();
    const st3 = await api<State>(page, "a.state()");
    expect(st3.t0).toBeCloseTo(st2.t0 - (200 / plotW) * win, 0);
    expect(st3.t1 - st3.t0).toBeCloseTo(win, 3);
    await page.screenshot({ path: join(OUT, "network-zoomed.png") });

    await page.keyboard.press("0");
    const st4 = await api<State>(page, "a.state()");
    expect([st4.t0, st4.t1]).toEqual([0, st0.durationNs]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("tasks: the task lane holds every task the trace has, each found by hit-testing its pixels", async () => {
    const trace = join(TRACE_CORPUS, "tasks.trace");
    const { json, html } = timeline(trace, "tasks");
    const { page, errors } = await open(html);
    expect(errors).toEqual([]);
    const st = await api<State>(page, "a.state()");
    const want = json.tasks.reduce((s, t) => s + t.count + t.incomplete, 0);
    expect(want).toBeGreaterThanOrEqual(60); // 60 requests, each a task
    const lane = st.lanes.find((l) => l.kind === "tasks");
    expect(lane).toBeDefined();
    const c = await page.evaluate(() => {
      const r = document.querySelector("canvas.gdt-canvas")!.getBoundingClientRect();
      return { left: r.left, top: r.top, width: r.width };
    });
    // Scan the lane's rows pixel by pixel (in the page: one round trip): the distinct task ids under the pointer.
    const ids = await page.evaluate(
      ([left, top, width, y, h]) => {
        const a = (document.getElementById("godiag-timeline") as unknown as { godiagTimeline: { hit(x: number, y: number): { kind: string; text: string } | null } }).godiagTimeline;
        const found = new Set<string>();
        for (let row = 0; row * 9 < h; row++) {
          for (let x = 191; x < width; x++) {
            const hit = a.hit(left + x, top + y + row * 9 + 4);
            const m = hit?.kind === "tasks" ? /task (\d+)/.exec(hit.text) : null;
            if (m) found.add(m[1]);
          }
        }
        return [...found];
      },
      [c.left, c.top, c.width, lane!.y, lane!.h],
    );
    const total = json.tasks.reduce((s, t) => s + t.count + t.incomplete, 0);
    expect(ids.length).toBe(total);
    await page.screenshot({ path: join(OUT, "tasks.png") });
    await page.close();
  }, 180_000);

  it("a 20 MB trace: the page paints in under 1 s, stays small, and still agrees with the reference parser", async () => {
    const bin = join(OUT, "tracebusy");
    const b = spawnSync("go", ["build", "-o", bin, "./tracebusy"], {
      cwd: join(ROOT, "testdata/trace/progs"),
      env: { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off" },
      encoding: "utf8",
    });
    expect(b.status, b.stderr).toBe(0);
    const trace = join(OUT, "busy20.trace");
    const w = spawnSync(bin, ["-out", trace, "-mb", "20"], { encoding: "utf8", timeout: 60_000 });
    expect(w.status, w.stderr).toBe(0);
    expect(statSync(trace).size).toBeGreaterThanOrEqual(20 << 20);
    const peer = oracleStats(trace);
    const { html } = timeline(trace, "busy20");
    const size = statSync(html).size;
    console.log(`timeline of a ${(statSync(trace).size / 1e6).toFixed(1)} MB trace: page ${(size / 1e6).toFixed(2)} MB`);
    expect(size).toBeLessThan(4e6);
    const { page, errors, requests } = await open(html);
    expect(errors).toEqual([]);
    expect(requests).toEqual(["file://" + html]);
    const st = await api<State>(page, "a.state()");
    console.log(`first paint ${st.firstPaintMs.toFixed(0)} ms after navigation start; runs merged below ${(st.resolutionNs / 1e3).toFixed(0)} µs`);
    expect(st.firstPaintMs).toBeLessThan(1000);
    expect(st.lanes.filter((l) => l.kind === "proc").length).toBe(peer.maxGomaxprocs);
    expect(st.gcBands).toBe(peer.gcCycles);
    expect(st.stwBands).toBe(peer.stw.count);
    // Sub-pixel runs are merged: the resolution is about duration / 8192; the merged spans
    // still count every run (1.4 million: the workload's goroutines pass messages nonstop).
    const runs = (await api<number[]>(page, "a.procRuns()")).reduce((a, b) => a + b, 0);
    expect(runs).toBeGreaterThan(1e6);
    const spanCount = (await api<unknown[]>(page, "a.spans()")).length;
    expect(spanCount).toBeLessThan(runs / 20);
    expect(st.resolutionNs).toBeGreaterThanOrEqual(st.durationNs / 8192);
    expect(st.resolutionNs).toBeLessThan((st.durationNs / 8192) * 2);
    await page.screenshot({ path: join(OUT, "busy20.png") });
    await page.close();
    expect(readFileSync(html, "utf8")).toContain("default-src 'none'");
  }, 300_000);
});

describe("P lane merging (lanes.ts), by hand", () => {
  it("merges neighbouring runs narrower than the resolution, keeps wide ones whole", () => {
    const l = new ProcLane(0);
    // runs of goroutines 1..5: three 10 ns runs with 5 ns gaps, a 200 ns run, two more short runs far apart
    l.push(0, 10, 1, 7);
    l.push(15, 25, 2, 7);
    l.push(30, 40, 1, 7);
    l.push(50, 250, 3, 9);
    l.push(260, 270, 4, 0);
    l.push(400, 405, 5, 0);
    const group = (g: number) => (g === 2 ? 1 : 0); // goroutine 2 is group 1, the rest group 0
    l.compact(100, group);
    expect(l.n).toBe(4);
    // [0, 40): three runs, 30 ns busy, mostly group 0 (20 ns against 10)
    expect([l.start[0], l.end[0], l.goroutine[0], l.runs[0], l.busy[0], l.group[0]]).toEqual([0, 40, -1, 3, 30, 0]);
    // the 200 ns run stays itself, with its stack
    expect([l.start[1], l.end[1], l.goroutine[1], l.runs[1], l.busy[1], l.stack[1]]).toEqual([50, 250, 3, 1, 200, 9]);
    // 260-270 and 400-405 are 130 ns apart (over the resolution): each stays a lone run with its goroutine
    expect([l.start[2], l.end[2], l.goroutine[2], l.runs[2], l.busy[2]]).toEqual([260, 270, 4, 1, 10]);
    expect([l.start[3], l.end[3], l.goroutine[3], l.runs[3], l.busy[3]]).toEqual([400, 405, 5, 1, 5]);
    // At 1000 ns everything is narrower and within 2 x 1000 ns of the first start: one span
    // of all six runs, 30 + 200 + 10 + 5 ns busy, group 0 (245 ns against 10 inside the first span).
    l.compact(1000, group);
    expect(l.n).toBe(1);
    expect([l.start[0], l.end[0], l.goroutine[0], l.runs[0], l.busy[0], l.group[0]]).toEqual([0, 405, -1, 6, 245, 0]);
  });
});

describe("timeline from bytes (host pages)", () => {
  it("gives the same timeline as the file reader's pass", () => {
    const trace = join(TRACE_CORPUS, "network.trace");
    const a = timelineFromBytes(readFileSync(trace), trace);
    const b = analyzeTraceFileWithTimeline(trace).timeline;
    expect(a.procs.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });
});
