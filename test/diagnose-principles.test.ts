// Principles of the tuning round of godiag issue 14, each on a real Go program built
// with the machine's Go (testdata/workloads/<name>/main.go), its expected findings
// from the program's known behaviour:
//   regexpmatch  regexp.MatchString compiles its pattern on every call (regexp.go:
//                MatchString -> Compile): the compile is the finding, at light load
//                a warning, when busy critical and the cause of the GC it drives.

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose, openBundle } from "../src/api/diagnose.js";
import { DEFAULT_LIMITS } from "../src/api/errors.js";
import { ROOT } from "./helpers/run.js";

const dir = mkdtempSync(join(tmpdir(), "godiag-principles-"));
const ENV = { ...process.env, GOWORK: "off", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" };

/** Build testdata/workloads/<name> into dir/<name>/prog. */
function build(name: string): string {
  const src = join(dir, name);
  mkdirSync(src, { recursive: true });
  cpSync(join(ROOT, "testdata/workloads", name, "main.go"), join(src, "main.go"));
  writeFileSync(join(src, "go.mod"), `module ${name}\n\ngo 1.19\n`);
  const r = spawnSync("go", ["build", "-o", "prog", "."], { cwd: src, encoding: "utf8", timeout: 180_000, env: ENV });
  if (r.status !== 0) throw new Error(`go build ${name} failed: ${r.stderr}`);
  return join(src, "prog");
}

/** Run a built program with args; stderr goes to the given file (gctrace) when named. */
function runProg(prog: string, args: string[], env: Record<string, string> = {}, stderrFile?: string): void {
  const r = spawnSync(prog, args, { encoding: "utf8", timeout: 60_000, env: { ...ENV, ...env } });
  if (r.status !== 0) throw new Error(`${prog} ${args.join(" ")} failed: ${r.stderr}`);
  if (stderrFile) writeFileSync(stderrFile, r.stderr);
}

const outDir = (name: string) => {
  const d = join(dir, "out", name);
  mkdirSync(d, { recursive: true });
  return d;
};

const run = async (d: string) => diagnose(await openBundle([d], { ...DEFAULT_LIMITS, maxFiles: 100 }));

/** The top finding above info: category and the function it names first. */
function verdictOf(d: Awaited<ReturnType<typeof run>>): { category: string; function: string; severity: string } {
  const top = d.findings.find((f) => f.severity !== "info");
  return top ? { category: top.category, function: top.functions[0] ?? "", severity: top.severity } : { category: "none", function: "", severity: "info" };
}

beforeAll(() => {
  const rx = build("regexpmatch");
  runProg(rx, [outDir("regexp-light"), "light"]);
  const busy = outDir("regexp-busy");
  runProg(rx, [busy, "busy"], { GODEBUG: "gctrace=1" }, join(busy, "gctrace.log"));
}, 400_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a regexp compiled on every call, under regexp.MatchString", () => {
  it("light load (< 0.25 cores): a warning naming the compile, though the function only calls regexp.MatchString", async () => {
    const d = await run(join(dir, "out", "regexp-light"));
    expect(verdictOf(d)).toEqual({ category: "cpu-hotspot", function: "main.matchRoute", severity: "warning" });
    const f = d.findings[0]!;
    expect(f.pattern).toBe("regexp-compile-per-call");
    expect(f.evidence[0]!.numbers.cores_used).toBeLessThan(0.25);
    // Its only direct callee is MatchString: the compile is found below it.
    expect(f.evidence[0]!.functions).toContain("regexp.MatchString");
  });
  it("busy (2 goroutines flat out): critical, first, and the cause of the GC pressure its garbage makes", async () => {
    const d = await run(join(dir, "out", "regexp-busy"));
    expect(verdictOf(d)).toEqual({ category: "cpu-hotspot", function: "main.matchRoute", severity: "critical" });
    const gc = d.findings.find((f) => f.category === "gc-pressure" && f.severity !== "info");
    // Compiling ~40 patterns per call allocates hundreds of MB/s on a 4 MB heap: the GC runs tens of times a second.
    expect(gc?.evidence[0]!.numbers.gc_per_sec).toBeGreaterThan(10);
    expect(d.findings[0]!.explains).toContain(gc!.id);
  });
});
