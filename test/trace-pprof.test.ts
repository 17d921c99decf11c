// Profiles from execution traces (godiag trace --pprof=MODE). The peers: go tool trace
// -pprof=net|sync|syscall|sched on the same trace, read by go tool pprof (-top and
// -traces must print the same text), and golang.org/x/exp/trace's count of the trace's
// CPU samples (testdata/trace/oracle, mode "samples"). The traces come from real
// programs built here with the machine's Go: network- (workloads/network),
// synchronisation- (progs/tracesync) and syscall-heavy (progs/tracesyscall) ones, a
// GOMAXPROCS=1 CPU-starved one (workloads/starved), one profiled and traced at once
// (progs/tracecpu), plus the committed corpus trace that was cut short.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeTraceProfile, traceProfileFile } from "../src/api/trace.js";
import { readProfile } from "../src/api/profiles.js";
import { defaultConfig } from "../src/pprof/report/config.js";
import { flameTreeFromProfile } from "../src/pprof/flame/index.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import type { Profile } from "../src/core/model/index.js";
import { available } from "./helpers/available.js";
import { ROOT, runCli, runPprof } from "./helpers/run.js";

const HAS_GO = available(spawnSync("go", ["version"]).status === 0, "Go");
const OUT = join(ROOT, "test-output/trace-pprof");
const BIN = join(OUT, "bin");
const goEnv = { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "" };
const MODES = ["net", "sync", "syscall", "sched"] as const;

const trace = (name: string) => join(OUT, `${name}.trace`);
const TRACES = {
  network: trace("network"),
  sync: trace("sync"),
  syscall: trace("syscall"),
  starved: trace("starved"),
  cutshort: join(ROOT, "testdata/trace/corpus/cutshort.trace"),
};

function run(bin: string, args: string[]): void {
  const r = spawnSync(join(BIN, bin), args, { env: goEnv, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${bin} exited ${r.status ?? r.signal}: ${r.stderr}`);
}

/** go tool trace -pprof=MODE TRACE, as the file it writes to stdout. */
function goToolTraceProfile(mode: string, traceFile: string, out: string): string {
  const r = spawnSync(join(BIN, "gotrace"), [`-pprof=${mode}`, traceFile], { encoding: "buffer", timeout: 120_000, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`go tool trace -pprof=${mode} ${traceFile}: ${r.stderr.toString()}`);
  writeFileSync(out, r.stdout);
  return out;
}

/**
 * -traces output with its sample blocks sorted: go tool trace writes samples in Go map
 * order, so two runs of go tool trace on one trace already differ in block order.
 */
function sortedTraces(text: string): string {
  const sep = "-----------+-------------------------------------------------------\n";
  const [head, ...blocks] = text.split(sep);
  return head + blocks.sort().join(sep);
}

function pprofText(args: string[]): string {
  const r = runPprof(args);
  expect(r.stderr).not.toMatch(/error|failed/i);
  expect(r.code).toBe(0);
  return r.stdout;
}

function sumValues(p: Profile, typeIndex: number): number {
  let s = 0;
  for (let i = 0; i < p.samples.length; i++) s += p.sampleValue(i, typeIndex);
  return s;
}

beforeAll(() => {
  if (!HAS_GO) return;
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(BIN, { recursive: true });
  const build = (dir: string, args: string[], env: NodeJS.ProcessEnv = goEnv) =>
    execFileSync("go", ["build", ...args], { cwd: join(ROOT, dir), env, stdio: "pipe", timeout: 600_000 });
  build("testdata/trace/progs", ["-trimpath", "-o", BIN + "/", "./tracesync", "./tracesyscall", "./tracecpu"]);
  build("testdata/trace/workloads", ["-trimpath", "-o", BIN + "/", "./network", "./starved"]);
  // Built once rather than `go tool trace` per call: the go command's start-up each time.
  build(".", ["-o", join(BIN, "gotrace"), "cmd/trace"]);
  // The oracle's module needs golang.org/x/exp from the module cache only.
  build("testdata/trace/oracle", ["-o", join(BIN, "oracle"), "."], { ...goEnv, GOFLAGS: "-mod=mod", GOPROXY: "off" });
  // One at a time: they are timing-sensitive and the machine is shared.
  run("network", [TRACES.network]);
  run("tracesync", [TRACES.sync]);
  run("tracesyscall", [TRACES.syscall]);
  run("starved", [TRACES.starved]);
  run("tracecpu", [trace("cpu"), join(OUT, "cpu.pprof")]);
}, 900_000);

/** What each program is built to show: functions go tool trace's own profile must name. */
const EXPECTED: Record<string, [string, string[]]> = {
  network: ["net", ["main.serve", "main.main.func2"]],
  sync: ["sync", ["main.lockLoop", "main.pipeStage", "main.selectLoop", "main.condWaiter"]],
  syscall: ["syscall", ["main.sleepSyscall", "main.fileWork", "main.pipeReader"]],
  // The spinning goroutines wait runnable after asynchronous preemption; the trace's
  // frame-pointer unwinding of a preempted goroutine stops at runtime.asyncPreempt.
  starved: ["sched", ["runtime.asyncPreempt"]],
};

describe.skipIf(!HAS_GO)("trace --pprof: the same profiles as go tool trace -pprof", () => {
  for (const [name, file] of Object.entries(TRACES)) {
    for (const mode of MODES) {
      it(`${name} trace, --pprof=${mode}: go tool pprof -top and -traces print the same text`, () => {
        const theirs = goToolTraceProfile(mode, file, join(OUT, `${name}-${mode}.gotrace.pprof`));
        const ours = join(OUT, `${name}-${mode}.pb.gz`);
        const r = runCli(["trace", `--pprof=${mode}`, file, "-o", ours]);
        expect(r.stderr, r.stderr).toEqual(name === "cutshort" ? expect.stringContaining("trace cut short") : "");
        expect(r.code).toBe(0);

        const top = pprofText(["-top", ours]);
        const goTop = pprofText(["-top", theirs]);
        expect(top).toBe(goTop);
        expect(sortedTraces(pprofText(["-traces", ours]))).toBe(sortedTraces(pprofText(["-traces", theirs])));
        // And not vacuously: the profile each program was written for names its functions.
        const [wantMode, funcs] = EXPECTED[name] ?? ["", []];
        if (mode === wantMode) for (const f of funcs) expect(goTop, f).toContain(` ${f}\n`);
      });
    }
  }

  it("the sched profile of the starved trace: go tool trace's totals, and waits far above the other traces'", () => {
    const p = traceProfileFile(TRACES.starved, "sched").profile;
    const theirs = readProfile(join(OUT, "starved-sched.gotrace.pprof"), DEFAULT_LIMITS);
    expect(sumValues(p, 0)).toBe(sumValues(theirs, 0));
    expect(sumValues(p, 1)).toBe(sumValues(theirs, 1));
    // Three spinning goroutines on one P for ~1.2 s: each waits about two thirds of the
    // time, so well over a second of scheduler latency in all.
    expect(sumValues(p, 1)).toBeGreaterThan(1e9);
  });
});

describe.skipIf(!HAS_GO)("trace --pprof=cpu: the trace's CPU samples", () => {
  it("as many samples as x/exp/trace reads, leaf for leaf; main.hot leads, as in runtime/pprof's profile", () => {
    const file = trace("cpu");
    const { profile, warnings } = traceProfileFile(file, "cpu");
    expect(warnings).toEqual([]);
    const [count, ...leafLines] = execFileSync(join(BIN, "oracle"), ["samples", file], { encoding: "utf8" }).trim().split("\n");
    const n = Number(count);
    // tracecpu runs until it has used 600 ms of CPU: ~60 samples at 100 Hz.
    expect(n).toBeGreaterThan(20);
    expect(sumValues(profile, 0)).toBe(n);
    expect(sumValues(profile, 1)).toBe(n * 10_000_000);
    expect(profile.sampleTypes).toEqual([
      { type: "samples", unit: "count" },
      { type: "cpu", unit: "nanoseconds" },
    ]);
    const leaves = new Map<string, number>();
    for (let i = 0; i < profile.samples.length; i++) {
      const s = profile.samples;
      const leafLoc = s.stackStart[i] < s.stackStart[i + 1] ? s.stack[s.stackStart[i]] : -1;
      const fn = leafLoc < 0 ? -1 : profile.lines.func[profile.locations.lineStart[leafLoc]];
      const name = fn < 0 ? "-" : profile.str(profile.functions.name[fn]);
      leaves.set(name, (leaves.get(name) ?? 0) + profile.sampleValue(i, 0));
    }
    const oracleLeaves = new Map(leafLines.map((l) => [l.slice(l.indexOf(" ") + 1), Number(l.slice(0, l.indexOf(" ")))]));
    expect(leaves).toEqual(oracleLeaves);

    const ours = join(OUT, "cpu.pb.gz");
    writeFileSync(ours, encodeTraceProfile(profile));
    // Runtime frames hidden (a loaded machine puts many samples in runtime.asyncPreempt):
    // the first function of -top is the one tracecpu spends ~80% of its CPU in.
    const firstFunc = (text: string) => /^\s*\S+\s+\S+%\s+\S+%\s+\S+\s+\S+%\s+(\S+)$/m.exec(text)?.[1];
    expect(firstFunc(pprofText(["-top", "-hide=^runtime\\.", ours]))).toBe("main.hot");
    expect(firstFunc(pprofText(["-top", "-hide=^runtime\\.", join(OUT, "cpu.pprof")]))).toBe("main.hot");
    // Both come from the same SIGPROF samples, and the CPU profile runs from before
    // trace.Start to after trace.Stop: it cannot hold fewer.
    const rt = readProfile(join(OUT, "cpu.pprof"), DEFAULT_LIMITS);
    expect(n).toBeLessThanOrEqual(sumValues(rt, 0));
  });

  it("a trace without CPU samples: an empty profile and a warning that says why", () => {
    const out = join(OUT, "nocpu.pb.gz");
    const r = runCli(["trace", "--pprof=cpu", TRACES.sync, "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/no CPU samples.*runtime\/pprof's CPU profiler/);
    expect(pprofText(["-top", out])).toContain("of 0 total");
  });
});

describe.skipIf(!HAS_GO)("trace profiles in godiag's reports and flame graph", () => {
  it("every godiag report prints what go tool pprof prints; the flame graph's root is the profile's total", () => {
    for (const [file, sampleIndex] of [
      [join(OUT, "sync-sync.pb.gz"), "delay"],
      [join(OUT, "cpu.pb.gz"), "cpu"],
    ] as const) {
      for (const report of ["top", "text", "tree", "traces", "tags", "raw", "comments"]) {
        const r = runCli([report, file]);
        expect(r.code, `${report}: ${r.stderr}`).toBe(0);
        expect(r.stdout, report).toBe(pprofText([`-${report}`, file]));
      }
      const peek = runCli(["peek", "main\\.", file]);
      expect(peek.stdout).toBe(pprofText(["-peek", "main\\.", file]));
      expect(peek.stdout).toContain(sampleIndex === "cpu" ? "main.hot" : "main.lockLoop");

      const html = join(OUT, "flame.html");
      const f = runCli(["flame", file, "-o", html]);
      expect(f.code, f.stderr).toBe(0);
      expect(readFileSync(html, "utf8")).toContain('id="godiag-flame-data"');
      expect(f.stderr).toMatch(/wrote .*flame\.html \(\d+ frames/);

      const p = readProfile(file, DEFAULT_LIMITS);
      const tree = flameTreeFromProfile(p, { ...defaultConfig(), sampleIndex }, {}, () => {});
      const total = sumValues(p, p.sampleTypes.findIndex((t) => t.type === sampleIndex));
      expect(total).toBeGreaterThan(0);
      expect(tree.totalPos[0]).toBe(total);
    }
    // The sync profile's total is go tool trace's (its own file, read by the same reader).
    const theirs = readProfile(join(OUT, "sync-sync.gotrace.pprof"), DEFAULT_LIMITS);
    expect(sumValues(readProfile(join(OUT, "sync-sync.pb.gz"), DEFAULT_LIMITS), 1)).toBe(sumValues(theirs, 1));
  });
});

describe.skipIf(!HAS_GO)("trace --pprof on a capture bundle", () => {
  it("profiles the bundle's trace: the same -top as go tool trace's on that file", () => {
    const dir = join(OUT, "bundle");
    mkdirSync(dir, { recursive: true });
    const files = [{ path: "trace.out", kind: "trace", seconds: 1 }];
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ godiag: 1, target: "http://127.0.0.1:6060", captureTime: "2026-12-06T00:00:00Z", files }));
    writeFileSync(join(dir, "trace.out"), readFileSync(TRACES.sync));
    const ours = join(OUT, "bundle-sync.pb.gz");
    const r = runCli(["trace", "--pprof=sync", dir, "-o", ours]);
    expect(r.code, r.stderr).toBe(0);
    expect(pprofText(["-top", ours])).toBe(pprofText(["-top", join(OUT, "sync-sync.gotrace.pprof")]));
  });
});

describe.skipIf(!HAS_GO)("trace --pprof: bad input and bad flags", () => {
  it("a file that is not a trace: one line naming it, exit 2", () => {
    const bad = join(OUT, "not-a-trace.txt");
    writeFileSync(bad, "hello, this is not a trace\n");
    const r = runCli(["trace", "--pprof=net", bad, "-o", join(OUT, "x.pb.gz")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(bad);
  });

  it("a trace cut inside its first generation: nothing to profile, one line, exit 2", () => {
    const cut = join(OUT, "cut.trace");
    writeFileSync(cut, readFileSync(TRACES.sync).subarray(0, 4000));
    const r = runCli(["trace", "--pprof=sched", cut, "-o", join(OUT, "x.pb.gz")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`${cut}: nothing to analyse: trace cut short`);
  });

  it("an unknown mode, --pprof without -o, -o without --pprof: usage errors (exit 2)", () => {
    const a = runCli(["trace", "--pprof=mutex", TRACES.sync, "-o", join(OUT, "x.pb.gz")]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--pprof: unknown profile "mutex" \(want net, sync, syscall, sched, cpu\)/);
    const b = runCli(["trace", "--pprof=sync", TRACES.sync]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--pprof needs -o FILE/);
    const c = runCli(["trace", TRACES.sync, "-o", join(OUT, "x.txt")]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/-o is for --pprof/);
  });
});
