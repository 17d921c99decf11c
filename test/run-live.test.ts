// godiag run: a real Go program under GODEBUG=gctrace=1, captured while it
// runs, stopped cleanly; a program that ignores SIGTERM is killed after the
// grace period; nothing of either is left running afterwards.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseManifest, type Manifest } from "../src/bundle/manifest.js";
import { groupPids, mergeGodebug } from "../src/capture/run.js";
import { alive, buildWorkload } from "./helpers/live.js";
import { CLI } from "./helpers/run.js";
import { spawnSync } from "node:child_process";

const tmp = mkdtempSync(join(tmpdir(), "godiag-run-test-"));
let healthy: string;

beforeAll(() => {
  healthy = buildWorkload("faults/healthy");
}, 300_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const manifestOf = (dir: string): Manifest => parseManifest(readFileSync(join(dir, "manifest.json"), "utf8"));

function godiagRun(args: string[], env: Record<string, string> = {}) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, "run", ...args], { encoding: "utf8", timeout: 40_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal, ms: Date.now() - t0 };
}

describe("godiag run", () => {
  it("captures gctrace and the profiles of a Go service found by its port, then stops it with SIGTERM", () => {
    const dir = join(tmp, "healthy");
    // The user's own GODEBUG setting must survive the merge.
    const r = godiagRun(["--seconds", "3", "-o", dir, "--", healthy], { GODEBUG: "madvdontneed=1" });
    expect(r.code, r.stderr).toBe(0);
    const m = manifestOf(dir);
    expect(m.env!.GODEBUG).toBe("madvdontneed=1,gctrace=1");
    // healthy handles SIGTERM by shutting down and exiting 0.
    expect(m.env!.exit).toBe("code 0");
    const log = readFileSync(join(dir, "gctrace.log"), "utf8");
    // The runtime prints one "gc N @Ts P%: ..." line per GC with gctrace=1; the
    // healthy load allocates a few MB/s against a 4 MB heap goal: several GCs in 3 s.
    const gcs = log.split("\n").filter((l) => /^gc \d+ @\d+\.\d+s \d+%: /.test(l));
    expect(gcs.length).toBeGreaterThan(2);
    // ...and the same lines were teed to our stderr.
    expect(r.stderr).toContain(gcs[0]);
    const kinds = m.files.map((f) => f.kind);
    for (const k of ["cpu", "heap", "goroutine", "gctrace", "proc"]) expect(kinds).toContain(k);
    expect(m.files.filter((f) => f.error !== undefined)).toEqual([]);
    const proc = JSON.parse(readFileSync(join(dir, "proc.json"), "utf8"));
    expect(proc.goEnv.GODEBUG).toBe("madvdontneed=1,gctrace=1");
    expect(alive(proc.pid)).toBe(false);
    expect(r.ms).toBeLessThan(10_000);
  }, 60_000);

  it("finds the service behind a wrapper (as go run) and stops the whole process group", () => {
    const dir = join(tmp, "wrapped");
    const r = godiagRun(["--seconds", "3", "--only", "heap,proc", "-o", dir, "--", "bash", "-c", `"$0" & wait`, healthy]);
    expect(r.code, r.stderr).toBe(0);
    const m = manifestOf(dir);
    const proc = JSON.parse(readFileSync(join(dir, "proc.json"), "utf8"));
    expect(proc.exe).toBe(healthy); // the grandchild, not bash
    expect(alive(proc.pid)).toBe(false);
    expect(m.files.find((f) => f.kind === "heap")!.error).toBeUndefined();
  }, 60_000);

  it("kills a program that ignores SIGTERM after --grace, leaving no process behind", () => {
    const dir = join(tmp, "stubborn");
    // SIG_IGN is inherited across exec, so the sleeps ignore SIGTERM too.
    const r = godiagRun(["--seconds", "1", "--grace", "1", "-o", dir, "--", "bash", "-c", 'trap "" TERM; sleep 30 & sleep 30; wait']);
    expect(r.code, r.stderr).toBe(0);
    const m = manifestOf(dir);
    expect(m.env!.exit).toBe("signal SIGKILL (killed after the grace period)");
    expect(r.stderr).toContain("no /debug/pprof found");
    const pgid = Number(/^pid:(\d+)$/.exec(m.target)![1]);
    expect(groupPids(pgid)).toEqual([]);
    // 1 s run + 1 s grace, plus start-up: well under the 30 s the sleeps would take.
    expect(r.ms).toBeLessThan(6000);
    expect(r.ms).toBeGreaterThan(1900);
  }, 60_000);

  it("a command that cannot start is exit 2 with one line", () => {
    const r = godiagRun(["--seconds", "1", "-o", join(tmp, "nope"), "--", join(tmp, "no-such-program")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`godiag run: cannot start ${join(tmp, "no-such-program")}: ENOENT`);
  });

  it("mergeGodebug keeps the user's settings and their own gctrace", () => {
    expect(mergeGodebug(undefined)).toBe("gctrace=1");
    expect(mergeGodebug("http2debug=1")).toBe("http2debug=1,gctrace=1");
    expect(mergeGodebug("gctrace=2,x=1")).toBe("gctrace=2,x=1");
  });
});
