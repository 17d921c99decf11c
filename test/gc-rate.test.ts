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
