// Detections on our fault workloads' real captures (testdata/captures/, made by
// scripts/captures.mjs with the machine's Go): each fires on its workload, names
// the injected function, and the healthy control stays silent. Runs the built CLI.

import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "./helpers/run.js";

const cap = (w: string) => join(ROOT, "testdata/captures", w);

interface Finding {
  id: string;
  severity: string;
  functions?: string[];
}

function gcJson(...args: string[]) {
  const r = runCli(["gc", "--json", ...args]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { findings: Finding[]; gctrace: { summary: { gcPerSec: number } }; allocs: { bySpace: { name: string }[] } };
}

describe("gc detections on real workloads", () => {
  it("healthy: no findings", () => {
    const r = gcJson(cap("healthy"));
    expect(r.findings).toEqual([]);
  });

  it("gcpressure: too-frequent GC, at buildRequestTree", () => {
    const r = gcJson(cap("gcpressure"));
    expect(r.findings.map((f) => f.id)).toEqual(["gc-too-frequent"]);
    expect(r.findings[0].functions?.[0]).toBe("main.buildRequestTree");
    expect(r.allocs.bySpace[0].name).toBe("main.buildRequestTree");
  });

  it("memlimit: GOMEMLIMIT thrash (limit read from the bundle manifest)", () => {
    const r = gcJson(cap("memlimit"));
    expect(r.findings.map((f) => f.id)).toEqual(["gomemlimit-thrash"]);
    expect(r.findings[0].severity).toBe("critical");
    expect(r.findings[0].functions?.[0]).toBe("main.loadDataset");
  });

  it("heapgrowth: heap growth, at cacheResponse", () => {
    const r = gcJson(cap("heapgrowth"));
    expect(r.findings.map((f) => f.id)).toEqual(["heap-growth"]);
    expect(r.findings[0].functions?.[0]).toBe("main.cacheResponse");
  });

  it("GC share of the CPU profile: dominant under thrash, small when healthy", () => {
    const share = (w: string) => (JSON.parse(runCli(["gc", "--json", join(cap(w), "cpu.pb.gz")]).stdout) as { cpuShare: { gcPercent: number; markWorkerPercent: number } }).cpuShare;
    // memlimit's GC runs back to back: its mark workers take most of the CPU.
    expect(share("memlimit").markWorkerPercent).toBeGreaterThan(50);
    expect(share("healthy").gcPercent).toBeLessThan(10);
  });

  it("the gctrace log alone is enough for the cycle-based detections", () => {
    expect(gcJson(join(cap("gcpressure"), "gctrace.log")).findings.map((f) => f.id)).toEqual(["gc-too-frequent"]);
    expect(gcJson(join(cap("healthy"), "gctrace.log")).findings).toEqual([]);
  });

  it("text output fits 100 columns", () => {
    for (const w of ["healthy", "gcpressure", "memlimit", "heapgrowth"]) {
      const r = runCli(["gc", "--cycles", cap(w)]);
      expect(r.code).toBe(0);
      for (const line of r.stdout.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(100);
    }
  });
});

describe("gc bad input", () => {
  const dir = join(ROOT, "test-output/gc-bad");
  mkdirSync(dir, { recursive: true });

  it("garbage file: one line naming the file, exit 2", () => {
    const f = join(dir, "garbage.txt");
    writeFileSync(f, "hello\nthis is not anything\n");
    const r = runCli(["gc", f]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/garbage\.txt: not a GC input/);
  });

  it("binary garbage, empty file, missing file, bad gzip", () => {
    const bin = join(dir, "bin.dat");
    writeFileSync(bin, Buffer.from([0, 1, 2, 3, 255, 254, 0, 7, 9]));
    const empty = join(dir, "empty.log");
    writeFileSync(empty, "");
    const gz = join(dir, "bad.gz");
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    for (const [f, re] of [
      [bin, /bin\.dat: not a GC input/],
      [empty, /empty\.log: empty file/],
      [join(dir, "missing.log"), /missing\.log: no such file/],
      [gz, /bad\.gz: .*gzip/],
    ] as const) {
      const r = runCli(["gc", f]);
      expect(r.code, f).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
  });

  it("unknown lines inside a gctrace log are skipped and counted, never fatal", () => {
    const f = join(dir, "mixed.log");
    writeFileSync(
      f,
      "starting\ngc 1 @0.1s 0%: 0.1+1+0.01 ms clock, 0.2+0/0.5/0+0.02 ms cpu, 4->4->1 MB, 4 MB goal, 2 P\npanic? no\n" +
        "gc 2 @0.2s 0%: 0.1+1+0.01 ms clock, 0.2+0/0.5/0+0.02 ms cpu, 4->4->1 MB, 4 MB goal, 2 P\n",
    );
    const r = runCli(["gc", "--json", f]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.gctrace.skipped).toBe(2);
    expect(j.gctrace.summary.cycles).toBe(2);
  });

  it("bad flags are usage errors", () => {
    const r = runCli(["gc", "--goal", "speed", join(cap("healthy"), "gctrace.log")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--goal: want latency, memory or throughput/);
  });
});
