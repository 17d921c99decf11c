// A misbehaving or absent target never hangs godiag capture: each broken
// endpoint becomes a per-file error in a still-valid partial bundle (exit 4),
// nothing listening is exit 2, and every run finishes within the time the
// flags promise. The target is testdata/workloads/badtarget, a real net/http
// server whose flags pick which endpoint hangs, fails, serves HTML or closes.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseManifest, type Manifest } from "../src/bundle/manifest.js";
import { buildWorkload, startLive, stopAll } from "./helpers/live.js";
import { runCli } from "./helpers/run.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-capfail-test-"));
let bin: string;

beforeAll(() => {
  bin = buildWorkload("badtarget");
}, 300_000);

afterAll(async () => {
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

const manifestOf = (dir: string): Manifest => parseManifest(readFileSync(join(dir, "manifest.json"), "utf8"));
const errorOf = (m: Manifest, path: string) => m.files.find((f) => f.path === path)?.error;

async function captureFrom(name: string, targetArgs: string[], captureArgs: string[]) {
  const live = await startLive(bin, ["-seconds", "60", ...targetArgs]);
  const dir = join(tmp, name);
  const t0 = Date.now();
  const r = runCli(["capture", live.url, "-o", dir, ...captureArgs], { timeoutMs: 40_000 });
  const ms = Date.now() - t0;
  await live.stop();
  return { r, ms, dir, url: live.url };
}

describe("per-endpoint faults", () => {
  it("hang, 500, HTML and a closed socket: seven per-file errors, the rest intact, exit 4, bounded time", async () => {
    const { r, ms, dir } = await captureFrom(
      "mixed",
      ["-hang", "heap", "-fail500", "block", "-html", "mutex", "-close", "threadcreate"],
      ["--seconds", "1", "--interval", "1", "--timeout", "1", "--retries", "1"],
    );
    expect(r.signal).toBeNull();
    expect(r.code).toBe(4);
    const m = manifestOf(dir);
    expect(errorOf(m, "heap.pb.gz")).toBe("timed out after 1000 ms");
    // -hang heap hangs the path, so heap?debug=1 (MemStats) too.
    expect(errorOf(m, "heap.debug1.txt")).toBe("timed out after 1000 ms");
    expect(errorOf(m, "block.pb.gz")).toBe("HTTP 500: Could not enable CPU profiling: cpu profiling already in use");
    expect(errorOf(m, "mutex.pb.gz")).toMatch(/^expected a pprof profile, got an HTML page \("<!DOCTYPE html>/);
    // The block/mutex delta profiles over the CPU window hit the same broken paths.
    expect(errorOf(m, "block.delta.pb.gz")).toBe("HTTP 500: Could not enable CPU profiling: cpu profiling already in use");
    expect(errorOf(m, "mutex.delta.pb.gz")).toMatch(/^expected a pprof profile, got an HTML page \("<!DOCTYPE html>/);
    // A closed connection is transient: retried once (--retries 1), then reported.
    expect(errorOf(m, "threadcreate.pb.gz")).toBe("connection closed by the server (after 2 attempts)");
    const ok = m.files.filter((f) => f.error === undefined).map((f) => f.path).sort();
    expect(ok).toEqual(
      ["allocs.pb.gz", "cpu.pb.gz", "goroutine.debug1.txt", "goroutine.debug2.1.txt", "goroutine.debug2.2.txt", "goroutine.pb.gz", "proc.json", "vars.json"],
    );
    for (const f of ["heap.pb.gz", "block.pb.gz", "mutex.pb.gz", "threadcreate.pb.gz"]) {
      expect(r.stderr).toMatch(new RegExp(`${f.replace(".", "\\.")}\\s.*FAILED: `));
    }
    expect(r.stderr).toContain("(partial: 7 failures)");
    // Bound: snapshots need at most one 1 s timeout per round (3 in flight) + a 250 ms
    // backoff, then the 1 s CPU profile; 8 s leaves room for Node start-up on a busy machine.
    expect(ms).toBeLessThan(8000);
  }, 60_000);

  it("a hung index page: reported, then the standard profiles are fetched anyway", async () => {
    const { r, dir, url } = await captureFrom("hungindex", ["-hang", "index"], ["--seconds", "1", "--interval", "1", "--timeout", "1"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`FAILED: ${url}/debug/pprof/: timed out after 1000 ms`);
    const m = manifestOf(dir);
    expect(m.files.filter((f) => f.error !== undefined)).toEqual([]);
    expect(m.files.map((f) => f.kind)).toContain("cpu");
    expect(m.files.map((f) => f.kind)).toContain("heap");
  }, 60_000);

  it("a service where everything hangs still finishes within the stated bound", async () => {
    const all = "index,heap,allocs,block,mutex,goroutine,threadcreate,profile,vars";
    const { r, ms, dir } = await captureFrom("allhang", ["-hang", all], ["--seconds", "1", "--interval", "1", "--timeout", "1"]);
    expect(r.code).toBe(4);
    const m = manifestOf(dir);
    const failed = m.files.filter((f) => f.error !== undefined).map((f) => f.path);
    expect(failed.length).toBe(m.files.length - 1); // all but proc.json
    expect(errorOf(m, "cpu.pb.gz")).toBe("timed out after 6000 ms"); // 1 s + max(--timeout, 5 s) slack
    // index 1 s + ceil(9 snapshots / 3) x 1 s + CPU 6 s = 10 s, plus start-up.
    expect(ms).toBeLessThan(14_000);
    expect(ms).toBeGreaterThan(9_000);
  }, 60_000);
});

describe("nothing listening", () => {
  it("exits 2 quickly and still writes a manifest saying why", async () => {
    const port = await new Promise<number>((res) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
    });
    const dir = join(tmp, "down");
    const t0 = Date.now();
    const r = runCli(["capture", `http://127.0.0.1:${port}`, "-o", dir, "--seconds", "1", "--retries", "1"], { timeoutMs: 20_000 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.code).toBe(2);
    const m = manifestOf(dir);
    expect(m.files.length).toBeGreaterThan(5);
    for (const f of m.files) expect(f.error).toBe("not fetched: " + `http://127.0.0.1:${port}/debug/pprof/: connection refused (is the service running?) (after 2 attempts)`);
  });

  it("bad usage exits 2 with one line", () => {
    const r = runCli(["capture", "ftp://x", "-o", join(tmp, "x")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('godiag capture: target URL must be http(s): "ftp://x"');
    const r2 = runCli(["capture", "http://127.0.0.1:1", "--only", "cpu,bogus"]);
    expect(r2.code).toBe(2);
    expect(r2.stderr.trim().split("\n")).toHaveLength(1);
    expect(r2.stderr).toContain('unknown profile "bogus" in --only');
  });
});
