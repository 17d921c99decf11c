// godiag weblist against `go tool pprof -weblist` (its page saved with -output): a Go
// program (testdata/listprog) is built here and profiled, then its binary is removed, so
// neither tool can disassemble and pprof shows what godiag shows: per source line flat
// and cum, and under lines that inlined calls, the inlined call chain. Both pages are
// parsed; functions, files, totals, every line's number, class, values and text, and the
// inlined calls under each line must be equal. (pprof visits addresses in Go map order,
// so the order of the inlined calls under a line, and which repeats it prints, varies
// from run to run: those are compared as sets; and where frames of two functions share a
// line, so does the split into functions: ours must be one of the pages pprof writes.)
// Profiles built elsewhere are compared too (pprof's synthetic driver profiles, captures
// whose sources are absent here: "???" lines). The cum of every line also equals
// `go tool pprof -list`'s, a second peer computing it another way (from the graph).

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import type { ReportConfig } from "../src/pprof/report/config.js";
import { CLI, CORPUS, pprofBinary, ROOT, runCli, runPprof, runReport } from "./helpers/run.js";
import { available } from "./helpers/available.js";
import { openLocalPage } from "./helpers/local-page.js";

const hasGo = available(pprofBinary() !== null, "Go (go tool pprof)");
const hasCli = available(existsSync(CLI), `the built CLI (${CLI})`);
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = available(existsSync(CHROMIUM), `chromium (${CHROMIUM})`);
const PROG = join(ROOT, "testdata/listprog");
const OUT = join(ROOT, "test-output/weblist");
const CPU = join(OUT, "cpu.pprof");
const HEAP = join(OUT, "heap.pprof");

interface PageLine {
  line: number;
  cls: string;
  flat: string;
  cum: string;
  src: string;
  calls: string[];
}

interface PageFunc {
  name: string;
  file: string;
  total: string;
  lines: PageLine[];
}

function unescape(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#43;/g, "+")
    .replace(/&amp;/g, "&");
}

/** The listing of a weblist page, pprof's or ours (the same row layout). */
function parsePage(html: string): { total: string; funcs: PageFunc[] } {
  const total = /<br>Total: ([^<]*)<\/div>/.exec(html)?.[1] ?? "";
  const funcs: PageFunc[] = [];
  for (const part of html.split("<h2>").slice(1)) {
    const name = unescape(part.slice(0, part.indexOf("</h2>")));
    const file = unescape(/<p class="filename">([^<]*)<\/p>/.exec(part)?.[1] ?? "");
    const t = /Total:\s+(\S+)\s+(\S+) \(flat, cum\) (\S+)/.exec(part);
    const lines: PageLine[] = [];
    const rows = part.split("\n<span class=line>").slice(1);
    for (const row of rows) {
      const m = /^\s*(\d+)<\/span> <span class=(\w+)>([^<]*)<\/span>/.exec(row);
      if (m === null) throw new Error(`unparsed row: ${row.slice(0, 120)}`);
      const c = unescape(m[3]);
      const calls = [...row.matchAll(/<span class=inlinesrc>([^<]*)<\/span> <span class=unimportant>([^<]*)<\/span>/g)].map(
        (x) => `${unescape(x[1])} @ ${unescape(x[2])}`,
      );
      lines.push({
        line: Number(m[1]),
        cls: m[2],
        flat: c.slice(2, 12).trim(),
        cum: c.slice(13, 23).trim(),
        src: c.slice(34, -1),
        calls: [...new Set(calls)].sort(),
      });
    }
    funcs.push({ name, file, total: t === null ? "" : `${t[1]} ${t[2]} ${t[3]}`, lines });
  }
  return { total, funcs };
}

/** `-list` text: per (function, file), each line's cum. */
function listCums(text: string): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  let cur: Map<number, string> | null = null;
  for (const line of text.split("\n")) {
    const r = /^ROUTINE =+ (.*) in (.*)$/.exec(line);
    if (r !== null) {
      out.set(`${r[1]} in ${r[2]}`, (cur = new Map()));
      continue;
    }
    const m = /^\s*(\S+)\s+(\S+)\s+(\d+):/.exec(line);
    if (m !== null && cur !== null) cur.set(Number(m[3]), m[2]);
  }
  return out;
}

interface Case {
  file: string;
  symbol: string;
  args: string[];
  cfg: Partial<ReportConfig>;
}

const CASES: Case[] = [
  { file: CPU, symbol: "main\\.", args: [], cfg: {} },
  { file: CPU, symbol: "runtime\\.mallocgc$", args: [], cfg: {} },
  { file: CPU, symbol: "sort\\.", args: [], cfg: {} },
  { file: CPU, symbol: "x/exp/rand", args: [], cfg: {} },
  { file: CPU, symbol: "main\\.", args: ["-unit=ms"], cfg: { unit: "ms" } },
  { file: HEAP, symbol: "main\\.", args: ["-sample_index=alloc_space"], cfg: { sampleIndex: "alloc_space" } },
  { file: HEAP, symbol: "runtime\\.", args: ["-sample_index=alloc_objects"], cfg: { sampleIndex: "alloc_objects" } },
  { file: CPU, symbol: "main\\.", args: [`-trim_path=${PROG}`, `-source_path=${PROG}`], cfg: { trimPath: PROG, sourcePath: PROG } },
];

/**
 * Both pages for one case, parsed and compared; returns ours. Where two functions' frames
 * share a source line, which name pprof gives the line follows its Go map order, and so
 * does how it splits the listing into functions (the synthetic cpu profile: two different
 * pages in eight runs). Ours must be one of the pages pprof writes: pprof runs up to 10
 * times until one run's page equals ours.
 */
function compareWithPprof(c: Case, outName: string): { total: string; funcs: PageFunc[] } {
  mkdirSync(OUT, { recursive: true });
  const [html] = runReport("weblist", { sources: [c.file] }, { ...c.cfg, symbol: c.symbol });
  const got = parsePage(html);
  let want = got;
  for (let run = 0; run < 10; run++) {
    const theirsFile = join(OUT, outName);
    const theirs = runPprof(["-symbolize=none", `-weblist=${c.symbol}`, ...c.args, `-output=${theirsFile}`, c.file]);
    expect(theirs.code, theirs.stderr).toBe(0);
    want = parsePage(readFileSync(theirsFile, "utf8"));
    if (JSON.stringify(want) === JSON.stringify(got)) break;
  }
  expect(want.funcs.length).toBeGreaterThan(0);
  expect(want.funcs.reduce((n, f) => n + f.lines.length, 0)).toBeGreaterThan(5);
  expect(got.total).toBe(want.total);
  expect(got.funcs.map((f) => `${f.name} in ${f.file}: ${f.total}`)).toEqual(want.funcs.map((f) => `${f.name} in ${f.file}: ${f.total}`));
  for (let k = 0; k < want.funcs.length; k++) expect(got.funcs[k].lines, want.funcs[k].name).toEqual(want.funcs[k].lines);
  expect(got.funcs.some((f) => f.lines.some((l) => l.cum !== "."))).toBe(true);
  return got;
}

// Profiles whose binaries are elsewhere: pprof's synthetic driver profiles (relative
// sources under --source_path) and captures whose sources are absent here ("???" lines).
const DRIVER = join(CORPUS, "google-pprof/internal/driver");
const OTHERS: Case[] = [
  { file: join(CORPUS, "google-pprof/synthetic/cpu.demangled.pb.gz"), symbol: "line[13]", args: [`-source_path=${DRIVER}`], cfg: { sourcePath: DRIVER } },
  { file: join(CORPUS, "google-pprof/synthetic/heap.demangled.pb.gz"), symbol: ".", args: [`-source_path=${DRIVER}`], cfg: { sourcePath: DRIVER } },
  { file: join(ROOT, "testdata/captures/cpuhotspot/cpu.pb.gz"), symbol: "main\\.", args: [], cfg: {} },
  { file: join(ROOT, "testdata/captures/gcpressure/allocs.pb.gz"), symbol: "runtime\\.mallocgc", args: [], cfg: {} },
  { file: join(ROOT, "testdata/captures/lockcontention/mutex.pb.gz"), symbol: "sync", args: [], cfg: {} },
];

describe.skipIf(!hasGo)("godiag weblist vs go tool pprof -weblist on profiles built elsewhere", () => {
  OTHERS.forEach((c, i) => {
    it(`${c.file.slice(c.file.lastIndexOf("/", c.file.lastIndexOf("/") - 1) + 1)} ${c.symbol}`, () => {
      const got = compareWithPprof(c, `others${i}.html`);
      if (c.file.includes("cpuhotspot")) expect(got.funcs.some((f) => f.lines.some((l) => l.src === "???"))).toBe(true);
      if (c.file.includes("synthetic")) expect(got.funcs.some((f) => f.lines.some((l) => l.calls.length > 0))).toBe(true);
    });
  });
});

describe.skipIf(!hasGo || !hasCli)("godiag weblist vs go tool pprof -weblist", () => {
  beforeAll(() => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const env = { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "-mod=mod" };
    const bin = join(OUT, "listprog");
    const b = spawnSync("go", ["build", "-o", bin, "."], { cwd: PROG, env, encoding: "utf8", timeout: 300_000 });
    if (b.status !== 0) throw new Error(`building listprog failed:\n${b.stderr}`);
    const r = spawnSync(bin, ["-cpu", CPU, "-heap", HEAP, "-d", "1200ms"], { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`listprog failed:\n${r.stderr}`);
    // without the binary pprof cannot disassemble: its page then shows what ours shows
    renameSync(bin, bin + ".moved");
  }, 320_000);

  CASES.forEach((c, i) => {
    it(`${c.file === CPU ? "cpu" : "heap"} ${c.symbol} ${c.args.join(" ")}`, () => {
      const got = compareWithPprof(c, `pprof${i}.html`);
      if (c.file === CPU && c.symbol === "main\\.") expect(got.funcs.some((f) => f.lines.some((l) => l.calls.length > 0))).toBe(true);
    });
  });

  it("each line's cum equals go tool pprof -list's (main functions: no recursion)", () => {
    const list = runPprof(["-symbolize=none", "-list=main\\.", CPU]);
    expect(list.code, list.stderr).toBe(0);
    const cums = listCums(list.stdout);
    const got = parsePage(runReport("weblist", { sources: [CPU] }, { symbol: "main\\." })[0]);
    let compared = 0;
    for (const f of got.funcs) {
      const want = cums.get(`${f.name} in ${f.file}`);
      expect(want, `${f.name} in ${f.file}`).toBeDefined();
      for (const l of f.lines) {
        const w = (want as Map<number, string>).get(l.line);
        if (w === undefined) continue;
        expect(l.cum, `${f.name}:${l.line}`).toBe(w);
        if (w !== ".") compared++;
      }
    }
    expect(compared).toBeGreaterThan(3);
  });

  it("--json: raw per-line cum equal to go tool pprof -list -unit=ns's", () => {
    const list = runPprof(["-symbolize=none", "-list=main\\.", "-unit=ns", CPU]);
    expect(list.code, list.stderr).toBe(0);
    const cums = listCums(list.stdout);
    const r = runCli(["weblist", "main\\.", CPU, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      report: string;
      unit: string;
      functions: { name: string; file: string; lines: { line: number; cum: number; inlinedCalls?: string[] }[] }[];
    };
    expect(doc.report).toBe("weblist");
    expect(doc.unit).toBe("nanoseconds");
    let compared = 0;
    for (const f of doc.functions) {
      const want = cums.get(`${f.name} in ${f.file}`) as Map<number, string>;
      expect(want, f.name).toBeDefined();
      for (const l of f.lines) {
        const w = want.get(l.line);
        if (w === undefined) continue;
        expect(l.cum === 0 ? "." : `${l.cum}ns`, `${f.name}:${l.line}`).toBe(w);
        if (l.cum !== 0) compared++;
      }
    }
    expect(compared).toBeGreaterThan(3);
    expect(doc.functions.some((f) => f.lines.some((l) => (l.inlinedCalls ?? []).some((c) => /\.go:\d+$/.test(c))))).toBe(true);
  });

  it("the CLI writes the page; a regexp matching nothing fails in both, one line, exit 2", () => {
    const out = join(OUT, "cli.html");
    const r = runCli(["weblist", "main\\.", CPU, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^wrote .*cli\.html \(source listing, \d+ KiB\)\n$/);
    expect(parsePage(readFileSync(out, "utf8"))).toEqual(parsePage(runReport("weblist", { sources: [CPU] }, { symbol: "main\\." })[0]));
    const theirs = runPprof(["-symbolize=none", "-weblist=no_such_function_anywhere", `-output=${join(OUT, "none.html")}`, CPU]);
    expect(theirs.code).not.toBe(0);
    const bad = runCli(["weblist", "no_such_function_anywhere", CPU]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain("no matches found for regexp: no_such_function_anywhere");
  });

  describe.skipIf(!hasChromium)("in Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });
    it("loads with no errors or requests; clicking a line with inlined calls shows them", async () => {
      const path = join(OUT, "browser.html");
      const r = runCli(["weblist", "main\\.", CPU, "-o", path]);
      expect(r.code, r.stderr).toBe(0);
      const { page, errors, refused: requests } = await openLocalPage(browser, path);
      const live = page.locator("span.livesrc").first();
      const asm = page.locator("span.livesrc + span.asm").first();
      expect(await asm.isVisible()).toBe(false);
      await live.click();
      expect(await asm.isVisible()).toBe(true);
      expect(await asm.innerText()).toMatch(/\.go:\d+/);
      await live.click();
      expect(await asm.isVisible()).toBe(false);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.close();
    }, 60_000);
  });
});
