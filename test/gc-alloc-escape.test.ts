// Allocation sites, in-use growth (--base) and the escape-analysis join, on our
// workloads' real profiles and the real compiler's -gcflags=-m=2 output.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allocSites } from "../src/gc/analyze/alloc-sites.js";
import { joinEscapes } from "../src/gc/analyze/escape-join.js";
import { parseEscape } from "../src/gc/read/escape.js";
import { readGcInput } from "../src/gc/read/inputs.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { ROOT, runCli, runPprof } from "./helpers/run.js";

const WL = join(ROOT, "testdata/workloads");
const goEnv = { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "" };
const cap = (w: string, f: string) => join(ROOT, "testdata/captures", w, f);

function profile(file: string) {
  const x = readGcInput(file, DEFAULT_LIMITS);
  if (x.kind !== "profile") throw new Error(`${file} is ${x.kind}`);
  return x.profile;
}

describe("allocation sites", () => {
  it("totals match go tool pprof; the injected function leads", () => {
    const file = cap("gcpressure", "allocs.pb.gz");
    const a = allocSites(profile(file));
    // pprof's own total for alloc_space, from its header line "... of X total".
    const r = runPprof(["-top", "-sample_index=alloc_space", "-nodecount=1", file]);
    const m = /of ([\d.]+)([kMGT]?B) total/.exec(r.stdout)!;
    const mult = { B: 1, kB: 1 << 10, MB: 1 << 20, GB: 1 << 30, TB: 2 ** 40 }[m[2]]!;
    expect(Math.abs(a.totalAllocBytes - Number(m[1]) * mult) / a.totalAllocBytes).toBeLessThan(0.005);
    expect(a.sites[0].name).toBe("main.buildRequestTree");
    // buildRequestTree's largest object is make([]*treeNode, 511) = 4 KB: nothing > 32 KB.
    for (const s of a.sites.filter((x) => x.name === "main.buildRequestTree")) expect(s.large).toBe(false);
  });

  it("memlimit: the 400,000-pointer slice is one object > 32 KB, flagged large", () => {
    const a = allocSites(profile(cap("memlimit", "allocs.pb.gz")));
    // make([]*record, 400000) is 3.2 MB in one allocation (main.go: out := make(...)).
    const big = a.sites.find((s) => s.name === "main.loadDataset" && s.large);
    expect(big).toBeDefined();
    expect(big!.avgObjectBytes).toBeGreaterThan(400_000 * 8 - 1);
  });

  it("--base: in-use growth between two heap snapshots names cacheResponse", { timeout: 120_000 }, () => {
    const bin = join(ROOT, "test-output/bin/heapgrowth");
    if (!existsSync(bin)) {
      mkdirSync(join(ROOT, "test-output/bin"), { recursive: true });
      execFileSync("go", ["build", "-o", bin, "./faults/heapgrowth"], { cwd: WL, env: goEnv, stdio: "pipe", timeout: 180_000 });
    }
    const snap = (secs: number) => {
      const out = join(ROOT, `test-output/gc-heapgrowth-${secs}`);
      rmSync(out, { recursive: true, force: true });
      const r = spawnSync(bin, ["-out", out, "-seconds", String(secs)], { timeout: (secs + 20) * 1000, killSignal: "SIGKILL" });
      expect(r.status).toBe(0);
      return join(out, "heap.pb.gz");
    };
    // Two runs of the same program: the cache holds every response, so the longer
    // run's heap holds more in cacheResponse than the shorter one's.
    const early = snap(1);
    const late = snap(3);
    const r = runCli(["gc", "--json", late, "--base", early]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.growth.sites[0].name).toBe("main.cacheResponse");
    expect(j.findings.map((f: { id: string }) => f.id)).toContain("inuse-growth");
  });
});

describe("escape analysis join", () => {
  it("joins the compiler's -m=2 output to gcpressure's hot sites", { timeout: 180_000 }, () => {
    const r = spawnSync("go", ["build", "-gcflags=-m=2", "-o", "/dev/null", "./faults/gcpressure"], { cwd: WL, env: goEnv, encoding: "utf8", timeout: 180_000 });
    expect(r.status).toBe(0);
    const esc = parseEscape(r.stderr, "m2.txt");
    // Known from the source: &name and &v are stored in heap nodes, so both variables move.
    const moved = esc.entries.filter((e) => e.kind === "moved").map((e) => e.what);
    expect(moved).toEqual(expect.arrayContaining(["name", "v"]));
    const hot = joinEscapes(allocSites(profile(cap("gcpressure", "allocs.pb.gz"))).sites, esc.entries);
    const node = hot.find((h) => h.escapes.some((e) => e.what === "&treeNode{...}"));
    expect(node?.site).toBe("main.buildRequestTree");
    expect(node?.escapes.find((e) => e.what === "&treeNode{...}")?.reasons).toContain("assign");
    const name = hot.find((h) => h.escapes.some((e) => e.kind === "moved" && e.what === "name"));
    expect(name?.site).toBe("main.buildRequestTree");
    // Every joined diagnostic is on the site's own line.
    for (const h of hot) expect(h.line).toBeGreaterThan(0);
  });

  it("recognises -m=2 text by content through the CLI", () => {
    const r = spawnSync("go", ["build", "-gcflags=-m=2", "-o", "/dev/null", "./faults/gcpressure"], { cwd: WL, env: goEnv, encoding: "utf8" });
    const f = join(ROOT, "test-output/gc-m2.txt");
    writeFileSync(f, r.stderr);
    const c = runCli(["gc", "--json", f, cap("gcpressure", "allocs.pb.gz")]);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout).escapes.hot[0].site).toBe("main.buildRequestTree");
  });
});
