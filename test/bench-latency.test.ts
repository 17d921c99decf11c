// godiag bench --latency: percentiles checked against values computed by hand
// (type-7 interpolation, see src/analysis/latency.ts), the load-tool formats,
// reproducible bootstrap intervals, and bad input.

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/run.js";
import { parseLatency } from "../src/bench/read/latency.js";
import { compareLatency, percentileSorted, summarizeLatency } from "../src/bench/latency.js";

const OUT = join(ROOT, "test-output/bench-latency");
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, "bench", "--latency", ...args], { cwd: OUT, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

// 1..1000 ms shuffled; type 7: h = 999p.
//   P50:  h = 499.5   → 500 + 0.5·1   = 500.5
//   P90:  h = 899.1   → 900 + 0.1·1   = 900.1
//   P99:  h = 989.01  → 990 + 0.01·1  = 990.01
//   P99.9: h = 998.001 → 999 + 0.001·1 = 999.001
const ONE_TO_1000 = Array.from({ length: 1000 }, (_, i) => ((i * 337) % 1000) + 1);

beforeAll(() => {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, "old.txt"), "# one latency per line, ms\n" + ONE_TO_1000.join("\n") + "\n");
  writeFileSync(join(OUT, "new.txt"), ONE_TO_1000.map((v) => `${v * 500}us`).join("\n") + "\n"); // half: 0.5..500 ms
  // hey -o csv: response-time in seconds, plus phase columns, status-code, offset
  writeFileSync(
    join(OUT, "hey.csv"),
    "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset\n" +
      ONE_TO_1000.map((v, i) => `${(v / 1000).toFixed(4)},0.0001,0.0000,0.0000,${(v / 1000).toFixed(4)},0.0000,200,${(i / 1000).toFixed(4)}`).join("\n") +
      "\n0.0001,0,0,0,0,0,0,1.0\n", // a failed request (status 0): skipped
  );
  // vegeta encode --to csv: timestamp ns, code, latency ns, bytes out, bytes in, error, body b64, attack, seq, method, url, headers
  writeFileSync(
    join(OUT, "vegeta.csv"),
    ONE_TO_1000.map((v, i) => `${1700000000000000000 + i * 1000000},200,${v * 1e6},0,12,,aGVsbG8=,,${i},GET,http://127.0.0.1:8080/,`).join("\n") +
      `\n1700000001000000000,0,5000,0,0,"dial tcp: connection refused",,,1000,GET,http://127.0.0.1:8080/,\n`,
  );
  writeFileSync(
    join(OUT, "vegeta.json"),
    ONE_TO_1000.map((v, i) => JSON.stringify({ attack: "", seq: i, code: 200, timestamp: "2024-01-01T00:00:00Z", latency: v * 1e6, bytes_out: 0, bytes_in: 12, error: "", body: null })).join("\n") + "\n",
  );
  writeFileSync(join(OUT, "bad.txt"), "1\n2\nthree\n");
  writeFileSync(join(OUT, "nocol.csv"), "a,b\n1,2\n");
});

describe("percentiles", () => {
  it("match the hand-computed type-7 values", () => {
    const s = Float64Array.from(ONE_TO_1000).sort();
    expect(percentileSorted(s, 0.5)).toBeCloseTo(500.5, 9);
    expect(percentileSorted(s, 0.9)).toBeCloseTo(900.1, 9);
    expect(percentileSorted(s, 0.99)).toBeCloseTo(990.01, 9);
    expect(percentileSorted(s, 0.999)).toBeCloseTo(999.001, 9);
    expect(percentileSorted(Float64Array.of(1, 2), 0.5)).toBe(1.5);
  });
  for (const f of ["old.txt", "hey.csv", "vegeta.csv", "vegeta.json"]) {
    it(`${f}: every format yields 1..1000 ms`, () => {
      const d = parseLatency(readFileSync(join(OUT, f), "utf8"), f);
      expect(d.values.length).toBe(1000);
      const s = summarizeLatency(d.values, { confidence: 0.95, seed: 1, resamples: 200 });
      expect(s.percentiles.map((p) => p.est.value)).toEqual([500.5, 900.1, 990.01, 999.001].map((v) => expect.closeTo(v, 6)));
      // a CI brackets its estimate
      for (const p of s.percentiles) {
        expect(p.est.lo).toBeLessThanOrEqual(p.est.value);
        expect(p.est.hi).toBeGreaterThanOrEqual(p.est.value);
      }
      if (f !== "old.txt" && f !== "vegeta.json") expect(d.skipped).toBe(1);
    });
  }
  it("ΔP99 of a run twice as fast is −50% and significant", () => {
    const c = compareLatency(Float64Array.from(ONE_TO_1000), Float64Array.from(ONE_TO_1000, (v) => v / 2), { confidence: 0.95, seed: 7, resamples: 300 });
    const d99 = c.deltas.find((d) => d.p === 0.99)!;
    expect(d99.rel.value).toBeCloseTo(-0.5, 12); // 495.005 / 990.01 − 1
    expect(d99.abs.value).toBeCloseTo(-495.005, 9);
    expect(d99.significant).toBe(true);
    expect(d99.rel.hi).toBeLessThan(0);
  });
  it("identical runs are not significant", () => {
    const c = compareLatency(Float64Array.from(ONE_TO_1000), Float64Array.from(ONE_TO_1000), { confidence: 0.95, seed: 3, resamples: 300 });
    for (const d of c.deltas.slice(0, 3)) expect(d.significant).toBe(false);
  });
});

describe("CLI", () => {
  it("prints P50..P99.9 and ΔP99, reproducibly", () => {
    const a = run(["old.txt", "new.txt"]);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^P99 +990\.0 \[/m);
    expect(a.stdout).toMatch(/^ΔP99: -50\.00% \(990\.0 ms → 495\.0 ms; 95% CI/m);
    expect(run(["old.txt", "new.txt"]).stdout).toBe(a.stdout);
    expect(run(["--seed", "2", "old.txt", "new.txt"]).stdout).not.toBe(a.stdout);
  });
  it("--json has the numbers", () => {
    const j = JSON.parse(run(["--json", "hey.csv", "vegeta.json"]).stdout);
    expect(j.files.map((f: { format: string }) => f.format)).toEqual(["hey", "vegeta-json"]);
    expect(j.deltas[2].rel.value).toBeCloseTo(0, 12);
  });
  it("bad input: one line with file and line, exit 2", () => {
    const r = run(["bad.txt"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('godiag: bad.txt: not a latency: "three" (want one number per line, ms, or a Go duration) (at line 3)\n');
    const c = run(["nocol.csv"]);
    expect(c.code).toBe(2);
    expect(c.stderr.split("\n")).toHaveLength(2);
    expect(run(["missing.txt"]).stderr).toBe("godiag: missing.txt: no such file\n");
  });
});
