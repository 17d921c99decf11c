// godiag bench vs benchstat: every golden of benchstat's own test corpus byte
// for byte, and a differential run against the real benchstat on output of a
// real `go test -bench -count=6` of testdata/benchpkg; plus gates and bad input.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI, CORPUS, ROOT } from "./helpers/run.js";
import { available } from "./helpers/available.js";

const GOLDENS = join(CORPUS, "benchstat");
const OUT = join(ROOT, "test-output/bench");
// The benchstat the goldens and this test were checked against (pinned so a new release cannot move the oracle).
const BENCHSTAT_VERSION = "v0.0.0-20260908200009-22c9c6c9d4da";

function godiag(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, "bench", ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** INDEX.md rows: | golden | `args` | */
function indexCases(): { name: string; args: string[]; stdout: string; stderr: string | null }[] {
  const index = readFileSync(join(GOLDENS, "INDEX.md"), "utf8");
  const out = [];
  for (const m of index.matchAll(/^\| ([^|]+?) \| `([^`]+)` \|$/gm)) {
    const files = m[1].split("/").map((s) => s.trim());
    const name = files[0].replace(/\.stdout$/, "");
    const stderrFile = files.find((f) => f.endsWith(".stderr"));
    out.push({
      name,
      args: m[2].split(/\s+/),
      stdout: readFileSync(join(GOLDENS, name + ".stdout"), "utf8"),
      stderr: stderrFile ? readFileSync(join(GOLDENS, stderrFile), "utf8") : null,
    });
  }
  return out;
}

describe("benchstat goldens", () => {
  if (!available(existsSync(join(GOLDENS, "INDEX.md")), `the benchstat goldens (${GOLDENS})`)) {
    it.skip(`corpus absent: ${GOLDENS}`, () => {});
    console.log(`skipping benchstat goldens: ${GOLDENS} not found`);
    return;
  }
  const cases = indexCases();
  it("INDEX.md lists all ten goldens", () => expect(cases.length).toBe(10));
  for (const c of cases) {
    it(`${c.name}: ${c.args.join(" ")}`, () => {
      const r = godiag(c.args, GOLDENS);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(c.stdout);
      expect(r.stderr).toBe(c.stderr ?? "");
    });
  }
});

function benchstatBinary(): string | null {
  const bin = join(ROOT, "test-output/bin/benchstat");
  if (existsSync(bin)) return bin;
  if (spawnSync("go", ["version"]).status !== 0) return null;
  mkdirSync(join(ROOT, "test-output/bin"), { recursive: true });
  const r = spawnSync("go", ["install", `golang.org/x/perf/cmd/benchstat@${BENCHSTAT_VERSION}`], {
    env: { ...process.env, GOBIN: join(ROOT, "test-output/bin"), GOFLAGS: "" },
    encoding: "utf8",
    timeout: 300_000,
  });
  if (r.status !== 0) {
    console.log(`skipping benchstat differential: go install failed: ${r.stderr.trim().split("\n").pop()}`);
    return null;
  }
  return bin;
}

/** A real benchmark run of testdata/benchpkg, old or new implementation (cached per test-output). */
function benchRun(variant: "old" | "new"): string {
  const file = join(OUT, `${variant}.txt`);
  if (!existsSync(file)) {
    const out = execFileSync("go", ["test", "-run", "^$", "-bench", ".", "-benchmem", "-count=6", "-benchtime=20ms"], {
      cwd: join(ROOT, "testdata/benchpkg"),
      env: { ...process.env, BENCH_VARIANT: variant, GOFLAGS: "" },
      encoding: "utf8",
      timeout: 300_000,
    });
    writeFileSync(file, out);
  }
  return file;
}

describe("differential vs real benchstat", () => {
  let bs: string | null = null;
  beforeAll(() => {
    bs = benchstatBinary();
    if (!available(bs !== null, "benchstat (go install golang.org/x/perf/cmd/benchstat)")) return;
    mkdirSync(OUT, { recursive: true });
    benchRun("old");
    benchRun("new");
    // Non-benchmark noise and malformed benchmark lines, which benchstat ignores or reports.
    const noisy =
      "=== RUN   TestNothing\nsome log output: with a colon\nBenchmarkBroken 10 abc ns/op\nBenchmarkNoUnit 10 5\nBenchmarkNoIters\nUnit widgets/op better=higher\nPASS\n" +
      readFileSync(join(OUT, "new.txt"), "utf8") +
      "ok  \tgodiag.test/benchpkg\t1.0s\nBenchmarkTail 1 x\n";
    writeFileSync(join(OUT, "noisy.txt"), noisy);
    // Synthetic samples of every size class benchstat's statistics branch on:
    // exact binomial CI (n ≤ 20 integer, 21..30 via lgamma), normal CI (n > 30),
    // exact U test with and without ties (n ≤ 25 / 50) and its normal approximation.
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (const [name, shift] of [["syn-a.txt", 1.0], ["syn-b.txt", 1.03]] as const) {
      let s = "goos: linux\npkg: x\n";
      for (const n of [1, 2, 3, 5, 7, 13, 21, 22, 25, 26, 30, 31, 45, 51, 60, 101]) {
        for (const ties of [0, 1]) {
          for (let i = 0; i < n + (name === "syn-b.txt" && n % 2 ? 1 : 0); i++) {
            let v = 100 * shift * (1 + 0.1 * rnd());
            if (ties) v = Math.round(v / 2) * 2;
            s += `BenchmarkN${n}/ties=${ties}-2 1000 ${v} ns/op ${Math.round(v * 3)} B/op\n`;
          }
        }
      }
      writeFileSync(join(OUT, name), s);
    }
  }, 600_000);

  const combos: string[][] = [
    ["old.txt", "new.txt"],
    ["-format", "csv", "old.txt", "new.txt"],
    ["before=old.txt", "after=new.txt"],
    ["-col", "/parts", "new.txt"],
    ["-row", ".name", "old.txt", "new.txt"],
    ["-row", "/parts@num", "-col", ".file", "old.txt", "new.txt"],
    ["-filter", ".unit:(sec/op OR B/op)", "old.txt", "new.txt"],
    ["-filter", "-/parts:64 .name:Join", "old.txt", "new.txt"],
    ["-filter", ".fullname:/parts=6[0-9]/", "old.txt", "new.txt"],
    ["-alpha", "0.01", "-confidence", "0.9", "old.txt", "new.txt"],
    ["-ignore", "cpu", "old.txt", "new.txt"],
    ["-table", "pkg", "-col", ".file", "old.txt", "new.txt"],
    ["old.txt", "old.txt"],
    ["old.txt", "noisy.txt"],
    ["-format", "csv", "-row", ".name", "old.txt", "noisy.txt"],
    ["-col", "/parts@(64 4)", "old.txt"],
    ["syn-a.txt", "syn-b.txt"],
    ["-format", "csv", "syn-a.txt", "syn-b.txt"],
    ["-format", "csv", "-confidence", "0.99", "-alpha", "0.2", "syn-a.txt", "syn-b.txt"],
    ["-confidence", "0.8", "-col", "/ties", "syn-b.txt"],
  ];
  for (const args of combos) {
    it(`benchstat ${args.join(" ")}`, ({ skip }) => {
      if (bs === null) return skip();
      const want = spawnSync(bs, args, { cwd: OUT, encoding: "utf8" });
      const got = godiag(args, OUT);
      expect(want.status).toBe(0);
      expect(got.code).toBe(0);
      expect(got.stdout).toBe(want.stdout);
      expect(got.stderr).toBe(want.stderr);
      expect(got.stdout.length).toBeGreaterThan(100);
    });
  }

  it("the run shows the expected effect: fewer allocs/op in new", ({ skip }) => {
    if (bs === null) return skip();
    const r = godiag(["--json", "old.txt", "new.txt"], OUT);
    const j = JSON.parse(r.stdout);
    const allocs = j.ratios.find((x: { unit: string }) => x.unit === "allocs/op");
    // JoinNaive allocates once per +=: 2n-1 strings for n parts (7 for 4 parts, minus the first +="" that is free);
    // JoinBuilder allocates once. So allocs/op must drop for both sub-benchmarks.
    for (const row of allocs.rows.filter((x: { name: string }) => x.name.startsWith("Join/"))) {
      expect(row.new).toBe(1);
      expect(row.old).toBeGreaterThan(1);
      expect(row.decrease).toBeGreaterThan(0);
    }
  });
});

describe("gates and output modes", () => {
  const dir = GOLDENS;
  const has = existsSync(join(dir, "old.txt"));
  it("exit 0 when no significant change breaks a gate, 1 when one does", ({ skip }) => {
    if (!has) return skip();
    // benchstat's old→new: json -17.20% (significant), gob ~ : a +5% gate holds.
    expect(godiag(["--gate", "sec/op<=+5%", "old.txt", "new.txt"], dir).code).toBe(0);
    // reversed: json +20.77% significant (1/(1-0.172) - 1 ≈ +20.8%) breaks +5%.
    const r = godiag(["--gate", "sec/op<=+5%", "new.txt", "old.txt"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("gate sec/op<=+5% broken: Encode/format=json-48");
    // +25% tolerates the +20.77% change.
    expect(godiag(["--gate", "ns/op<=+25%", "new.txt", "old.txt"], dir).code).toBe(0);
    // gob's +0.15% (new→old) is not significant (p=0.446): even a 0% gate holds for it.
    expect(godiag(["--gate", "sec/op<=0", "--filter", "/format:gob", "new.txt", "old.txt"], dir).code).toBe(0);
  });
  it("bad gate spec and bad flags exit 2 with one line", ({ skip }) => {
    if (!has) return skip();
    const r = godiag(["--gate", "sec/op~5", "old.txt"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(godiag(["-format", "xml", "old.txt"], dir).stderr).toBe("godiag: -format must be text or csv\n");
    expect(godiag(["-alpha", "2", "old.txt"], dir).stderr).toBe("godiag: -alpha must be in range [0, 1]\n");
    const f = godiag(["-filter", "foo:(", "old.txt"], dir);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/^godiag: parsing -filter: syntax error: /);
  });
  it("--json carries the numbers benchstat prints", ({ skip }) => {
    if (!has) return skip();
    const j = JSON.parse(godiag(["--json", "old.txt", "new.txt"], dir).stdout);
    const t = j.tables[0];
    expect(t.unit).toBe("sec/op");
    expect(t.columns).toEqual(["old.txt", "new.txt"]);
    const json = t.rows[0].cells[1];
    // csvOldNew.stdout: 1.4225000000000001e-06, -17.20%, p=0.000 n=10
    expect(json.center).toBe(1.4225000000000001e-6);
    expect(json.comparison.delta).toBe("-17.20%");
    expect(json.comparison.n1).toBe(10);
    expect(json.comparison.significant).toBe(true);
    expect(t.geomean[1].value).toBe(2.089754770302007e-6);
  });
  it("--md renders a markdown table", ({ skip }) => {
    if (!has) return skip();
    const md = godiag(["--md", "old.txt", "new.txt"], dir).stdout;
    expect(md).toContain("| Encode/format=json-48 | 1.718µ ± 1% | 1.423µ ± 1% | **-17.20%** | p=0.000 n=10 |");
  });
});

describe("bad input", () => {
  it("unreadable file: one line naming it, exit 2", () => {
    const r = godiag(["/nonexistent/old.txt"], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("godiag: /nonexistent/old.txt: no such file\n");
  });
  it("a directory: one line, exit 2", () => {
    const r = godiag(["testdata"], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("godiag: testdata: is a directory\n");
  });
  it("a file without benchmarks prints nothing, like benchstat", () => {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, "empty.txt"), "hello\nworld: yes\n\n");
    const r = godiag(["empty.txt"], OUT);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
  });
  it("an over-long line is a clear error, not a hang", () => {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, "long.txt"), "BenchmarkA 1 1 ns/op\n" + "x".repeat(70_000) + "\n");
    const r = godiag(["long.txt"], OUT);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("godiag: long.txt: bufio.Scanner: token too long (at line 2)\n");
  });
});
