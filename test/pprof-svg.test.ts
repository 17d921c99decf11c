// godiag svg: the DOT it lays out is `go tool pprof -dot`'s, byte for byte; the SVG that
// Graphviz-in-WebAssembly draws from it has one <g class="node"> per DOT node (titled with
// the node's name) and one <g class="edge"> per DOT edge; go tool pprof -svg (which runs
// Debian's Graphviz `dot`) draws the same node and edge sets; and in Chromium the file
// parses as XML, loads without errors or requests, and the pan/zoom script moves the graph.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import type { ReportConfig } from "../src/pprof/report/config.js";
import { CLI, pprofBinary, ROOT, runCli, runPprof, runReport } from "./helpers/run.js";
import { available } from "./helpers/available.js";
import { openLocalPage } from "./helpers/local-page.js";

const hasGo = available(pprofBinary() !== null, "Go (go tool pprof)");
const hasCli = available(existsSync(CLI), `the built CLI (${CLI})`);
const hasGraphviz = available(spawnSync("dot", ["-V"]).status === 0, "Debian's graphviz (dot), for go tool pprof -svg");
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = available(existsSync(CHROMIUM), `chromium (${CHROMIUM})`);
const OUT = join(ROOT, "test-output/svg");

const CASES: [string, string[], Partial<ReportConfig>][] = [
  ["testdata/captures/cpuhotspot/cpu.pb.gz", [], {}],
  ["testdata/captures/lockcontention/mutex.pb.gz", [], {}],
  ["testdata/captures/heapgrowth/allocs.pb.gz", ["-sample_index=alloc_space"], { sampleIndex: "alloc_space" }],
  ["testdata/profiles/labels/cpu.pb.gz", ["-lines", "-nodecount=30"], { granularity: "lines", nodeCount: 30 }],
  ["testdata/captures/backpressure/goroutine.pb.gz", ["-focus=main\\."], { focus: "main\\." }],
];

interface DotShape {
  nodes: string[];
  edges: string[];
}

function dotShape(dot: string): DotShape {
  // N1, nodelets N1_0, and the legend box, named by its quoted text
  const nodes = [...dot.matchAll(/^(?:subgraph cluster_L \{ )?(N?N\d+(?:_\d+)?|"(?:[^"\\]|\\.)*") \[/gm)].map((m) => (m[1].startsWith('"') ? m[1].slice(1, -1).replace(/\\(.)/g, "$1") : m[1]));
  const edges = [...dot.matchAll(/^(N?N\d+(?:_\d+)?) -> (N?N\d+(?:_\d+)?) \[/gm)].map((m) => `${m[1]}->${m[2]}`);
  return { nodes: nodes.sort(), edges: edges.sort() };
}

/** Graphviz's SVG: each node and edge is a <g class="node|edge"> whose <title> names it. */
function svgShape(svg: string): DotShape & { nodeGroups: number; edgeGroups: number } {
  const unescape = (s: string) => s.replace(/&#45;/g, "-").replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&amp;/g, "&");
  const nodes = [...svg.matchAll(/<g id="[^"]*" class="node">\s*<title>([^<]*)<\/title>/g)].map((m) => unescape(m[1]));
  const edges = [...svg.matchAll(/<g id="[^"]*" class="edge">\s*<title>([^<]*)<\/title>/g)].map((m) => unescape(m[1]));
  return {
    nodes: nodes.sort(),
    edges: edges.sort(),
    nodeGroups: (svg.match(/class="node"/g) ?? []).length,
    edgeGroups: (svg.match(/class="edge"/g) ?? []).length,
  };
}

function ourSvg(name: string, file: string, args: string[]): string {
  mkdirSync(OUT, { recursive: true });
  const out = join(OUT, name + ".svg");
  const r = runCli(["svg", ...args, join(ROOT, file), "-o", out], { timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/^wrote .*\.svg \(call graph, \d+ KiB\)\n$/);
  return out;
}

describe.skipIf(!hasGo || !hasCli)("godiag svg", () => {
  CASES.forEach(([file, args, cfg], i) => {
    it(`${file} ${args.join(" ")}: our DOT is pprof's; the SVG draws every node and edge of it`, () => {
      const theirs = runPprof(["-symbolize=none", "-dot", ...args, join(ROOT, file)]);
      expect(theirs.code, theirs.stderr).toBe(0);
      const [dot] = runReport("dot", { sources: [join(ROOT, file)] }, cfg);
      expect(dot).toBe(theirs.stdout);
      const want = dotShape(theirs.stdout);
      expect(want.nodes.length).toBeGreaterThan(3);
      const svg = readFileSync(ourSvg(`case${i}`, file, args), "utf8");
      const got = svgShape(svg);
      expect(got.nodeGroups).toBe(want.nodes.length);
      expect(got.nodes).toEqual(want.nodes);
      expect(got.edgeGroups).toBe(want.edges.length);
      expect(got.edges).toEqual(want.edges);
      // pprof's massageSVG changes: the drawing fills the window, inside a pan/zoom viewport
      expect(svg).toMatch(/<svg width="100%" height="100%"/);
      expect(svg).not.toMatch(/viewBox=/);
      expect(svg).toMatch(/<g id="viewport" transform="[^"]*">\s*<g id="graph0"/);
      expect(svg.trimEnd().endsWith("</g>\n</svg>")).toBe(true);
    });
  });

  it("the SVG on standard output is the same as the file", () => {
    const [file, args] = CASES[0];
    const r = runCli(["svg", ...args, join(ROOT, file)], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(ourSvg("stdout", file, args), "utf8"));
  });

  it("bad input: one line naming the file, exit 2", () => {
    mkdirSync(OUT, { recursive: true });
    const bad = join(OUT, "not-a-profile.pb.gz");
    writeFileSync(bad, "this is not a profile\n");
    const r = runCli(["svg", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(bad);
  });
});

describe.skipIf(!hasGo || !hasCli || !hasGraphviz)("godiag svg vs go tool pprof -svg (Debian's Graphviz)", () => {
  CASES.forEach(([file, args], i) => {
    it(`${file} ${args.join(" ")}: same nodes and edges`, () => {
      const theirs = runPprof(["-symbolize=none", "-svg", ...args, join(ROOT, file)]);
      expect(theirs.code, theirs.stderr).toBe(0);
      const want = svgShape(theirs.stdout);
      expect(want.nodes.length).toBeGreaterThan(3);
      const got = svgShape(readFileSync(ourSvg(`peer${i}`, file, args), "utf8"));
      expect(got.nodes).toEqual(want.nodes);
      expect(got.edges).toEqual(want.edges);
    });
  });
});

describe.skipIf(!hasCli || !hasChromium)("godiag svg in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("parses as XML, loads with no errors or requests, and wheel/drag move the graph", async () => {
    const [file, args] = CASES[0];
    const path = ourSvg("browser", file, args);
    const { page, errors, refused: requests } = await openLocalPage(browser, path, { viewport: { width: 1200, height: 800 } });
    // an XML parse error makes Chromium show a <parsererror> document instead of the SVG
    expect(await page.evaluate(() => document.getElementsByTagName("parsererror").length)).toBe(0);
    expect(await page.evaluate(() => document.documentElement.nodeName)).toBe("svg");
    const transform = () => page.evaluate(() => document.getElementById("viewport")?.getAttribute("transform") ?? null);
    const before = await transform();
    expect(before).toBe("translate(0,0) scale(0.5)");
    await page.mouse.move(400, 300);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction((b) => document.getElementById("viewport")?.getAttribute("transform") !== b, before);
    const zoomed = (await transform()) as string;
    const scale = Number(/scale\(([\d.]+)\)/.exec(zoomed)?.[1]);
    expect(scale).toBeGreaterThan(0.5); // wheel up zooms in
    await page.mouse.down();
    await page.mouse.move(500, 350, { steps: 4 });
    await page.mouse.up();
    const panned = (await transform()) as string;
    expect(/scale\(([\d.]+)\)/.exec(panned)?.[1]).toBe(String(scale)); // a drag does not zoom
    expect(panned).not.toBe(zoomed);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, 60_000);
});
