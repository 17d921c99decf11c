// The HTML flame graph in real headless Chromium (Debian's chromium + playwright-core):
// renders without console errors or any network request, search matches pprof's
// --focus share, click zooms, diff/wait colours are right, inverted/sandwich/top
// table work, SVG parses. Screenshots go to test-output/flame/ for a human to look at.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { WAIT_CLASS_COLORS } from "../src/pprof/flame/colors.js";
import { CLI, ROOT, runCli } from "./helpers/run.js";
import { available } from "./helpers/available.js";
import { openLocalPage } from "./helpers/local-page.js";

const OUT = join(ROOT, "test-output/flame");
const P = (w: string, f: string) => join(ROOT, "testdata/profiles", w, f);
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = available(existsSync(CHROMIUM), `chromium (${CHROMIUM})`) && available(existsSync(CLI), `the built CLI (${CLI})`);

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

let browser: Browser;

function flame(name: string, args: string[]): string {
  const out = join(OUT, name);
  const r = runCli(["flame", ...args, "-o", out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

async function open(file: string): Promise<Opened> {
  // (console warnings are left out: our own test's getImageData readbacks make Chromium suggest willReadFrequently)
  const { page, errors, requests } = await openLocalPage(browser, file, { viewport: { width: 1500, height: 1000 } });
  await page.waitForFunction(() => (document.getElementById("godiag-flame") as unknown as { godiagFlame?: unknown }).godiagFlame !== undefined, null, { timeout: 15_000 });
  return { page, errors, requests };
}

type Api = {
  search(q: string): { matched: number; percent: string };
  state(): { zoom: number; rootName: string; view: string; colorMode: string; crumbs: string[]; nodes: number; firstPaintMs: number };
  findFrames(name: string): number[];
  rectOf(i: number): { x: number; y: number; w: number; h: number } | null;
  nodeInfo(i: number): { name: string; totalPos: number; totalNeg: number; selfPos: number; selfNeg: number; depth: number };
};
const api = <T>(page: Page, fn: (a: Api) => T): Promise<T> =>
  page.evaluate(`(${fn.toString()})(document.getElementById("godiag-flame").godiagFlame)`) as Promise<T>;

async function pixel(page: Page, x: number, y: number): Promise<[number, number, number]> {
  return page.evaluate(
    ([px, py]) => {
      const c = document.querySelector("canvas.gdf-canvas") as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      const dpr = c.width / r.width;
      const d = c.getContext("2d")!.getImageData(Math.round((px - r.left) * dpr), Math.round((py - r.top) * dpr), 1, 1).data;
      return [d[0], d[1], d[2]] as [number, number, number];
    },
    [x, y],
  );
}

/** A point inside node i's frame, left of its text. */
async function spot(page: Page, i: number): Promise<{ x: number; y: number; w: number }> {
  const r = await api(page, new Function("a", `return a.rectOf(${i})`) as (a: Api) => { x: number; y: number; w: number; h: number } | null);
  expect(r).not.toBeNull();
  return { x: r!.x + 1.5, y: r!.y + 2, w: r!.w };
}

function hex(c: string): [number, number, number] {
  return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
}

describe.skipIf(!hasChromium)("flame graph HTML in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("renders offline, searches like --focus, zooms on click, shows an instant tooltip", async () => {
    const file = flame("cpu.html", [P("cpubound", "cpu.pb.gz")]);
    const { page, errors, requests } = await open(file);
    expect(errors).toEqual([]);
    expect(requests).toEqual(["file://" + file]);
    expect((await api(page, (a) => a.state())).nodes).toBeGreaterThan(100);

    // Search share vs godiag top --focus (identical to pprof's): "Showing nodes accounting for X, P% of T total".
    const top = runCli(["top", "--focus=main.walk", P("cpubound", "cpu.pb.gz")]);
    const want = Number(/accounting for \S+, ([\d.]+)% of/.exec(top.stdout)![1]);
    const got = await api(page, (a) => a.search("main.walk"));
    // both are 2-decimal roundings of the same ratio (Go's %.2f vs JS toFixed)
    expect(Math.abs(parseFloat(got.percent) - want)).toBeLessThanOrEqual(0.01);
    expect(await page.textContent(".gdf-match")).toBe(`matched ${got.percent} of total`);
    const walk = (await api(page, (a) => a.findFrames("main.walk")))[0];
    const s = await spot(page, walk);
    expect(await pixel(page, s.x, s.y)).toEqual([0xe0, 0x40, 0xfb]); // highlight colour
    // the top table filters with the search
    const rows = await page.$$eval(".gdf-top td.gdf-fn", (tds) => tds.map((t) => t.textContent));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => /main\.walk/i.test(r ?? ""))).toBe(true);
    await page.screenshot({ path: join(OUT, "cpu-search.png"), fullPage: true });
    await api(page, (a) => a.search(""));

    // Hover: tooltip with name, self/total and shares, right away.
    await page.mouse.move(s.x + 4, s.y + 4);
    const tip = await page.textContent(".gdf-tip");
    expect(tip).toContain("main.walk");
    expect(tip).toMatch(/of total/);
    expect(tip).toMatch(/of parent/);
    expect(await page.isVisible(".gdf-tip")).toBe(true);

    // Click to zoom: main.walk becomes the root and spans the whole width.
    await page.mouse.click(s.x + 4, s.y + 4);
    const st = await api(page, (a) => a.state());
    expect(st.rootName).toBe("main.walk");
    expect(st.crumbs.slice(-2)).toEqual(["main.main", "main.walk"]);
    const canvasW = await page.$eval("canvas.gdf-canvas", (c) => c.getBoundingClientRect().width);
    expect((await spot(page, walk)).w).toBeCloseTo(canvasW, 0);
    await page.screenshot({ path: join(OUT, "cpu-zoomed.png"), fullPage: true });
    await page.click(".gdf-crumb >> nth=0");
    expect((await api(page, (a) => a.state())).rootName).toBe("root");

    // Inverted: the root's first child is the function with the most self time (top's first row).
    const first = /\n\s+\d\S*\s+[\d.]+%\s+[\d.]+%\s+\S+\s+[\d.]+%\s+(\S+)/.exec(runCli(["top", P("cpubound", "cpu.pb.gz")]).stdout)![1];
    await page.click("button[data-act=invert]");
    expect((await api(page, (a) => a.state())).view).toBe("inverted");
    expect((await api(page, (a) => a.nodeInfo(1))).name).toBe(first);
    await page.click("button[data-act=invert]");

    // Top table row -> sandwich: callees pane rooted at the function with its cum value.
    const cum = /\s(\d+)ms\s+[\d.]+%\s+main\.walk\n/.exec(runCli(["top", "--unit=ms", P("cpubound", "cpu.pb.gz")]).stdout)![1];
    await page.click(".gdf-top tr[data-frame] >> text=main.walk");
    const sw = await api(page, (a) => a.state());
    expect(sw.view).toBe("sandwich");
    expect(sw.rootName).toBe("main.walk");
    expect((await api(page, (a) => a.nodeInfo(a.state().zoom))).totalPos).toBe(Number(cum) * 1e6);
    expect(await page.$$eval("canvas.gdf-canvas", (cs) => cs.length)).toBe(2);
    await page.screenshot({ path: join(OUT, "cpu-sandwich.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("colours a diff: grown red, shrunk blue, tooltip with both values", async () => {
    const file = flame("diff.html", [P("cpubound", "cpu.pb.gz"), "--diff_base", P("allocheavy", "cpu.pb.gz")]);
    const { page, errors, requests } = await open(file);
    expect((await api(page, (a) => a.state())).colorMode).toBe("diff");
    // main.fib exists only in the new profile (cpubound): it grew from nothing.
    const fib = (await api(page, (a) => a.findFrames("main.fib")))[0];
    const info = await api(page, new Function("a", `return a.nodeInfo(${fib})`) as (a: Api) => { totalNeg: number });
    expect(info.totalNeg).toBe(0);
    const s = await spot(page, fib);
    const [r, g, b] = await pixel(page, s.x, s.y);
    expect(r - Math.max(g, b)).toBeGreaterThan(80);
    await page.mouse.move(s.x + 3, s.y + 3);
    const tip = (await page.textContent(".gdf-tip")) ?? "";
    expect(tip).toMatch(/base 0 → new \S+ \(delta \+/);
    // A frame only in the base (allocheavy's main.main children) shrank to nothing: blue.
    const shrunk = await api(page, (a) => {
      for (let i = 1; i < a.state().nodes; i++) {
        const n = a.nodeInfo(i);
        const r = a.rectOf(i);
        if (n.totalPos === 0 && n.totalNeg > 0 && r !== null && r.w > 6) return i;
      }
      return -1;
    });
    expect(shrunk).toBeGreaterThan(0);
    const s2 = await spot(page, shrunk);
    const [r2, g2, b2] = await pixel(page, s2.x, s2.y);
    expect(b2 - Math.max(r2, g2)).toBeGreaterThan(60);
    await page.screenshot({ path: join(OUT, "diff.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual(["file://" + file]);
    await page.close();
  });

  it("colours goroutine waits by wait reason", async () => {
    const file = flame("goroutine.html", [P("manygoroutines", "goroutine.pb.gz")]);
    const { page, errors } = await open(file);
    expect((await api(page, (a) => a.state())).colorMode).toBe("wait");
    const park = (await api(page, (a) => a.findFrames("runtime.gopark")))[0];
    const s = await spot(page, park);
    await page.mouse.move(s.x, s.y + 2);
    const cls = /wait: (\S+)/.exec((await page.textContent(".gdf-tip")) ?? "")![1] as keyof typeof WAIT_CLASS_COLORS;
    expect(await pixel(page, s.x, s.y)).toEqual(hex(WAIT_CLASS_COLORS[cls]));
    expect(await page.textContent(".gdf-legend")).toContain(cls);
    await page.screenshot({ path: join(OUT, "goroutine-wait.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("works for every profile type and for merged inputs", async () => {
    const cases: [string, string[]][] = [
      ["heap-inuse_space", [P("allocheavy", "heap.pb.gz"), "--sample_index=inuse_space"]],
      ["heap-inuse_objects", [P("allocheavy", "heap.pb.gz"), "--sample_index=inuse_objects"]],
      ["heap-alloc_space", [P("allocheavy", "heap.pb.gz"), "--sample_index=alloc_space"]],
      ["heap-alloc_objects", [P("allocheavy", "heap.pb.gz"), "--sample_index=alloc_objects"]],
      ["block", [P("chanblock", "block.pb.gz")]],
      ["mutex", [P("mutexcontention", "mutex.pb.gz")]],
      ["merged", [P("cpubound", "cpu.pb.gz"), P("allocheavy", "cpu.pb.gz"), P("labels", "cpu.pb.gz")]],
      ["tagroot", [P("labels", "cpu.pb.gz"), "--tagroot=service"]],
    ];
    for (const [name, args] of cases) {
      const file = flame(`${name}.html`, args);
      const { page, errors, requests } = await open(file);
      const st = await api(page, (a) => a.state());
      expect(st.nodes, name).toBeGreaterThan(5);
      expect(errors, name).toEqual([]);
      expect(requests, name).toEqual(["file://" + file]);
      if (name === "block" || name === "tagroot") await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
      await page.close();
    }
  });

  it("writes well-formed SVG with the expected frames", async () => {
    const page = await browser.newPage();
    for (const [name, src, fn] of [
      ["cpu.svg", P("cpubound", "cpu.pb.gz"), "main.fib"],
      ["goroutine.svg", P("manygoroutines", "goroutine.pb.gz"), "runtime.gopark"],
    ]) {
      const file = flame(name, [src]);
      const text = (await import("node:fs")).readFileSync(file, "utf8");
      const res = await page.evaluate((t) => {
        const doc = new DOMParser().parseFromString(t, "image/svg+xml");
        const err = doc.querySelector("parsererror");
        return {
          err: err ? err.textContent : null,
          titles: [...doc.querySelectorAll("g > title")].map((x) => x.textContent ?? ""),
          rects: doc.querySelectorAll("g > rect").length,
        };
      }, text);
      expect(res.err, name).toBeNull();
      expect(res.rects).toBeGreaterThan(5);
      expect(res.titles.some((t) => t.startsWith(fn + "\n"))).toBe(true);
    }
    await page.close();
  });
});

describe("flame command: bad input", () => {
  it("one-line errors and exit code 2", () => {
    const notProfile = runCli(["flame", join(ROOT, "README.md"), "-o", join(OUT, "x.html")]);
    expect(notProfile.code).toBe(2);
    expect(notProfile.stderr).toMatch(/README\.md/);
    expect(notProfile.stderr.trim().split("\n")).toHaveLength(1);
    const noOut = runCli(["flame", P("cpubound", "cpu.pb.gz")]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/-o/);
    const badExt = runCli(["flame", P("cpubound", "cpu.pb.gz"), "-o", join(OUT, "x.png")]);
    expect(badExt.code).toBe(2);
    const badRe = runCli(["flame", P("cpubound", "cpu.pb.gz"), "--focus=(", "-o", join(OUT, "x.html")]);
    expect(badRe.code).toBe(2);
    expect(badRe.stderr.trim().split("\n")).toHaveLength(1);
    const badDir = runCli(["flame", P("cpubound", "cpu.pb.gz"), "-o", "/nonexistent/dir/x.html"]);
    expect(badDir.code).toBe(2);
    expect(badDir.stderr).toMatch(/cannot write/);
  });
});
