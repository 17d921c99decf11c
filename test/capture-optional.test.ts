// Capture knows what is optional, and what is not there at all. Real Go servers
// (testdata/workloads/badtarget): a service without expvar captures complete (exit 0,
// /debug/vars recorded as not offered, no failure, no warning); a catch-all handler's
// JSON or HTML is never read as expvar or as a pprof index; the application port of a
// service whose pprof is on another port is exit 2 with one line naming that port, for
// capture, diagnose <URL> and run --pprof, and run finds the other port by itself.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseManifest, type Manifest } from "../src/bundle/manifest.js";
import { noPprofMessage } from "../src/capture/nopprof.js";
import { procHexAddr } from "../src/capture/sources/proc.js";
import { buildWorkload, startLive, stopAll } from "./helpers/live.js";
import { CLI, runCli } from "./helpers/run.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-capopt-test-"));
let bin: string;

beforeAll(() => {
  bin = buildWorkload("badtarget");
}, 300_000);

afterAll(async () => {
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

/** Any mention of the expvar fetch in what a command prints. */
const VARS = /vars\.json|debug\/vars|expvar/;

const manifestOf = (dir: string): Manifest => parseManifest(readFileSync(join(dir, "manifest.json"), "utf8"));

/** A TCP port nothing listens on right now (for a workload's second listener). */
function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

function timed(args: string[], timeoutMs = 30_000) {
  const t0 = Date.now();
  const r = runCli(args, { timeoutMs });
  return { ...r, ms: Date.now() - t0 };
}

describe("/debug/vars is optional", () => {
  it("a service without expvar: complete bundle, exit 0, vars recorded as not offered, no failure and no warning", async () => {
    const live = await startLive(bin, ["-seconds", "60", "-novars"]);
    const dir = join(tmp, "without");
    const r = timed(["capture", live.url, "-o", dir, "--seconds", "1", "--interval", "1"]);
    await live.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`bundle: ${dir} (complete)`);
    // Not in the progress lines, the summary table or a warning.
    expect(r.stderr).not.toMatch(VARS);
    expect(r.stderr).not.toContain("FAILED");
    const m = manifestOf(dir);
    expect(m.notOffered).toEqual([{ kind: "expvar", source: `${live.url}/debug/vars`, reason: "HTTP 404" }]);
    expect(m.files.map((f) => f.kind)).not.toContain("expvar");
    expect(m.files.filter((f) => f.error !== undefined)).toEqual([]);
    expect(existsSync(join(dir, "vars.json"))).toBe(false);
    // The bundle reads back without a "listed but missing" note.
    const d = runCli(["diagnose", dir, "--json"]);
    expect(d.stderr).toBe("");
    expect(d.code === 0 || d.code === 1, d.stderr).toBe(true);
    expect(r.ms).toBeLessThan(8000);
  }, 60_000);

  it("a catch-all JSON handler answering /debug/vars is not read as expvar: not offered, saying what it got", async () => {
    const live = await startLive(bin, ["-seconds", "60", "-novars", "-catchall", "json"]);
    const dir = join(tmp, "catchall-json");
    const r = timed(["capture", live.url, "-o", dir, "--seconds", "1", "--interval", "0"]);
    await live.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(VARS);
    const m = manifestOf(dir);
    expect(m.notOffered).toHaveLength(1);
    expect(m.notOffered![0]!.kind).toBe("expvar");
    expect(m.notOffered![0]!.reason).toMatch(/^expected \/debug\/vars JSON \(expvar, with memstats\), got something else \("\{\\"status\\": \\"ok\\", \\"path\\": \\"\/debug\/vars\\"/);
    expect(existsSync(join(dir, "vars.json"))).toBe(false);
    // The profiles on the same mux are captured as usual.
    expect(m.files.filter((f) => f.error === undefined).map((f) => f.kind)).toEqual(expect.arrayContaining(["cpu", "heap", "goroutine-debug2"]));
  }, 60_000);

  it("a broken /debug/vars (HTTP 500) is still a per-file error: only 'not there' is not offered", async () => {
    const live = await startLive(bin, ["-seconds", "60", "-fail500", "vars"]);
    const dir = join(tmp, "vars500");
    const r = timed(["capture", live.url, "-o", dir, "--seconds", "0", "--only", "heap,vars"]);
    await live.stop();
    expect(r.code).toBe(4);
    const m = manifestOf(dir);
    expect(m.files.find((f) => f.path === "vars.json")?.error).toBe("HTTP 500: Could not enable CPU profiling: cpu profiling already in use");
    expect(m.notOffered).toBeUndefined();
  }, 60_000);

  it("an index that answers 404 while the profiles answer: the standard profiles are fetched, exit 0", async () => {
    const live = await startLive(bin, ["-seconds", "60", "-notfound", "index"]);
    const dir = join(tmp, "noindex");
    const r = timed(["capture", live.url, "-o", dir, "--seconds", "1", "--interval", "0"]);
    await live.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`no /debug/pprof/ index page at ${live.url} (HTTP 404), but the profiles answer: fetching the standard ones`);
    const kinds = manifestOf(dir).files.map((f) => f.kind);
    for (const k of ["cpu", "heap", "allocs", "block", "mutex", "goroutine", "threadcreate", "expvar"]) expect(kinds).toContain(k);
  }, 60_000);
});

describe("no /debug/pprof at the URL", () => {
  it("the application port (a JSON catch-all) of a service with pprof on another port: exit 2, one line naming that port", async () => {
    const [admin, extra] = [await freePort(), await freePort()];
    const live = await startLive(bin, ["-seconds", "60", "-catchall", "json", "-pprof-addr", `127.0.0.1:${admin}`, "-extra-addr", `127.0.0.1:${extra}`]);
    const dir = join(tmp, "app-port");
    const r = timed(["capture", live.url, "-o", dir, "--seconds", "5"]);
    const others = [admin, extra].sort((a, b) => a - b).map((p) => `127.0.0.1:${p}`).join(", ");
    const line =
      `no /debug/pprof at ${live.url} (HTTP 200 with JSON that is not the pprof index); this process (pid ${live.pid}) ` +
      `also listens on ${others}, and /debug/pprof answers at http://127.0.0.1:${admin} — try that`;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`godiag capture: ${line}\n`);
    expect(r.stdout).toBe("");
    expect(existsSync(dir)).toBe(false); // no bundle of nothing
    expect(r.ms).toBeLessThan(5000); // and no 5 s CPU window waited for

    const d = timed(["diagnose", live.url, "--seconds", "5"]);
    expect(d.code).toBe(2);
    expect(d.stderr).toBe(`godiag diagnose: ${line}\n`);
    expect(d.stdout).toBe(""); // never "no problem found"
    expect(d.ms).toBeLessThan(5000);

    // The port it names is the one to use.
    const ok = timed(["capture", `http://127.0.0.1:${admin}`, "-o", join(tmp, "admin-port"), "--seconds", "1", "--interval", "0"]);
    await live.stop();
    expect(ok.code, ok.stderr).toBe(0);
    expect(manifestOf(join(tmp, "admin-port")).files.map((f) => f.kind)).toContain("expvar");
  }, 60_000);

  it("a plain 404 on the application port: the same line, with HTTP 404", async () => {
    const admin = await freePort();
    const live = await startLive(bin, ["-seconds", "60", "-pprof-addr", `127.0.0.1:${admin}`]);
    const r = timed(["capture", live.url, "-o", join(tmp, "plain404"), "--seconds", "1"]);
    await live.stop();
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `godiag capture: no /debug/pprof at ${live.url} (HTTP 404); this process (pid ${live.pid}) also listens on 127.0.0.1:${admin}, ` +
        `and /debug/pprof answers at http://127.0.0.1:${admin} — try that\n`,
    );
  }, 60_000);

  it("an HTML catch-all and no pprof anywhere: exit 2, one line saying what the page was", async () => {
    const live = await startLive(bin, ["-seconds", "60", "-nopprof", "-catchall", "html"]);
    const r = timed(["capture", live.url, "-o", join(tmp, "html"), "--seconds", "1"]);
    const d = timed(["diagnose", live.url, "--seconds", "1"]);
    await live.stop();
    const line = `no /debug/pprof at ${live.url} (HTTP 200 with an HTML page that is not the pprof index); this process (pid ${live.pid}) listens on no other TCP port: does it import net/http/pprof?`;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`godiag capture: ${line}\n`);
    expect(d.code).toBe(2);
    expect(d.stderr).toBe(`godiag diagnose: ${line}\n`);
    expect(d.stdout).toBe("");
  }, 60_000);

  it("diagnose <URL> where every fetch fails: exit 2, never 'no problem found'", async () => {
    const live = await startLive(bin, ["-seconds", "60", "-fail500", "index,heap,allocs,block,mutex,goroutine,threadcreate,profile,vars"]);
    const d = timed(["diagnose", live.url, "--seconds", "1"]);
    await live.stop();
    expect(d.code).toBe(2);
    expect(d.stderr.trim().split("\n").at(-1)).toBe(`godiag diagnose: nothing captured from ${live.url}: every fetch failed`);
    expect(d.stdout).toBe("");
    expect(d.ms).toBeLessThan(10_000);
  }, 60_000);

  it("a target that is not local gets no /proc hint (no network needed to say so)", async () => {
    expect(await noPprofMessage("http://192.0.2.7:8080", "HTTP 404")).toBe("no /debug/pprof at http://192.0.2.7:8080 (HTTP 404): is net/http/pprof served on this port?");
  });

  it("/proc/net/tcp addresses: IPv4, IPv6, wildcards, IPv4-mapped", () => {
    expect(procHexAddr("0100007F")).toBe("127.0.0.1");
    expect(procHexAddr("00000000")).toBe("0.0.0.0");
    expect(procHexAddr("00000000000000000000000000000000")).toBe("::");
    expect(procHexAddr("00000000000000000000000001000000")).toBe("::1");
    expect(procHexAddr("0000000000000000FFFF00000100007F")).toBe("127.0.0.1");
    expect(procHexAddr("B80D0120000000000000000001000000")).toBe("2001:db8::1");
  });
});

describe("godiag run and pprof on a second port", () => {
  function godiagRun(args: string[]) {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [CLI, "run", ...args], { encoding: "utf8", timeout: 40_000 });
    return { code: r.status, stderr: r.stderr, ms: Date.now() - t0 };
  }

  it("finds /debug/pprof on the admin port by itself; no expvar is no failure", () => {
    const dir = join(tmp, "run-split");
    const r = godiagRun(["--seconds", "3", "-o", dir, "--", bin, "-catchall", "json", "-novars", "-pprof-addr", "127.0.0.1:0"]);
    expect(r.code, r.stderr).toBe(0);
    const m = manifestOf(dir);
    expect(m.files.filter((f) => f.error !== undefined)).toEqual([]);
    for (const k of ["cpu", "heap", "gctrace", "proc"]) expect(m.files.map((f) => f.kind)).toContain(k);
    expect(m.notOffered?.map((n) => [n.kind, n.reason])).toEqual([["expvar", "HTTP 404"]]);
    expect(r.stderr).not.toMatch(VARS);
  }, 60_000);

  it("--pprof naming the application port: the same line as capture, gctrace only, exit 4", async () => {
    const [app, admin] = [await freePort(), await freePort()];
    const dir = join(tmp, "run-wrong-port");
    const r = godiagRun(["--seconds", "3", "--pprof", `http://127.0.0.1:${app}`, "-o", dir, "--", bin, "-addr", `127.0.0.1:${app}`, "-pprof-addr", `127.0.0.1:${admin}`]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(
        `godiag capture: no /debug/pprof at http://127\\.0\\.0\\.1:${app} \\(HTTP 404\\); this process \\(pid \\d+\\) also listens on 127\\.0\\.0\\.1:${admin}, ` +
          `and /debug/pprof answers at http://127\\.0\\.0\\.1:${admin} — try that; collecting gctrace only\\n`,
      ),
    );
    expect(r.stderr).toContain(`FAILED: http://127.0.0.1:${app}/debug/pprof/: HTTP 404\n`);
    expect(r.stderr).toContain("(partial: 1 failure)");
    expect(manifestOf(dir).files.map((f) => f.kind)).toEqual(["gctrace"]);
    expect(r.ms).toBeLessThan(10_000);
  }, 60_000);
});
