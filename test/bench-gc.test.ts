// godiag bench --gc: the GC pause time reduction ratio over two real
// gctrace logs (committed captures of the fault workloads), checked against an
// independent reading of the logs' "a+b+c ms clock" fields in this test.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/run.js";
import { available } from "./helpers/available.js";

const CAP = join(ROOT, "testdata/captures");
const OLD = join(CAP, "gcpressure/gctrace.log");
const NEW = join(CAP, "healthy/gctrace.log");

/** STW pauses straight from the text: sweep termination (a) + mark termination (c) of "a+b+c ms clock". */
function pauses(file: string): number[] {
  const out: number[] = [];
  for (const m of readFileSync(file, "utf8").matchAll(/^gc \d+ @[\d.]+s [\d.]+%[^:]*: ([\d.]+)\+[\d.]+\+([\d.]+) ms clock/gm)) {
    out.push(Number(m[1]) + Number(m[2]));
  }
  return out;
}

const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, "bench", "--gc", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe("GC pause time reduction ratio", () => {
  if (!available(existsSync(OLD) && existsSync(NEW), "the committed gcpressure/healthy captures")) {
    it.skip("captures absent (node scripts/captures.mjs gcpressure healthy)", () => {});
    return;
  }
  it("(pause_old − pause_new)/pause_old from two gctrace logs", () => {
    const po = pauses(OLD);
    const pn = pauses(NEW);
    expect(po.length).toBeGreaterThan(5);
    expect(pn.length).toBeGreaterThan(1);
    const so = po.reduce((a, b) => a + b, 0);
    const sn = pn.reduce((a, b) => a + b, 0);
    const r = run(["--json", OLD, NEW]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.old.cycles).toBe(po.length);
    expect(j.new.cycles).toBe(pn.length);
    expect(j.old.sumMs).toBeCloseTo(so, 9);
    expect(j.new.sumMs).toBeCloseTo(sn, 9);
    expect(j.sumReduction).toBeCloseTo((so - sn) / so, 9);
    expect(j.old.maxMs).toBe(Math.max(...po));
    // p99 by type-7 interpolation over the sorted pauses
    const s = [...po].sort((a, b) => a - b);
    const h = (s.length - 1) * 0.99;
    const lo = Math.floor(h);
    const p99 = s[lo] + (h - lo) * (s[Math.min(lo + 1, s.length - 1)] - s[lo]);
    expect(j.old.p99Ms).toBeCloseTo(p99, 9);
    const text = run([OLD, NEW]).stdout;
    expect(text).toContain(`GC pause time reduction ratio (pause_old − pause_new)/pause_old: ${((so - sn) / so).toFixed(4)}`);
  });
  it("a file with no gc lines is a clear error", () => {
    const r = run([OLD, join(ROOT, "package.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^godiag: .*package\.json: not a gctrace log/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
