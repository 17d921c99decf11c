// `godiag trace` as users run it: the text report, --json per docs/TRACE.md, flags,
// and bad input (one line naming the file, exit 2; a trace cut short is analysed up
// to its last complete generation with a warning).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "./helpers/run.js";
import { analyzeTraceFile } from "../src/api/trace.js";
import { InputError } from "../src/api/errors.js";
import { oracle, TRACE_CORPUS } from "./helpers/trace-peers.js";

const TMP = join(ROOT, "test-output/trace-cli");
mkdirSync(TMP, { recursive: true });
const corpus = (n: string) => join(TRACE_CORPUS, `${n}.trace`);

describe("godiag trace", () => {
  it("text report: GC, STW, MMU, groups, tasks; fits 100 columns", () => {
    const r = runCli(["trace", corpus("tasks")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Execution trace .*tasks\.trace \(go1\.\d+ format/);
    expect(r.stdout).toMatch(/stop-the-world 1, total/);
    expect(r.stdout).toMatch(/minimum mutator utilisation \(stw\+background\+assist\); over the whole trace 100\.0%\n +window +1ms +2ms +5ms +10ms/);
    // No GC in this trace: the program always had every P.
    expect(r.stdout).toMatch(/\n +MMU( +100%){10}\n/);
    expect(r.stdout).toMatch(/main\.main\.func3 +60 /);
    expect(r.stdout).toMatch(/request +n=60 +p50 /);
    for (const l of r.stdout.split("\n")) expect(l.length, l).toBeLessThanOrEqual(100);
  });

  it("--json: the documented schema", () => {
    const r = runCli(["trace", "--json", corpus("gcheavy")]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.report).toBe("trace");
    expect(j.schema).toBe("godiag.trace/v1");
    expect(Object.keys(j)).toEqual([
      "report", "schema", "file", "goVersion", "generations", "warnings", "summary", "schedLatency", "mmu",
      "goroutineGroups", "topGoroutines", "tasks", "regions", "longRuns",
    ]);
    expect(j.summary.gcCycles).toBeGreaterThan(0);
    expect(j.mmu.points.map((p: { windowNs: number }) => p.windowNs)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].map((x) => x * 1e6));
    const g = j.goroutineGroups.find((x: { name: string }) => x.name === "main.main.func1");
    expect(g.count).toBe(j.summary.maxGomaxprocs + 2);
    expect(g.stats.nonOverlappingNs["Execution time"]).toBe(g.stats.execNs);
    expect(j.topGoroutines[0].stack.length).toBeGreaterThan(0);
  });

  it("--mmu and --long-run change what is computed", () => {
    const a = JSON.parse(runCli(["trace", "--json", corpus("gcheavy")]).stdout);
    const b = JSON.parse(runCli(["trace", "--json", "--mmu", "perProc|stw|background|assist|sweep", "--long-run", "1ms", corpus("gcheavy")]).stdout);
    expect(b.mmu.flags).toEqual({ stw: true, background: true, assist: true, sweep: true, perProc: true });
    // Per P, sweeping counted too: never more utilisation than the system view.
    expect(b.mmu.points[0].mmu).toBeLessThanOrEqual(a.mmu.points[0].mmu);
    expect(b.longRuns.thresholdNs).toBe(1e6);
    expect(b.longRuns.runs.length).toBeGreaterThanOrEqual(a.longRuns.runs.length);
    const bad = runCli(["trace", "--mmu", "gc", corpus("gcheavy")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--mmu: unknown flag "gc"/);
  });
});

describe("godiag trace: bad input", () => {
  const write = (name: string, data: Buffer | string) => {
    const p = join(TMP, name);
    writeFileSync(p, data);
    return p;
  };
  const oneLine = (args: string[], p: string) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(p);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    return r.stderr;
  };

  it("not a trace, empty, missing", () => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) & 255;
    for (const [name, data] of [["junk.bin", junk], ["empty.trace", ""], ["text.trace", "hello\n"]] as const) {
      const p = write(name, data);
      oneLine(["trace", p], p);
    }
    const missing = join(TMP, "missing.trace");
    oneLine(["trace", missing], missing);
  });

  it("cut inside its first generation: nothing to analyse, exit 2", () => {
    const data = readFileSync(corpus("tasks"));
    const p = write("first-gen-cut.trace", data.subarray(0, Math.floor(data.length / 2)));
    expect(oneLine(["trace", p], p)).toMatch(/nothing to analyse/);
  });

  it("flipped bytes: analysed or bad input, never another error (200 seeded mutations)", () => {
    const src = readFileSync(corpus("starved"));
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const p = join(TMP, "flipped.trace");
    let analysed = 0;
    let rejected = 0;
    for (let i = 0; i < 200; i++) {
      const b = Buffer.from(src);
      for (let k = 0, n = 1 + Math.floor(rnd() * 4); k < n; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      writeFileSync(p, b);
      try {
        analyzeTraceFile(p);
        analysed++;
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`mutation ${i}: ${(e as Error).message}`, { cause: e });
        rejected++;
      }
    }
    // Both outcomes occur: flips in event arguments often still parse; flips in headers do not.
    expect(analysed).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  }, 60_000);

  it("cut inside a later generation: analysed with a warning", () => {
    const data = readFileSync(corpus("starved")); // two generations
    const p = write("second-gen-cut.trace", data.subarray(0, data.length - 64));
    const r = runCli(["trace", p]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^warning: .*cut short/m);
    expect(r.stdout).toMatch(/\(go1\.\d+ format, 1 generation\)/);
  });
});

describe("godiag trace <bundle dir>", () => {
  const bundle = (name: string, files: object[]) => {
    const dir = join(TMP, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ godiag: 1, target: "http://127.0.0.1:6060", captureTime: "2026-12-06T00:00:00Z", files }));
    return dir;
  };

  it("reads the bundle's trace", () => {
    const dir = bundle("with-trace", [{ path: "trace.out", kind: "trace", seconds: 1 }]);
    writeFileSync(join(dir, "trace.out"), readFileSync(corpus("tasks")));
    const r = runCli(["trace", "--json", dir]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).file).toBe(join(dir, "trace.out"));
  });

  it("a bundle without a trace: one line, exit 2", () => {
    const dir = bundle("without-trace", [{ path: "cpu.pb.gz", kind: "cpu" }]);
    const r = runCli(["trace", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has no execution trace/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("godiag trace: the pre-Go 1.22 format (workloads built with Go 1.19)", () => {
  // The reader refuses the old format for now; once it reads it, the analysis must agree
  // with x/exp/trace (which converts old traces) like any other trace.
  for (const n of ["tasks", "gcheavy"]) {
    it(`${n}-go119: refused in one line naming the version, or analysed as x/exp/trace reads it`, () => {
      const f = corpus(`${n}-go119`);
      const r = runCli(["trace", "--json", f]);
      if (r.code === 2) {
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).toContain(f);
        expect(r.stderr).toMatch(/go 1\.19/);
        return;
      }
      expect(r.code).toBe(0);
      const want = JSON.parse(oracle("stats", f)) as { durationNs: number; goroutinesCreated: number; gcCycles: number };
      const j = JSON.parse(r.stdout);
      expect([j.summary.durationNs, j.summary.goroutinesCreated, j.summary.gcCycles]).toEqual([want.durationNs, want.goroutinesCreated, want.gcCycles]);
    });
  }
});
