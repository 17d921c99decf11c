// godiag serve in real headless Chromium (Debian's chromium + playwright-core), against
// the built CLI as users run it. Every view loads without console errors and without a
// request leaving the server; the numbers are the CLI's (`godiag top`, dot, peek, list,
// diagnose, goroutines: each equal to its peer elsewhere in the suite); sample index and
// filters change every profile view; the URL state survives a reload; the diff view
// colours what grew and shrank. Screenshots go to test-output/serve/ for a human.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { available } from "./helpers/available.js";
import { CLI, ROOT, runCli } from "./helpers/run.js";
import { startServe, type RunningServe } from "./helpers/serve-ui.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = available(existsSync(CHROMIUM), `chromium (${CHROMIUM})`) && available(existsSync(CLI), `the built CLI (${CLI})`);
const OUT = join(ROOT, "test-output/serve");
const CAP = "testdata/captures/gcpressure";
const TRACE = "testdata/trace/corpus/healthy.trace";
const CPUBOUND = "testdata/profiles/cpubound/cpu.pb.gz";
const ALLOCHEAVY = "testdata/profiles/allocheavy/cpu.pb.gz";

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

let browser: Browser;

async function open(srv: RunningServe): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => requests.push(r.url()));
  // Anything not for our server is recorded and refused.
  const origin = new URL(srv.url).origin;
  await page.route("**/*", (route) => (route.request().url().startsWith(origin + "/") ? route.continue() : route.abort()));
  return { page, errors, requests };
}

/** Load a state (URL query) and wait until its view has drawn. */
async function show(o: Opened, srv: RunningServe, query: string): Promise<void> {
  await o.page.goto(srv.url + query);
  await o.page.waitForSelector("body[data-ready]", { timeout: 60_000 });
}

async function ready(page: Page): Promise<string> {
  await page.waitForSelector("body[data-ready]", { timeout: 60_000 });
  return (await page.getAttribute("body", "data-ready")) ?? "";
}

/** `godiag top`'s rows: [flat, flat%, sum%, cum, cum%, name]. */
function cliTopRows(text: string): string[][] {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => /^\s+flat\s+flat%\s+sum%/.test(l));
  return lines
    .slice(at + 1)
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(l)!;
      return m.slice(1, 7);
    });
}

async function tableRows(page: Page): Promise<string[][]> {
  return page.$$eval("table.top tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
}

async function labels(page: Page): Promise<string> {
  return (await page.textContent("pre.labels")) ?? "";
}

type FlameApi = { state(): { nodes: number; colorMode: string }; nodeInfo(i: number): { totalPos: number; totalNeg: number } };
const flameApi = <T>(page: Page, fn: (a: FlameApi) => T): Promise<T> =>
  page.evaluate(`(${fn.toString()})(document.getElementById("godiag-flame").godiagFlame)`) as Promise<T>;

/** A CLI's --json answer (diagnose exits 1 or 3 when it found something: not a failure). */
function json<T>(args: string[]): T {
  const r = runCli(args);
  expect([0, 1, 3], r.stderr).toContain(r.code);
  return JSON.parse(r.stdout) as T;
}

describe.skipIf(!hasChromium)("godiag serve in Chromium", () => {
  let srv: RunningServe;
  let diff: RunningServe;
  const ids = new Map<string, number>();
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    [srv, diff] = await Promise.all([startServe([CAP, TRACE]), startServe([CPUBOUND, "--diff_base", ALLOCHEAVY])]);
    const meta = (await (await fetch(srv.url + "api/meta")).json()) as { profiles: { id: number; name: string }[] };
    for (const p of meta.profiles) ids.set(p.name.replace(/^.*\//, ""), p.id);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    await diff?.stop();
  });

  it("loads every view without console errors or any request off the server", async () => {
    const o = await open(srv);
    const cpu = ids.get("cpu.pb.gz")!;
    const views = ["findings", "flame", "top", "graph", "source&fn=main%5C.buildRequestTree", "peek&fn=main%5C.buildRequestTree", "goroutines", "gc", "trace"];
    for (const v of views) {
      await show(o, srv, `?p=${cpu}&view=${v}`);
      const name = v.replace(/&.*/, "");
      expect(await ready(o.page), v).toBe(name);
      expect(await o.page.$$eval(".error", (e) => e.map((x) => x.textContent)), v).toEqual([]);
      await o.page.screenshot({ path: join(OUT, `${name}.png`) });
    }
    expect(o.errors).toEqual([]);
    const origin = new URL(srv.url).origin;
    expect(o.requests.length).toBeGreaterThan(views.length);
    expect(o.requests.filter((u) => !u.startsWith(origin + "/"))).toEqual([]);
    // each view drew its thing
    await show(o, srv, `?p=${cpu}&view=gc`);
    expect(await o.page.$$eval(".chart canvas", (c) => c.length)).toBeGreaterThanOrEqual(3);
    // clicking a function's node in the call graph lists its source
    await show(o, srv, `?p=${cpu}&view=graph`);
    const tip = (await o.page.getAttribute(".graph svg g.node a[*|title^='main.buildRequestTree ']", "xlink:title"))!;
    expect(tip).toMatch(/^main\.buildRequestTree \(/);
    await o.page.click(".graph svg g.node a[*|title^='main.buildRequestTree '] text");
    expect(await ready(o.page)).toBe("source");
    expect(new URL(o.page.url()).searchParams.get("fn")).toBe("^main\\.buildRequestTree$");
    await show(o, srv, `?view=trace`);
    expect(await o.page.$$eval("#godiag-timeline canvas", (c) => c.length)).toBeGreaterThan(0);
    await o.page.close();
  });

  it("top shows the same rows as `godiag top`, for the default and another sample index", async () => {
    const o = await open(srv);
    for (const [file, si] of [["cpu.pb.gz", ""], ["heap.pb.gz", "alloc_objects"], ["heap.pb.gz", "inuse_space"]] as const) {
      await show(o, srv, `?view=top&p=${ids.get(file)}` + (si !== "" ? `&si=${si}` : ""));
      const cli = runCli(["top", ...(si !== "" ? [`--sample_index=${si}`] : []), join(CAP, file)]);
      expect(cli.code).toBe(0);
      const want = cliTopRows(cli.stdout);
      expect(want.length).toBeGreaterThan(5);
      expect(await tableRows(o.page)).toEqual(want);
      expect(await labels(o.page)).toBe(cli.stdout.split("\n").slice(0, cli.stdout.split("\n").findIndex((l) => /^\s+flat\s+flat%/.test(l))).join("\n"));
    }
    // sorting by cum is the server's (pprof -cum: sum% follows the order)
    await show(o, srv, `?view=top&p=${ids.get("cpu.pb.gz")}`);
    await o.page.click("th[data-sort=cum]");
    await ready(o.page);
    expect(await tableRows(o.page)).toEqual(cliTopRows(runCli(["top", "--cum", join(CAP, "cpu.pb.gz")]).stdout));
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it("the sample index and the filters change every profile view, each as the CLI says", async () => {
    const o = await open(srv);
    const heap = join(CAP, "heap.pb.gz");
    const p = ids.get("heap.pb.gz")!;
    const focus = "main\\.buildRequestTree";
    const states: [string, string[]][] = [
      ["si=alloc_space", ["--sample_index=alloc_space"]],
      ["si=alloc_objects", ["--sample_index=alloc_objects"]],
      [`si=alloc_space&focus=${encodeURIComponent(focus)}`, ["--sample_index=alloc_space", `--focus=${focus}`]],
      [`si=alloc_space&ignore=${encodeURIComponent(focus)}`, ["--sample_index=alloc_space", `--ignore=${focus}`]],
      ["si=alloc_space&g=lines", ["--sample_index=alloc_space", "--lines"]],
    ];
    const seen = { flame: new Set<number>(), dot: new Set<string>(), peek: new Set<string>(), source: new Set<string>(), top: new Set<string>() };
    for (const [q, flags] of states) {
      // flame: the root's total is the sum of the samples the filters keep (the CLI's total with --relative_percentages)
      await show(o, srv, `?view=flame&p=${p}&${q}`);
      const total = json<{ total: number }>(["top", "--json", "--relative_percentages", ...flags, heap]).total;
      const root = await flameApi(o.page, (a) => a.nodeInfo(0).totalPos);
      expect(root, q).toBe(total);
      seen.flame.add(root);
      // graph: the DOT laid out is `godiag dot`'s, and Graphviz drew each of its nodes
      await show(o, srv, `?view=graph&p=${p}&${q}`);
      const dot = runCli(["dot", ...flags, heap]).stdout;
      expect(await o.page.textContent("pre.dot"), q).toBe(dot);
      // function nodes (N1..) and their tag nodes (NN1_0..), plus the legend box
      const nodes = dot.split("\n").filter((l) => /^NN?\d+(_\d+)? \[/.test(l)).length;
      expect(await o.page.$$eval(".graph svg g.node", (g) => g.length)).toBe(nodes + 1);
      seen.dot.add(dot);
      // peek and source: `godiag peek` / `godiag list`
      for (const view of ["peek", "source"] as const) {
        await show(o, srv, `?view=${view}&p=${p}&${q}&fn=${encodeURIComponent(focus)}`);
        const cli = runCli([view === "peek" ? "peek" : "list", focus, ...flags, heap]);
        // (ignoring the function itself: the CLI's error, and the view's)
        const text = (await o.page.textContent(cli.code === 0 ? (view === "peek" ? "pre.peek" : "pre.listing") : ".error")) ?? "";
        expect(text, `${view} ${q}`).toBe(cli.code === 0 ? cli.stdout : cli.stderr.replace(/^godiag: /, "").trim());
        seen[view].add(text);
      }
      await show(o, srv, `?view=top&p=${p}&${q}`);
      const rows = await tableRows(o.page);
      expect(rows).toEqual(cliTopRows(runCli(["top", ...flags, heap]).stdout));
      seen.top.add(JSON.stringify(rows));
    }
    // every view changed with every state (peek and source: the focus on the listed function itself changes nothing but the ignore does)
    // (the flame graph's root total does not depend on the granularity: one state fewer)
    expect(seen.flame.size).toBe(states.length - 1);
    expect(seen.dot.size).toBe(states.length);
    expect(seen.top.size).toBe(states.length);
    expect(seen.peek.size).toBeGreaterThanOrEqual(3);
    expect(seen.source.size).toBeGreaterThanOrEqual(3);
    // the only failed loads: peek and source of an ignored function (400 with the CLI's error line)
    expect(o.errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e))).toEqual([]);
    expect(o.errors).toHaveLength(2);
    await o.page.close();
  });

  it("the state set through the bar lives in the URL and survives a reload", async () => {
    const o = await open(srv);
    await show(o, srv, `?view=top&p=${ids.get("heap.pb.gz")}`);
    await o.page.selectOption("select[name=si]", "alloc_objects");
    await ready(o.page);
    await o.page.fill("input[name=focus]", "main\\.");
    await o.page.fill("input[name=hide]", "runtime\\.");
    await o.page.click("#state button[type=submit]");
    await ready(o.page);
    const url = new URL(o.page.url());
    expect(url.searchParams.get("si")).toBe("alloc_objects");
    expect(url.searchParams.get("focus")).toBe("main\\.");
    expect(url.searchParams.get("hide")).toBe("runtime\\.");
    const before = await tableRows(o.page);
    expect(before).toEqual(cliTopRows(runCli(["top", "--sample_index=alloc_objects", "--focus=main\\.", "--hide=runtime\\.", join(CAP, "heap.pb.gz")]).stdout));
    await o.page.reload();
    await ready(o.page);
    expect(await tableRows(o.page)).toEqual(before);
    expect(await o.page.inputValue("input[name=focus]")).toBe("main\\.");
    expect(await o.page.inputValue("select[name=si]")).toBe("alloc_objects");
    // the state is shared by the views: the flame graph keeps it
    await o.page.click("a[data-view=flame]");
    await ready(o.page);
    expect(new URL(o.page.url()).searchParams.get("focus")).toBe("main\\.");
    await o.page.goBack();
    expect(await ready(o.page)).toBe("top");
    expect(await tableRows(o.page)).toEqual(before);
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it("findings are the diagnosis, their evidence links to the view that shows it", async () => {
    const o = await open(srv);
    await show(o, srv, `?view=findings`);
    const d = json<{ findings: { id: string }[] }>(["diagnose", "--json", CAP]);
    expect(await o.page.$$eval("section.finding", (s) => s.map((x) => x.getAttribute("data-id")))).toEqual(d.findings.map((f) => f.id));
    // the CPU evidence opens the cpu profile's top with the function in focus
    const link = o.page.locator("a.evidence-link", { hasText: "cpu profile" }).first();
    await link.click();
    expect(await ready(o.page)).toBe("top");
    expect(await labels(o.page)).toMatch(/Active filters:\n\s+focus=\^main\\\.buildRequestTree\$/);
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it("goroutines: the newest dump's buckets, as `godiag goroutines --json`; the leak diff", async () => {
    const o = await open(srv);
    await show(o, srv, `?view=goroutines`);
    const want = json<{ total: number; buckets: { count: number }[] }>(["goroutines", "--json", join(CAP, "goroutine.debug2.2.txt")]);
    expect(await o.page.$$eval("tr.bucket td:first-child", (t) => t.map((x) => Number(x.textContent)))).toEqual(want.buckets.map((b) => b.count));
    expect(await o.page.textContent("#view h3")).toContain(`${want.total} goroutines`);
    expect(await o.page.textContent("pre.leakdiff")).toMatch(/goroutine/);
    await show(o, srv, `?view=gc`);
    // one chart set per gctrace; the cycles are the log's gc lines (grep -c '^gc [0-9]* @' = 1274)
    expect(await o.page.textContent("#view h3")).toContain("1274 GC cycles");
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it("the diff view colours what grew and what shrank, as `godiag top --diff_base` signs it", async () => {
    const o = await open(diff);
    await show(o, diff, `?view=top`);
    const cli = cliTopRows(runCli(["top", "--diff_base", ALLOCHEAVY, CPUBOUND]).stdout);
    const rows = await o.page.$$eval("table.top tbody tr", (trs) => trs.map((tr) => [tr.className, tr.querySelector("td")!.textContent ?? ""]));
    expect(rows.map((r) => r[1])).toEqual(cli.map((r) => r[0]));
    const grew = rows.filter((r) => r[0] === "grew");
    const shrank = rows.filter((r) => r[0] === "shrank");
    expect(grew.length).toBeGreaterThan(0);
    expect(shrank.length).toBeGreaterThan(0);
    for (const [cls, flat] of rows) expect(cls, flat).toBe(flat!.startsWith("-") ? "shrank" : /^0(\.0+)?[a-zµ]*$/.test(flat!) ? "" : "grew");
    // the flame graph's diff hues: red for grew, blue for shrank
    const bg = await o.page.$$eval("tr.grew, tr.shrank", (trs) => trs.map((t) => [t.className, getComputedStyle(t).backgroundColor]));
    for (const [cls, color] of bg) {
      const [r, , b] = /rgb\((\d+), (\d+), (\d+)\)/.exec(color!)!.slice(1).map(Number);
      expect(cls === "grew" ? r! > b! + 30 : b! > r! + 30, `${cls} ${color}`).toBe(true);
    }
    // the flame graph of the same state is in diff colours
    await show(o, diff, `?view=flame`);
    expect(await flameApi(o.page, (a) => a.state().colorMode)).toBe("diff");
    const root = await flameApi(o.page, (a) => a.nodeInfo(0));
    expect(root.totalPos).toBeGreaterThan(0);
    expect(root.totalNeg).toBeGreaterThan(0);
    await o.page.screenshot({ path: join(OUT, "diff-flame.png") });
    // and "no diff" in the bar turns it off
    await o.page.selectOption("select[name=base]", "-1");
    await ready(o.page);
    expect(await flameApi(o.page, (a) => a.state().colorMode)).not.toBe("diff");
    expect(o.errors).toEqual([]);
    await o.page.close();
  });
});

const hasGo = hasChromium && available(spawnSync("go", ["version"]).status === 0, "Go");

describe.skipIf(!hasGo)("godiag serve: the source view on a Go program built here (sources present)", () => {
  const dir = join(OUT, "listprog");
  const cpu = join(dir, "cpu.pprof");
  let srv: RunningServe;
  let elsewhere: RunningServe;
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    const env = { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "-mod=mod" };
    const bin = join(dir, "listprog");
    const b = spawnSync("go", ["build", "-o", bin, "."], { cwd: join(ROOT, "testdata/listprog"), env, encoding: "utf8", timeout: 300_000 });
    if (b.status !== 0) throw new Error(`building listprog failed:\n${b.stderr}`);
    const r = spawnSync(bin, ["-cpu", cpu, "-heap", join(dir, "heap.pprof"), "-d", "800ms"], { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`listprog failed:\n${r.stderr}`);
    // the default roots: the working directory (the repository, which holds the program), GOROOT, the module cache
    srv = await startServe([cpu]);
    // --source_path elsewhere: the program's own sources are outside every root
    elsewhere = await startServe([cpu, `--source_path=${join(OUT, "empty")}`]);
  }, 320_000);
  afterAll(async () => {
    await srv?.stop();
    await elsewhere?.stop();
    await browser?.close();
  });

  it("lists the program's, GOROOT's and the module cache's sources as `godiag list` does, lines with samples marked", async () => {
    const o = await open(srv);
    for (const fn of ["main\\.allocate$", "runtime\\.mallocgc$", "x/exp/rand"]) {
      await show(o, srv, `?view=source&fn=${encodeURIComponent(fn)}`);
      const want = runCli(["list", fn, cpu]).stdout;
      expect(want).not.toContain("Error:");
      expect(await o.page.textContent("pre.listing"), fn).toBe(want);
      expect(await o.page.$$eval("pre.listing span.hot", (s) => s.length)).toBeGreaterThan(0);
    }
    expect(await o.page.textContent("pre.listing")).toMatch(/pkg\/mod\/golang\.org\/x\/exp@/);
    await o.page.screenshot({ path: join(OUT, "source.png") });
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it("with the program outside the source roots, its lines are refused while GOROOT's are served", async () => {
    mkdirSync(join(OUT, "empty"), { recursive: true });
    const main = (await (await fetch(elsewhere.url + "api/source?fn=" + encodeURIComponent("main\\.allocate$"))).json()) as { text: string };
    expect(main.text).toMatch(/ Error: open \S+listprog\/main\.go: outside the source roots/);
    const rt = (await (await fetch(elsewhere.url + "api/source?fn=" + encodeURIComponent("runtime\\.mallocgc$"))).json()) as { text: string };
    expect(rt.text).toContain("func mallocgc(");
  });
});
