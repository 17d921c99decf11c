// `godiag demo`, the README's main-job command, end to end as a user runs it: builds
// the lockcontention workload with the machine's Go, runs and captures it live,
// diagnoses it, writes the HTML report, leaves no process behind. And the no-Go
// path on the shipped capture.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/run.js";
import { available } from "./helpers/available.js";

const hasGo = available(spawnSync("go", ["version"]).status === 0, "Go");
const dir = mkdtempSync(join(tmpdir(), "godiag-demo-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("godiag demo", () => {
  it.skipIf(!hasGo)("live: finds the lock contention the workload injects, in under 90 s", () => {
    const html = join(dir, "live.html");
    const t0 = Date.now();
    const r = runCli(["demo", "--html", html], { timeoutMs: 90_000 });
    const took = Date.now() - t0;
    expect(r.code, r.stderr).toBe(0);
    expect(took).toBeLessThan(90_000);
    // lockcontention holds a global mutex across a SHA-256 in main.(*registry).touch
    expect(r.stdout).toMatch(/#1 CRITICAL\s+mutex-contention/);
    expect(r.stdout).toMatch(/main\.\(\*registry\)\.touch/);
    expect(r.stderr).toMatch(/building testdata\/workloads\/faults\/lockcontention/);
    expect(readFileSync(html, "utf8")).toMatch(/<title>godiag: http:\/\/127\.0\.0\.1:\d+<\/title>/);
    // the workload was stopped: no process runs the demo binary any more
    const ps = spawnSync("pgrep", ["-f", "godiag-demo-.*/lockcontention"], { encoding: "utf8" });
    expect(ps.stdout.trim()).toBe("");
  });

  it("without Go: diagnoses the shipped capture and says so", () => {
    const html = join(dir, "nogo.html");
    const r = runCli(["demo", "--no-go", "--html", html]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/diagnosing the capture bundle shipped in .*testdata\/captures\/lockcontention/);
    expect(r.stdout).toMatch(/mutex-contention/);
    expect(existsSync(html)).toBe(true);
  });

  it("lists the workloads and rejects unknown ones", () => {
    const l = runCli(["demo", "--list"]);
    expect(l.stdout.split("\n")).toContain("lockcontention");
    const bad = runCli(["demo", "nosuchfault"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown workload "nosuchfault"/);
  });
});
