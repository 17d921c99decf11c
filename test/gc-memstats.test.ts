// MemStats from real heap?debug=1 and /debug/vars files of our captures, and the
// pause statistics checked against values the test computes itself.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { summarizeCycles } from "../src/gc/analyze/cycles.js";
import { parseExpvar } from "../src/gc/read/expvar.js";
import { readGcInput } from "../src/gc/read/inputs.js";
import { parseGcTrace } from "../src/gc/read/gctrace.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { ROOT } from "./helpers/run.js";

const dir = (w: string) => join(ROOT, "testdata/captures", w);

/** The test's own percentile: linear between closest ranks, (n-1)·q. */
function pct(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const i = Math.floor(h);
  return i + 1 < sorted.length ? sorted[i] * (1 - (h - i)) + sorted[i + 1] * (h - i) : sorted[i];
}

/** "# Name = [a b c]" or "# Name = v" from heap?debug=1 text, with the test's own regexes. */
function memField(text: string, name: string): string {
  const m = new RegExp(`^# ${name} = (.*)$`, "m").exec(text);
  if (!m) throw new Error(`no ${name}`);
  return m[1];
}

describe("MemStats", () => {
  for (const w of ["healthy", "memlimit"]) {
    it(`${w}: heap?debug=1 block`, () => {
      const file = join(dir(w), "heap.debug1.txt");
      const text = readFileSync(file, "utf8");
      const inp = readGcInput(file, DEFAULT_LIMITS);
      expect(inp.kind).toBe("profile");
      if (inp.kind !== "profile") return;
      const ms = inp.memStats!;
      expect(ms.source).toBe("heap-debug1");
      expect(ms.numGC).toBe(Number(memField(text, "NumGC")));
      expect(ms.heapAlloc).toBe(Number(memField(text, "HeapAlloc")));
      expect(ms.nextGC).toBe(Number(memField(text, "NextGC")));
      expect(ms.gcCpuFraction).toBe(Number(memField(text, "GCCPUFraction")));
      expect(ms.stackInuse).toBe(Number(memField(text, "Stack").split(" / ")[0]));
      // The ring: the most recent pause is PauseNs[(NumGC+255)%256].
      const ring = memField(text, "PauseNs").slice(1, -1).split(" ").map(Number);
      expect(ms.pauseNs[ms.pauseNs.length - 1]).toBe(ring[(ms.numGC + 255) % 256]);
      expect(ms.pauseNs.length).toBe(Math.min(256, ms.numGC));
    });

    it(`${w}: /debug/vars memstats`, () => {
      const file = join(dir(w), "vars.json");
      const json = JSON.parse(readFileSync(file, "utf8"));
      const v = parseExpvar(readFileSync(file, "utf8"), file);
      expect(v.memStats.source).toBe("expvar");
      expect(v.memStats.numGC).toBe(json.memstats.NumGC);
      expect(v.memStats.totalAlloc).toBe(json.memstats.TotalAlloc);
      expect(v.memStats.numForcedGC).toBe(json.memstats.NumForcedGC);
      expect(v.cmdline[0]).toMatch(new RegExp(w));
    });
  }

  it("garbage JSON is a one-line error naming the file", () => {
    expect(() => parseExpvar('{"memstats": {"NumGC": "x"}}', "v.json")).toThrow(/^v\.json: not \/debug\/vars JSON: memstats\.NumGC/);
    expect(() => parseExpvar("{", "v.json")).toThrow(/^v\.json: not \/debug\/vars JSON/);
  });
});

describe("pause statistics", () => {
  for (const w of ["healthy", "heapgrowth", "memlimit", "gcpressure"]) {
    it(`${w}: p50/p95/p99/max of STW pauses equal the test's own computation`, () => {
      const text = readFileSync(join(dir(w), "gctrace.log"), "utf8");
      // Independent: the clock field "a+b+c ms clock" of each gc line; pause = a + c.
      const pauses = text
        .split("\n")
        .filter((l) => l.startsWith("gc "))
        .map((l) => l.split(": ")[1].split(" ms clock")[0].split("+").map(Number))
        .map((p) => p[0] + p[2])
        .sort((a, b) => a - b);
      const s = summarizeCycles(parseGcTrace(text, "gctrace.log").cycles)!;
      expect(s.pauseMs.n).toBe(pauses.length);
      expect(s.pauseMs.p50).toBeCloseTo(pct(pauses, 0.5), 9);
      expect(s.pauseMs.p95).toBeCloseTo(pct(pauses, 0.95), 9);
      expect(s.pauseMs.p99).toBeCloseTo(pct(pauses, 0.99), 9);
      expect(s.pauseMs.max).toBe(pauses[pauses.length - 1]);
    });
  }

  it("gctrace STW pauses agree with the runtime's own PauseNs, cycle by cycle", () => {
    // Two sources written by the runtime: gctrace's clock phases (printed with two
    // significant digits, truncated) and MemStats.PauseNs (exact ns). Each phase
    // may be truncated by one unit of its last printed digit.
    for (const w of ["healthy", "heapgrowth"]) {
      const trace = parseGcTrace(readFileSync(join(dir(w), "gctrace.log"), "utf8"), "g");
      const heap = readFileSync(join(dir(w), "heap.debug1.txt"), "utf8");
      const numGC = Number(memField(heap, "NumGC"));
      const ring = memField(heap, "PauseNs").slice(1, -1).split(" ").map(Number);
      const unit = (v: number) => (v >= 10 ? 1 : v === 0 ? 0.001 : Math.max(0.001, 10 ** (Math.floor(Math.log10(v)) - 1)));
      let compared = 0;
      for (const c of trace.cycles) {
        if (c.n > numGC || c.n <= numGC - 256) continue;
        const ns = ring[(c.n - 1) % 256] / 1e6;
        const tol = unit(c.sweepTermMs) + unit(c.markTermMs) + 0.002;
        expect(Math.abs(c.sweepTermMs + c.markTermMs - ns), `${w} gc ${c.n}`).toBeLessThanOrEqual(tol);
        compared++;
      }
      expect(compared).toBeGreaterThan(10);
    }
  });
});
