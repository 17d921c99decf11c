// The peers the trace-analysis tests compare against: the oracle program
// (testdata/trace/oracle, golang.org/x/exp/trace) and go tool trace's HTTP server
// (its /goroutines, /goroutine and /mmu pages).

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./run.js";

export const TRACE_CORPUS = join(ROOT, "testdata/trace/corpus");
const ORACLE_DIR = join(ROOT, "testdata/trace/oracle");
const GO_ENV = { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "-mod=mod" };

export function haveGo(): boolean {
  return spawnSync("go", ["version"], { encoding: "utf8" }).status === 0;
}

let oracleBin: string | undefined;

/** Builds the oracle once per test file. */
export function oracle(mode: string, file: string): string {
  if (!oracleBin) {
    oracleBin = join(mkdtempSync(join(tmpdir(), "godiag-oracle-")), "oracle");
    const b = spawnSync("go", ["build", "-o", oracleBin, "."], { cwd: ORACLE_DIR, env: GO_ENV, encoding: "utf8" });
    if (b.status !== 0) throw new Error(`building the oracle failed:\n${b.stderr}`);
  }
  const r = spawnSync(oracleBin, [mode, file], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`oracle ${mode} ${file}: ${r.stderr}`);
  return r.stdout;
}

export interface GoToolTrace {
  url: string;
  get(path: string): Promise<string>;
  close(): void;
}

/** Starts `go tool trace -http=127.0.0.1:0 file` and waits until it listens. */
export async function startGoToolTrace(file: string): Promise<GoToolTrace> {
  // BROWSER=true: "opening" the browser runs /bin/true, so nothing else starts.
  const p: ChildProcess = spawn("go", ["tool", "trace", "-http=127.0.0.1:0", file], {
    env: { ...GO_ENV, BROWSER: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`go tool trace did not start:\n${err}`)), 60_000);
    const onData = (b: Buffer) => {
      err += b.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    p.stderr!.on("data", onData);
    p.stdout!.on("data", onData);
    p.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`go tool trace exited ${code}:\n${err}`));
    });
  });
  return {
    url,
    async get(path: string) {
      const r = await fetch(url + path);
      if (!r.ok) throw new Error(`GET ${path}: ${r.status}`);
      return r.text();
    },
    close() {
      p.kill();
    },
  };
}

/** Go's time.ParseDuration for what Duration.String prints ("1.5ms", "2m3.4s", "0s"). */
export function parseGoDuration(s: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  if (s === "0s" || s === "0") return 0;
  const neg = s.startsWith("-");
  const re = /(\d+)(?:\.(\d+))?(ns|us|µs|μs|ms|s|m|h)/gy;
  re.lastIndex = neg ? 1 : 0;
  let total = 0;
  let end = re.lastIndex;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const unit = units[m[3]];
    // Integer arithmetic on the fraction's digits keeps whole nanoseconds exact.
    const frac = m[2] ?? "";
    total += Number(m[1]) * unit + (frac ? Math.round((Number(frac) * unit) / 10 ** frac.length) : 0);
    end = re.lastIndex;
  }
  if (end !== s.length) throw new Error(`not a Go duration: ${s}`);
  return neg ? -total : total;
}

const unescapeHtml = (s: string) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

/** The /goroutines table: start function, count, total execution time (ns). */
export function parseGroupsPage(html: string): { name: string; count: number; execNs: number }[] {
  const out: { name: string; count: number; execNs: number }[] = [];
  const re = /<tr>\s*<td><code><a href="[^"]*">([^<]*)<\/a><\/code><\/td>\s*<td>(\d+)<\/td>\s*<td>([^<]*)<\/td>\s*<\/tr>/g;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const name = unescapeHtml(m[1]);
    out.push({ name: name === "(Inactive, no stack trace sampled)" ? "" : name, count: Number(m[2]), execNs: parseGoDuration(m[3].trim()) });
  }
  return out;
}

/** The breakdown table of /goroutine?name=...: per goroutine id, Total and each column (ns). */
export function parseGroupPage(html: string): Map<number, Map<string, number>> {
  const start = html.indexOf('<h3 id="breakdown">');
  const end = html.indexOf('<h3 id="ranges">');
  const table = html.slice(start, end);
  const headers = [...table.matchAll(/<th class="link"[^>]*>\s*([^<]*?)\s*<\/th>/g)].map((m) => unescapeHtml(m[1]));
  const rows = new Map<number, Map<string, number>>();
  const rowRe = /<tr>\s*<td> <a href="\/trace\?goid=(\d+)">\d+<\/a> <\/td>([\s\S]*?)<\/tr>/g;
  for (let m = rowRe.exec(table); m; m = rowRe.exec(table)) {
    const cells = [...m[2].matchAll(/<td>\s*([^<\s][^<]*?)\s*<\/td>/g)].map((c) => c[1]);
    const vals = new Map<string, number>();
    // headers[0] is "Total"; the stacked bar cell holds a div, not text.
    headers.forEach((h, i) => vals.set(h, parseGoDuration(cells[i])));
    rows.set(Number(m[1]), vals);
  }
  return rows;
}

export interface RegionRow {
  goroutine: number;
  /** 0 when the page shows no task (the background task) */
  task: number;
  cols: Map<string, number>;
}

/** The breakdown table of /userregion?type=...: one row per region instance. */
export function parseRegionPage(html: string): RegionRow[] {
  const start = html.indexOf('<h3 id="breakdown">');
  const end = html.indexOf('<h3 id="ranges">');
  const table = html.slice(start, end);
  const headers = [...table.matchAll(/<th class="link"[^>]*>\s*([^<]*?)\s*<\/th>/g)].map((m) => unescapeHtml(m[1]));
  const out: RegionRow[] = [];
  const rowRe = /<tr>\s*<td> <a href="\/trace\?goid=(\d+)">\d+<\/a> <\/td>\s*<td> (?:<a href="\/trace\?focustask=(\d+)">\d+<\/a>)? <\/td>([\s\S]*?)<\/tr>/g;
  for (let m = rowRe.exec(table); m; m = rowRe.exec(table)) {
    const cells = [...m[3].matchAll(/<td>\s*([^<\s][^<]*?)\s*<\/td>/g)].map((c) => c[1]);
    const cols = new Map<string, number>();
    headers.forEach((h, i) => cols.set(h, parseGoDuration(cells[i])));
    out.push({ goroutine: Number(m[1]), task: m[2] ? Number(m[2]) : 0, cols });
  }
  return out;
}
