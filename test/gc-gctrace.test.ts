// gctrace parser: real lines from our captures (Go 1.26), and Go 1.5- and
// 1.9-style lines written by hand from the documented format (runtime package
// doc of those releases, GODEBUG gctrace; golang/go#13536 for the 1.5 phases).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseGcTrace, stwPauseMs } from "../src/gc/read/gctrace.js";
import { ROOT } from "./helpers/run.js";

const capture = (w: string, f: string) => readFileSync(join(ROOT, "testdata/captures", w, f), "utf8");

describe("gctrace: Go 1.26 lines from our runs", () => {
  it("reads every gc line of a real log", () => {
    const text = capture("gcpressure", "gctrace.log");
    const t = parseGcTrace(text, "gctrace.log");
    // Independent count: lines that start with "gc <n> @".
    const gcLines = text.split("\n").filter((l) => /^gc \d+ @/.test(l));
    expect(t.cycles.length).toBe(gcLines.length);
    expect(t.malformed).toBe(0);
    // Cycle numbers are consecutive from 1 in one process.
    t.cycles.forEach((c, i) => expect(c.n).toBe(i + 1));
    expect(t.cycles.filter((c) => c.forced).length).toBe(gcLines.filter((l) => l.endsWith("(forced)")).length);
  });

  it("maps each field of one line", () => {
    const line =
      "gc 22 @5.240s 0%: 0.64+4.2+0.002 ms clock, 1.2+0.36/2.5/0.51+0.004 ms cpu, 52->52->30 MB, 53 MB goal, 0 MB stacks, 0 MB globals, 2 P";
    const [c] = parseGcTrace(line + "\n", "x").cycles;
    expect(c).toMatchObject({
      n: 22, atSec: 5.24, cpuPercent: 0, sweepTermMs: 0.64, markMs: 4.2, markTermMs: 0.002,
      cpuSweepTermMs: 1.2, cpuAssistMs: 0.36, cpuBackgroundMs: 2.5, cpuIdleMs: 0.51, cpuMarkTermMs: 0.004,
      heapStartMB: 52, heapEndMB: 52, liveMB: 30, goalMB: 53, stacksMB: 0, globalsMB: 0, procs: 2, forced: false,
      format: "go1.7", line: 1,
    });
    expect(stwPauseMs(c)).toBeCloseTo(0.642, 9);
  });

  it("accepts the Go 1.26 goroutine-leak note and (forced)", () => {
    const t = parseGcTrace(
      "gc 7 @1.5s 3% (checking for goroutine leaks): 0.1+2+0.05 ms clock, 0.2+0/1.0/0.3+0.1 ms cpu, 8->9->4 MB, 9 MB goal, 1 MB stacks, 0 MB globals, 4 P (forced)\n",
      "x",
    );
    expect(t.cycles[0]).toMatchObject({ n: 7, forced: true, procs: 4, stacksMB: 1 });
  });
});

describe("gctrace: older formats (hand-written from the documented format)", () => {
  // Go 1.9: "gc # @#s #%: #+#+# ms clock, #+#/#/#+# ms cpu, #->#-># MB, # MB goal, # P"
  // (no stacks/globals until Go 1.18), plus the pre-1.13 scavenger summary lines.
  const go19 = [
    "gc 1 @0.012s 3%: 0.021+1.2+0.045 ms clock, 0.085+0.31/1.0/2.1+0.18 ms cpu, 4->4->1 MB, 5 MB goal, 4 P",
    "some program output on stderr",
    "gc 2 @0.050s 2%: 0.010+12+0.030 ms clock, 0.040+0.12/0.70/1.5+0.12 ms cpu, 4->5->2 MB, 5 MB goal, 4 P (forced)",
    "scvg0: inuse: 3, idle: 1, sys: 5, released: 0, consumed: 5 (MB)",
    "scvg1: 0 MB released",
    "scvg: 8 KB released",
  ].join("\n");

  it("Go 1.9 lines", () => {
    const t = parseGcTrace(go19, "go19.log");
    expect(t.cycles).toHaveLength(2);
    expect(t.skipped).toBe(1);
    expect(t.cycles[0]).toMatchObject({ sweepTermMs: 0.021, markMs: 1.2, markTermMs: 0.045, cpuIdleMs: 2.1, procs: 4, goalMB: 5 });
    expect(t.cycles[0].stacksMB).toBeUndefined();
    expect(t.cycles[1]).toMatchObject({ markMs: 12, forced: true, line: 3 });
    expect(t.scavenger).toHaveLength(3);
    expect(t.scavenger[0]).toMatchObject({ kind: "scvg", inuseMB: 3, idleMB: 1, sysMB: 5, releasedMB: 0, consumedMB: 5 });
    expect(t.scavenger[2].releasedMB).toBeCloseTo(8 / 1024, 9);
  });

  it("Go 1.5 five-phase lines map onto sweep term / mark / mark term", () => {
    // clock: sweep termination + scan + synchronize Ps + mark + mark termination
    // cpu:   sweepTerm + scan + installWB + assist/background/idle + markTerm
    const line = "gc 3 @0.004s 4%: 0.030+0.50+0.010+0.90+0.20 ms clock, 0.060+0.50+0+0.10/0.80/0.40+0.40 ms cpu, 4->4->3 MB, 4 MB goal, 2 P";
    const [c] = parseGcTrace(line, "go15.log").cycles;
    expect(c.format).toBe("go1.5");
    expect(c.sweepTermMs).toBe(0.03);
    expect(c.markMs).toBeCloseTo(0.5 + 0.01 + 0.9, 9);
    expect(c.markTermMs).toBe(0.2);
    expect(c.cpuAssistMs).toBe(0.1);
    expect(c.cpuBackgroundMs).toBeCloseTo(0.5 + 0 + 0.8, 9); // scan + installWB + background
    expect(c.cpuIdleMs).toBe(0.4);
    expect(c.cpuMarkTermMs).toBe(0.4);
  });

  it("Go 1.19+ scav lines", () => {
    const t = parseGcTrace("scav 128 KiB work (bg), 0 KiB work (eager), 5120 KiB now, 87% util\nscav 0 KiB work (bg), 64 KiB work (eager), 5184 KiB now, 90% util (forced)\n", "x");
    expect(t.scavenger).toEqual([
      { kind: "scav", line: 1, releasedBgKiB: 128, releasedEagerKiB: 0, nowKiB: 5120, utilPercent: 87, forced: false },
      { kind: "scav", line: 2, releasedBgKiB: 0, releasedEagerKiB: 64, nowKiB: 5184, utilPercent: 90, forced: true },
    ]);
  });
});

describe("gctrace: interleaved and bad input", () => {
  it("finds gc lines behind a log prefix, counts other lines, never throws", () => {
    const text = [
      "2024-05-01T10:00:00Z app started",
      "pod-1 | gc 5 @3.2s 1%: 0.1+1.0+0.02 ms clock, 0.2+0.1/0.5/0+0.04 ms cpu, 10->11->5 MB, 11 MB goal, 0 MB stacks, 0 MB globals, 8 P",
      "gc 6 @3.3s 1%: 0.1+garbage",
      "\u0000\u0001binary junk",
      "",
      "gc1(1): 0+0+0 ms, 0 -> 0 MB 16 -> 18 (19-1) objects",
    ].join("\r\n");
    const t = parseGcTrace(text, "mixed.log");
    expect(t.cycles.map((c) => c.n)).toEqual([5]);
    expect(t.skipped).toBe(4);
    expect(t.malformed).toBe(1);
    expect(t.warnings.join("\n")).toMatch(/mixed\.log:3: unrecognised gc line/);
    expect(t.warnings.join("\n")).toMatch(/pre-Go 1\.5/);
  });

  it("warns when gc numbering restarts (two processes in one log)", () => {
    const l = (n: number, at: string) => `gc ${n} @${at}s 0%: 0.1+1+0.01 ms clock, 0.2+0/0.5/0+0.02 ms cpu, 4->4->1 MB, 4 MB goal, 2 P`;
    const t = parseGcTrace([l(1, "0.1"), l(2, "0.2"), l(1, "0.05")].join("\n"), "two.log");
    expect(t.cycles).toHaveLength(3);
    expect(t.warnings[0]).toMatch(/two\.log:3: gc numbering restarts/);
  });

  it("is linear on a long hostile line", () => {
    const evil = "gc 1 @1s 1%: " + "1+".repeat(200_000) + " ms clock";
    const t0 = performance.now();
    const t = parseGcTrace(evil, "evil");
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(t.cycles).toHaveLength(0);
    expect(t.malformed).toBe(1);
  });
});
