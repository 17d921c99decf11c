// The GC rate estimated from two heap-family profiles (src/gc/analyze/gc-rate.ts), held
// against the runtime's own count: a real service runs with GODEBUG=gctrace=1, a heap
// profile and, seconds later, an allocs profile are fetched as curl would, and the cycles
// the estimate puts between them are compared with the gctrace cycle numbers printed
// between the two fetches. Two regimes of Go's pacer: a tiny live heap (the 4 MB minimum
// heap sets the pace: faults/gcpressure under its own load) and a 32 MiB live heap
// (GOGC=100 of it sets the pace: gcsteady allocating 400 MiB/s by the clock).
//
// The bounds, from the method: the pacer starts a cycle 70-95 % of the way from the live
// heap to the goal (runtime/mgcpacer.go, trigger bounds) and counts what is allocated
// during the mark as live, so a cycle comes after less than (goal - live) bytes: the
// estimate counts at least 0.7 of the cycles, less one cycle at each end of the interval
// (2 of >= 10: 0.56 in all); stacks and globals left out of the goal shrink the runway
// and can make it count more, by the ±1 cycle at each end: 1.25 at most at >= 10 cycles
// with MBs of stacks. Measured here 0.72-0.83 (gcpressure) and 0.78-1.07 (gcsteady).

import { afterAll, describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import { decodeProfile } from "../src/core/codec/index.js";
import { estimateGcRate } from "../src/gc/index.js";
import { available } from "./helpers/available.js";
import { buildWorkload, startLive, stopAll } from "./helpers/live.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./helpers/run.js";

const hasGo = available(spawnSync("go", ["version"]).status === 0, "Go");
afterAll(() => stopAll());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fetchProfile(url: string) {
  const body = Buffer.from(await (await fetch(url)).arrayBuffer());
  return decodeProfile(body[0] === 0x1f ? gunzipSync(body) : body, url);
}

async function measure(workload: string, args: string[]) {
  const live = await startLive(buildWorkload(workload), ["-seconds", "60", ...args], { shell: "export GODEBUG=gctrace=1" });
  let log = "";
  live.child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const lastCycle = () => Math.max(0, ...[...log.matchAll(/^gc (\d+) @/gm)].map((m) => Number(m[1])));
  await sleep(2000); // warm-up: the live heap reaches its steady size
  const heap = await fetchProfile(`${live.url}/debug/pprof/heap`);
  const n0 = lastCycle();
  await sleep(3000);
  const allocs = await fetchProfile(`${live.url}/debug/pprof/allocs`);
  const n1 = lastCycle();
  await live.stop();
  return { counted: n1 - n0, estimate: estimateGcRate([{ file: "heap", profile: heap }, { file: "allocs", profile: allocs }]) };
}

describe.skipIf(!hasGo)("GC rate from two heap profiles, against gctrace", () => {
  const runs: Array<[string, string[]]> = [
    ["faults/gcpressure", []],
    ["gcsteady", ["-addr", "127.0.0.1:0", "-live-mib", "32", "-rate-mib", "400"]],
  ];
  for (const [workload, args] of runs)
    it(`${workload}: the estimated cycles between the fetches are 0.56-1.25 of the runtime's`, async () => {
      const { counted, estimate } = await measure(workload, args);
      expect(counted).toBeGreaterThanOrEqual(10);
      expect(estimate).toBeDefined();
      expect(estimate!.cycles / counted).toBeGreaterThan(0.56);
      expect(estimate!.cycles / counted).toBeLessThan(1.25);
    }, 60_000);
});

// As a user fetches them: two heap profiles a few seconds apart (no allocs profile, no
// gctrace, no MemStats) and a CPU profile over the same seconds. The rate comes from the
// two heaps, so diagnose can weigh the GC's share: faults/gcpressure's known fault, the
// allocation churn of main.buildRequestTree (its own description in testdata/workloads).
describe.skipIf(!hasGo)("diagnose: the GC rate from two heap profiles, no allocs profile", () => {
  it("faults/gcpressure: gc-pressure named in main.buildRequestTree, GC/s from the two heaps", async () => {
    const live = await startLive(buildWorkload("faults/gcpressure"), ["-seconds", "60"]);
    const dir = mkdtempSync(join(tmpdir(), "godiag-two-heaps-"));
    try {
      await sleep(2000);
      const get = async (path: string) => Buffer.from(await (await fetch(`${live.url}${path}`)).arrayBuffer());
      const cpu = get("/debug/pprof/profile?seconds=4");
      writeFileSync(join(dir, "heap1.pb.gz"), await get("/debug/pprof/heap"));
      await sleep(3500);
      writeFileSync(join(dir, "heap2.pb.gz"), await get("/debug/pprof/heap"));
      writeFileSync(join(dir, "cpu.pb.gz"), await cpu);
      await live.stop();
      const r = runCli(["diagnose", "--json", dir]);
      expect(r.stderr).toBe("");
      const top = (JSON.parse(r.stdout) as { findings: Array<{ category: string; severity: string; functions?: string[]; evidence: Array<{ numbers: Record<string, number> }> }> }).findings.find((f) => f.severity !== "info");
      expect(top?.category).toBe("gc-pressure");
      expect(top?.functions?.[0]).toBe("main.buildRequestTree");
      expect(JSON.stringify(top?.evidence)).toMatch(/gc_per_sec/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
