// The what-if model against a real run: testdata/workloads/gcsteady (fixed live
// heap, allocation paced by wall clock) at GOGC=50, 100 and 200. The model is fed
// only the GOGC=100 run; its predicted GC/s for each GOGC must be within 30 % of
// what the runtime actually did. The measured errors are recorded in docs/GC.md.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { whatIfInput } from "../src/gc/analyze/analyze.js";
import { summarizeCycles } from "../src/gc/analyze/cycles.js";
import { steadyCycles } from "../src/gc/analyze/detect.js";
import { predict, recommend } from "../src/gc/analyze/whatif.js";
import { parseGcTrace, type GcTrace } from "../src/gc/read/gctrace.js";
import { ROOT } from "./helpers/run.js";

const BIN = join(ROOT, "test-output/bin/gcsteady");
const SECONDS = 3;

function build(): void {
  if (existsSync(BIN)) return;
  mkdirSync(join(ROOT, "test-output/bin"), { recursive: true });
  execFileSync("go", ["build", "-o", BIN, "./gcsteady"], {
    cwd: join(ROOT, "testdata/workloads"),
    env: { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "" },
    stdio: "pipe",
    timeout: 180_000,
  });
}

function run(gogc: number): GcTrace {
  const r = spawnSync(BIN, ["-live-mib", "16", "-rate-mib", "64", "-seconds", String(SECONDS)], {
    env: { ...process.env, GOGC: String(gogc), GODEBUG: "gctrace=1", GOMEMLIMIT: "off" },
    encoding: "utf8",
    timeout: (SECONDS + 20) * 1000,
    killSignal: "SIGKILL",
  });
  expect(r.status).toBe(0);
  return parseGcTrace(r.stderr, `gcsteady GOGC=${gogc}`);
}

/** Measured GC/s in steady state: cycles after warm-up, first to last. */
function measuredRate(t: GcTrace): number {
  const cs = steadyCycles(t.cycles);
  return (cs.length - 1) / (cs[cs.length - 1].atSec - cs[0].atSec);
}

describe("what-if model vs a real run", () => {
  it("predicts GC/s at GOGC=50/100/200 within 30 % from the GOGC=100 run", { timeout: 240_000 }, () => {
    build();
    const runs = new Map([50, 100, 200].map((g) => [g, run(g)]));
    const t100 = runs.get(100)!;
    const model = whatIfInput(t100, summarizeCycles(t100.cycles)!, undefined, 100);
    // Sanity of the inputs against the program's flags: 16 MiB live, 64 MiB/s.
    expect(model.liveMB).toBeGreaterThanOrEqual(15);
    expect(model.liveMB).toBeLessThanOrEqual(18);
    expect(Math.abs(model.allocRateMBps - 64) / 64).toBeLessThan(0.3);
    const errors: string[] = [];
    for (const [g, t] of runs) {
      const measured = measuredRate(t);
      const predicted = predict(model, g).gcPerSec;
      const err = (predicted - measured) / measured;
      errors.push(`GOGC=${g}: predicted ${predicted.toFixed(2)} GC/s, measured ${measured.toFixed(2)} GC/s, error ${(100 * err).toFixed(1)} %`);
      expect(Math.abs(err), errors.join("; ")).toBeLessThan(0.3);
    }
    console.log(errors.join("\n"));
  });

  it("a limit below the live heap predicts thrash; a budget recommendation fits it", () => {
    const model = {
      liveMB: 100, extraScanMB: 0, allocRateMBps: 50, procs: 4, cpuMsPerScanMB: 0.5, cpuMsFixed: 0.2,
      markMs: 20, overshoot: 1, nonHeapMB: 10, currentGogc: 100,
    };
    // Hand calculation: goal(limit 80 MB) = (80 − 10) × 0.97 = 67.9 MB < live → thrash, GC CPU at the 50 % cap.
    const s = predict(model, 100, 80);
    expect(s.thrash).toBe(true);
    expect(s.goalMB).toBeCloseTo(67.9, 6);
    expect(s.gcCpuPercent).toBe(50);
    // GOGC=100 without limit: goal 200 MB, runway 100 MB, 0.5 GC/s;
    // CPU/cycle 0.2 + 0.5 × 100 = 50.2 ms → 0.5 × 50.2 / (1000 × 4) = 0.6275 %.
    const free = predict(model, 100);
    expect(free.goalMB).toBe(200);
    expect(free.gcPerSec).toBeCloseTo(0.5, 9);
    expect(free.gcCpuPercent).toBeCloseTo(0.6275, 9);
    // With a 256 MiB budget, throughput picks the largest GOGC whose peak + non-heap fits 230.4 MB:
    // GOGC=100 → 200 + 10 = 210 fits, GOGC=150 → 250 + 10 does not.
    const rec = recommend(model, "throughput", 256);
    expect(rec.gogc).toBe(100);
    expect(rec.limitMB).toBeCloseTo(230.4, 6);
  });
});
