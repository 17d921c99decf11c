// godiag list against `go tool pprof -list`: a Go program (testdata/listprog) is built
// here without -trimpath and profiled, so its frames point at real sources in three
// places (the program's directory, GOROOT, the module cache). Both tools list the same
// profile; the text must be identical, including --trim_path / --source_path lookups
// and the error line for a source that cannot be found.

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ReportConfig } from "../src/pprof/report/config.js";
import { CORPUS, pprofBinary, ROOT, runPprof, runReport } from "./helpers/run.js";
import { available } from "./helpers/available.js";

const hasGo = available(pprofBinary() !== null, "Go (go tool pprof)");
const PROG = join(ROOT, "testdata/listprog");
const OUT = join(ROOT, "test-output/listprog");
const CPU = join(OUT, "cpu.pprof");
const HEAP = join(OUT, "heap.pprof");
// a copy of the sources elsewhere, under a directory with the same base name
const MOVED = join(OUT, "moved/listprog");

interface Case {
  name: string;
  file: string;
  args: string[];
  cfg: Partial<ReportConfig>;
}

function listCase(file: string, symbol: string, extra: [string, Partial<ReportConfig>][] = []): Case {
  const args = [`-list=${symbol}`, ...extra.map((e) => e[0])];
  const cfg = Object.assign({ symbol }, ...extra.map((e) => e[1])) as Partial<ReportConfig>;
  return { name: `${file === CPU ? "cpu" : "heap"} ${args.join(" ")}`, file, args, cfg };
}

const CASES: Case[] = [
  listCase(CPU, "main\\."),
  listCase(CPU, "runtime\\.mallocgc$"),
  listCase(CPU, "x/exp/rand"),
  listCase(CPU, "sort\\."),
  listCase(CPU, "main\\.", [["-noinlines", { noInlines: true }]]),
  listCase(CPU, "main\\.", [["-unit=ms", { unit: "ms" }]]),
  listCase(HEAP, "main\\.", [["-sample_index=alloc_space", { sampleIndex: "alloc_space" }]]),
  listCase(HEAP, "main\\.", [["-sample_index=alloc_objects", { sampleIndex: "alloc_objects" }]]),
  listCase(HEAP, "runtime\\.", [["-sample_index=alloc_space", { sampleIndex: "alloc_space" }]]),
  // the program's path trimmed, then found under --source_path
  listCase(CPU, "main\\.", [
    [`-trim_path=${PROG}`, { trimPath: PROG }],
    [`-source_path=${MOVED}`, { sourcePath: MOVED }],
  ]),
  // no --trim_path: pprof guesses it from the base name of the source path
  listCase(CPU, "main\\.", [[`-source_path=${MOVED}`, { sourcePath: MOVED }]]),
  // trimmed to a relative path that no search directory holds: an error line per routine
  listCase(CPU, "main\\.", [
    [`-trim_path=${PROG}`, { trimPath: PROG }],
    ["-source_path=/nonexistent/godiag-src", { sourcePath: "/nonexistent/godiag-src" }],
  ]),
];

describe("google/pprof's list golden (internal/report/testdata/source.rpt)", () => {
  it("matches byte for byte", () => {
    // report_test.go's profile: one file relative (testdata/source1), one under /some/path
    const dir = join(CORPUS, "google-pprof/internal/report");
    const golden = readFileSync(join(dir, "testdata/source.rpt"), "utf8");
    const [ours] = runReport(
      "list",
      { sources: [join(CORPUS, "google-pprof/synthetic/report_testProfile.pb.gz")] },
      { symbol: ".", sampleIndex: "1", trimPath: "/some/path", sourcePath: dir },
    );
    expect(ours).toBe(golden);
  });
});

describe.skipIf(!hasGo)("godiag list vs go tool pprof -list on a Go program built here", () => {
  beforeAll(() => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(MOVED, { recursive: true });
    const env = { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "-mod=mod" };
    const bin = join(OUT, "listprog");
    const b = spawnSync("go", ["build", "-o", bin, "."], { cwd: PROG, env, encoding: "utf8", timeout: 300_000 });
    if (b.status !== 0) throw new Error(`building listprog failed:\n${b.stderr}`);
    const r = spawnSync(bin, ["-cpu", CPU, "-heap", HEAP, "-d", "1200ms"], { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`listprog failed:\n${r.stderr}`);
    copyFileSync(join(PROG, "main.go"), join(MOVED, "main.go"));
  }, 320_000);

  for (const c of CASES) {
    it(c.name, () => {
      expect(existsSync(c.file)).toBe(true);
      const theirs = runPprof(["-symbolize=none", ...c.args, c.file]);
      expect(theirs.code, theirs.stderr).toBe(0);
      const [ours] = runReport("list", { sources: [c.file] }, c.cfg);
      expect(ours).toBe(theirs.stdout);
      // every case lists at least one routine with source lines or the error pprof gives
      expect(ours).toMatch(/^ROUTINE =+ /m);
    });
  }

  // pprof's synthetic driver profiles name relative sources (testdata/file1000.src)
  const driver = join(CORPUS, "google-pprof/internal/driver");
  for (const name of ["cpu", "heap", "contention"]) {
    for (const symbol of ["line[13]", "."]) {
      for (const noInlines of [false, true]) {
        const args = [`-list=${symbol}`, `-source_path=${driver}`, ...(noInlines ? ["-noinlines"] : [])];
        it(`synthetic/${name} ${args.join(" ")}`, () => {
          const file = join(CORPUS, `google-pprof/synthetic/${name}.demangled.pb.gz`);
          const theirs = runPprof(["-symbolize=none", ...args, file]);
          expect(theirs.code, theirs.stderr).toBe(0);
          const [ours] = runReport("list", { sources: [file] }, { symbol, sourcePath: driver, noInlines });
          expect(ours).toBe(theirs.stdout);
          expect(ours).not.toContain("Error:");
        });
      }
    }
  }

  it("a regexp matching nothing fails in both", () => {
    const theirs = runPprof(["-symbolize=none", "-list=no_such_function_anywhere", CPU]);
    expect(theirs.code).not.toBe(0);
    expect(() => runReport("list", { sources: [CPU] }, { symbol: "no_such_function_anywhere" })).toThrow(
      "no matches found for regexp: no_such_function_anywhere",
    );
  });

  it("shows real source text from all three places", () => {
    const [main] = runReport("list", { sources: [CPU] }, { symbol: "main\\.allocate$" });
    expect(main).toContain("b := make([]byte, 64+r.Intn(4096))");
    const [rt] = runReport("list", { sources: [CPU] }, { symbol: "runtime\\.mallocgc$" });
    expect(rt).toContain("func mallocgc(size uintptr, typ *_type, needzero bool) unsafe.Pointer {");
    const [mod] = runReport("list", { sources: [CPU] }, { symbol: "x/exp/rand" });
    expect(mod).toMatch(/ROUTINE =+ golang\.org\/x\/exp\/rand\.\S+ in \S+\/pkg\/mod\/golang\.org\/x\/exp@/);
    expect(mod).not.toContain("Error:");
  });
});
