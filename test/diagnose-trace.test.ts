// diagnose reading execution traces (kind "trace"): each workload of
// testdata/trace/workloads (traces in testdata/trace/corpus, written by
// scripts/trace-corpus.mjs with the machine's Go) is asserted to give the finding its
// program is written to cause, naming the function that causes it; the healthy ones give
// nothing above info. A trace read next to a gctrace log and an allocation profile of the
// same run joins the GC rule's finding. A broken trace is a warning, never a failure.

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openBundle } from "../src/bundle/read.js";
import { diagnose, type Diagnosis } from "../src/diagnose/engine.js";
import type { Finding } from "../src/diagnose/finding.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { readTraces } from "../src/diagnose/trace-input.js";
import { available } from "./helpers/available.js";
import { buildWorkload, startLive, stopAll } from "./helpers/live.js";
import { ROOT, runCli } from "./helpers/run.js";
import { TRACE_CORPUS } from "./helpers/trace-peers.js";

const LIMITS = { ...DEFAULT_LIMITS, maxFiles: 100 };

async function run(...inputs: string[]): Promise<Diagnosis> {
  return diagnose(await openBundle(inputs, LIMITS));
}
const corpus = (n: string) => join(TRACE_CORPUS, `${n}.trace`);
const aboveInfo = (d: Diagnosis) => d.findings.filter((f) => f.severity !== "info").map((f) => f.id);
const num = (f: Finding, name: string) => f.evidence.find((e) => name in e.numbers)?.numbers[name];

describe("diagnose reads execution traces", () => {
  it("starved (GOMAXPROCS=1, three spinners, an HTTP handler): scheduler latency behind main.spin, GOMAXPROCS named", async () => {
    const d = await run(corpus("starved"));
    expect(d.ruleErrors).toEqual([]);
    const top = d.findings[0]!;
    expect(top.category).toBe("scheduler-latency");
    expect(top.functions[0]).toBe("main.spin");
    // Three spinners take 10 ms slices on the one P; the handler needs microseconds: it
    // waits far longer than it runs.
    expect(top.severity).toBe("critical");
    expect(num(top, "gomaxprocs")).toBe(1);
    expect(top.title).toContain("GOMAXPROCS=1");
    expect(num(top, "handler_sched_latency_p99_ms")).toBeGreaterThanOrEqual(10);
    expect(num(top, "handler_runnable_of_work_pct")).toBeGreaterThan(50);
    // Every source is the trace file.
    for (const e of top.evidence) expect(e.source).toBe(corpus("starved"));
  });

  it("gcheavy (allocators over a retained heap at GOGC=50): gc-pressure from mark assists in main.build", async () => {
    const d = await run(corpus("gcheavy"));
    const top = d.findings[0]!;
    expect(top.category).toBe("gc-pressure");
    expect(top.functions[0]).toBe("main.build");
    expect(top.severity).not.toBe("info");
    // A stop-the-world that waited for an allocator is the allocation's doing.
    for (const f of d.findings.filter((x) => x.category === "stw-delay")) expect(top.explains).toContain(f.id);
  });

  it("the assist stacks add up to the trace's mark assists (count and time, as oracle stats counts them)", async () => {
    const b = await openBundle([corpus("gcheavy")], LIMITS);
    const [t] = readTraces(b.files, b);
    const sum = t!.sites.assists.reduce((a, x) => ({ count: a.count + x.count, ns: a.ns + x.totalNs }), { count: 0, ns: 0 });
    expect(sum.count).toBe(t!.report.summary.markAssist.count);
    expect(sum.ns).toBe(t!.report.summary.markAssist.totalNs);
    // Every assist begins in the allocator, called from main.build (all the program allocates).
    for (const a of t!.sites.assists) expect(a.stack.find((f) => !f.func.startsWith("runtime."))?.func).toBe("main.build");
  });

  it("stwdelay (a 64 MiB copy, one non-preemptible memmove): stw-delay names main.copyFrames", async () => {
    const d = await run(corpus("stwdelay"));
    const top = d.findings[0]!;
    expect(top.category).toBe("stw-delay");
    expect(top.functions).toEqual(["main.copyFrames"]);
    expect(top.severity).not.toBe("info");
    // Waited at least a whole scheduler quantum: the runtime could not stop the copy.
    expect(num(top, "stw_delay_max_ms")).toBeGreaterThanOrEqual(10);
  });

  it("slowio (each request waits 20 ms on a TCP backend): task-latency in region fetchInventory of main.fetchInventory", async () => {
    const d = await run(corpus("slowio"));
    const top = d.findings[0]!;
    expect(top.category).toBe("task-latency");
    expect(top.id).toBe("task-latency:checkout:main.fetchInventory");
    expect(top.functions).toEqual(["main.fetchInventory"]);
    expect(top.title).toContain('"fetchInventory"');
    expect(top.severity).toBe("warning");
    // 20 ms of network wait against well under a millisecond of work per request.
    expect(num(top, "network_wait_pct")).toBeGreaterThan(90);
    expect(num(top, "task_latency_p50_ms")).toBeGreaterThanOrEqual(20);
  });

  it("tasks: a quarter of each request is network and syscall waits, most in netRoundTrip (main.netWait): info only", async () => {
    const d = await run(corpus("tasks"));
    expect(aboveInfo(d)).toEqual([]);
    const f = d.findings.find((x) => x.category === "task-latency")!;
    // Per request: 3 ms channel, 2 ms sleep, mutex waits; the net region waits the server's
    // 1 ms sleep plus a dial and a round trip, the syscall region a 1 ms nanosleep.
    expect(f.id).toBe("task-latency:request:main.netWait");
    expect(num(f, "io_pct_of_task_time")).toBeGreaterThan(20);
    expect(num(f, "io_pct_of_task_time")).toBeLessThan(50);
  });

  for (const n of ["healthy", "network", "cutshort"]) {
    it(`${n}: nothing above info`, async () => {
      const d = await run(corpus(n));
      expect(d.ruleErrors).toEqual([]);
      expect(aboveInfo(d)).toEqual([]);
    });
  }

  it("a trace cut short is analysed up to its last complete generation, with a warning", async () => {
    const d = await run(corpus("cutshort"));
    expect(d.warnings.join("\n")).toMatch(/cutshort\.trace: trace cut short/);
  });

  // The same workloads built with Go 1.19 write the pre-1.22 format, which the reader
  // converts to the same events x/exp/trace gives: the diagnosis is the program's, whatever
  // Go wrote the trace.
  // The old format's converted events carry no GOMAXPROCS metric (x/exp/trace's stats say
  // maxGomaxprocs 0 too); the reader keeps the first EvGomaxprocs' value beside the stream.
  it("starved-go119 (the old format): scheduler latency behind main.spin, GOMAXPROCS named", async () => {
    const d = await run(corpus("starved-go119"));
    expect(d.ruleErrors).toEqual([]);
    const top = d.findings[0]!;
    expect(top.category).toBe("scheduler-latency");
    expect(top.functions[0]).toBe("main.spin");
    expect(num(top, "gomaxprocs")).toBe(1);
    expect(num(top, "handler_sched_latency_p99_ms")).toBeGreaterThanOrEqual(10);
  });

  it("gcheavy-go119 (the old format): gc-pressure in main.build", async () => {
    const d = await run(corpus("gcheavy-go119"));
    expect(d.ruleErrors).toEqual([]);
    expect(d.findings[0]?.category).toBe("gc-pressure");
    expect(d.findings[0]?.functions[0]).toBe("main.build");
  });

  it("cutshort-go119: nothing above info", async () => {
    const d = await run(corpus("cutshort-go119"));
    expect(d.ruleErrors).toEqual([]);
    expect(aboveInfo(d)).toEqual([]);
  });

  // In the Go 1.19 trace, 34 assists' ranges add up to 790 ms in one GC cycle (x/exp/trace
  // counts the same) while their goroutines were blocked ("sync") nearly all of it; only the
  // assist time spent running, runnable or waiting for mark work counts, about 2 ms.
  it("network-go119: nothing above info", async () => {
    const d = await run(corpus("network-go119"));
    expect(d.ruleErrors).toEqual([]);
    expect(aboveInfo(d)).toEqual([]);
  });

  it("a broken trace is an evidence warning naming the file and offset; the other files still count", async () => {
    const dir = mkdtempSync(join(tmpdir(), "godiag-badtrace-"));
    const good = readFileSync(corpus("starved"));
    // Header intact, first batch's bytes corrupted.
    const bad = Buffer.from(good.subarray(0, 4096));
    for (let i = 40; i < 200; i++) bad[i] = 0xff;
    writeFileSync(join(dir, "bad.trace"), bad);
    copyFileSync(corpus("slowio"), join(dir, "slowio.trace"));
    const d = await run(dir);
    expect(d.ruleErrors).toEqual([]);
    const w = d.warnings.find((x) => x.includes("bad.trace"));
    expect(w).toMatch(/bad\.trace.*(offset|byte) \d+/);
    expect(w).not.toMatch(/\n\s+at /); // one line, no stack trace
    expect(d.findings[0]?.id).toBe("task-latency:checkout:main.fetchInventory");
  });
});

const HAS_GO = available(spawnSync("go", ["version"]).status === 0, "Go");

/** Builds testdata/trace/progs/NAME and runs it with a fresh directory to write in; stderr to a file when asked. */
function buildAndRun(name: string, extraEnv: Record<string, string> = {}, stderrFile?: string): string {
  const dir = mkdtempSync(join(tmpdir(), `godiag-${name}-`));
  const env = { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "" };
  execFileSync("go", ["build", "-trimpath", "-o", join(dir, "prog"), `./${name}`], { cwd: join(ROOT, "testdata/trace/progs"), env, stdio: "pipe", timeout: 600_000 });
  const out = join(dir, "capture");
  mkdirSync(out);
  const r = spawnSync(join(dir, "prog"), [out], { env: { ...env, ...extraEnv }, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${name} exited ${r.status ?? r.signal}: ${r.stderr}`);
  if (stderrFile) writeFileSync(join(out, stderrFile), r.stderr);
  return out;
}

describe.skipIf(!HAS_GO)("a trace beside the profiles of the same run", () => {
  it("starved with a CPU profile: scheduler-latency on main.spin has two sources and explains the CPU hot spot", async () => {
    const out = buildAndRun("tracestarved");
    const d = await run(out);
    expect(d.ruleErrors).toEqual([]);
    const top = d.findings[0]!;
    expect(top.category).toBe("scheduler-latency");
    expect(top.functions[0]).toBe("main.spin");
    // The CPU profile agrees: three spinners are all the CPU the program burns.
    expect(new Set(top.evidence.map((e) => e.source))).toEqual(new Set([join(out, "trace.out"), join(out, "cpu.pb.gz")]));
    expect(num(top, "cpu_pct")).toBeGreaterThanOrEqual(20);
    // The CPU profile's own view of the spinners is a symptom of the same cause.
    expect(d.findings.map((f) => f.id)).toContain("cpu-hotspot:main.spin");
    expect(top.explains).toContain("cpu-hotspot:main.spin");
  }, 300_000);

  it("the trace's gc-pressure joins the GC rule's (gctrace, allocation profile): one finding, three sources, main.buildTree", async () => {
    const out = buildAndRun("tracegcjoin", { GODEBUG: "gctrace=1" }, "gctrace.log");
    const d = await run(out);
    expect(d.ruleErrors).toEqual([]);
    const gc = d.findings.filter((f) => f.category === "gc-pressure" && f.functions[0] === "main.buildTree");
    expect(gc.length).toBe(1);
    const kinds = gc[0]!.evidence.map((e) => e.kind);
    expect(kinds).toContain("gctrace");
    expect(kinds).toContain("execution trace (GC assists)");
    expect(new Set(gc[0]!.evidence.map((e) => e.source)).size).toBe(3);
    expect(d.findings[0]!.id).toBe(gc[0]!.id);
    // GOMAXPROCS+2 allocators at GOGC=50 over a retained heap: assists past the 10 % threshold.
    expect(num(gc[0]!, "assist_pct_of_goroutine_time")).toBeGreaterThanOrEqual(10);
  }, 300_000);
});

describe.skipIf(!HAS_GO)("godiag capture --trace of a live service, then diagnose", () => {
  afterAll(() => stopAll());
  let bin = "";
  const captureOf = async (program: string, args: string[], cpuSeconds = 1) => {
    const live = await startLive(program, args);
    const dir = join(mkdtempSync(join(tmpdir(), "godiag-livetrace-")), "bundle");
    const res = runCli(["capture", live.url, "-o", dir, "--seconds", String(cpuSeconds), "--trace", "1", "--interval", "1", "-q"], { timeoutMs: 60_000 });
    await live.stop();
    expect(res.code, res.stderr).toBe(0);
    return run(dir);
  };
  const capture = async (args: string[]) => {
    if (!bin) {
      bin = join(mkdtempSync(join(tmpdir(), "godiag-starvedsvc-")), "starvedsvc");
      const env = { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "" };
      execFileSync("go", ["build", "-o", bin, "./starvedsvc"], { cwd: join(ROOT, "testdata/trace/progs"), env, stdio: "pipe", timeout: 600_000 });
    }
    return captureOf(bin, ["-seconds", "60", ...args]);
  };

  it("GOMAXPROCS=1 and three goroutines re-indexing: scheduler-latency names main.rebuildIndex, trace and CPU profile agree", async () => {
    const d = await capture([]);
    expect(d.ruleErrors).toEqual([]);
    const top = d.findings[0]!;
    expect(top.category).toBe("scheduler-latency");
    // The spinners started before the trace and are preempted by signal: their trace
    // stacks stop at runtime.asyncPreempt, so the CPU profile names them.
    expect(top.functions[0]).toBe("main.rebuildIndex");
    expect(num(top, "gomaxprocs")).toBe(1);
    expect(top.evidence.map((e) => e.kind)).toEqual(expect.arrayContaining(["execution trace (scheduler latency)", "cpu profile (the CPU-bound function)"]));
    expect(top.explains).toContain("cpu-hotspot:main.rebuildIndex");
  }, 300_000);

  it("the same service without the re-indexing: nothing above info", async () => {
    const d = await capture(["-healthy"]);
    expect(d.ruleErrors).toEqual([]);
    expect(aboveInfo(d)).toEqual([]);
    expect(d.inputs.map((i) => i.kind)).toContain("trace");
  }, 300_000);

  it("the gcpressure fault workload (throw-away trees per request in main.buildRequestTree): the trace's assists and the allocation profile name it", async () => {
    // A 5 s CPU profile: the GC's share of the process's CPU is a measurement from 50
    // samples on (diagnose's gc rule); at ~0.3 cores a 1 s profile holds ~30.
    const d = await captureOf(buildWorkload("faults/gcpressure"), ["-seconds", "60"], 5);
    expect(d.ruleErrors).toEqual([]);
    const top = d.findings[0]!;
    expect(top.category).toBe("gc-pressure");
    expect(top.functions[0]).toBe("main.buildRequestTree");
    expect(top.severity).not.toBe("info");
    // KNOWN GAP (not asserted): the trace's assists are not among the sources. Counted while
    // the assisting goroutines work (docs/TRACE.md), they measured 5.6-9.5 % of goroutine
    // working time on this loaded 2-core machine, under the trace rule's 10 %; the finding
    // comes from the allocation profile and the CPU profile's GC share.
    expect(top.evidence.map((e) => e.kind)).toEqual(expect.arrayContaining(["allocation sites"]));
  }, 300_000);
});
