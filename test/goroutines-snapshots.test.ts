// Goroutine snapshots without states (docs/DIAGNOSE.md, "Goroutine snapshots without
// states"): what users save with `curl .../debug/pprof/goroutine?debug=1` or
// `go tool pprof .../debug/pprof/goroutine` (a goroutine profile), twice a few seconds
// apart, with no debug=2 dump. Real fault workloads (testdata/workloads/faults/) run
// live with their own load; expected findings come from what each program does:
//   leakserver    main.notifyAudit sends on an unbuffered channel after its caller gave
//                 up: the goroutines it leaks grow -> goroutine-leak naming notifyAudit
//   backpressure  handlers block in main.enqueueJob on a full job queue ->
//                 channel-backpressure naming enqueueJob (a goroutine profile names the
//                 send; debug=1 text does not print the runtime frame that says it)
//   healthy       nothing above info

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose, openBundle } from "../src/api/diagnose.js";
import { DEFAULT_LIMITS } from "../src/api/errors.js";
import { ROOT } from "./helpers/run.js";
import { available } from "./helpers/available.js";

const dir = mkdtempSync(join(tmpdir(), "godiag-gsnap-"));
const ENV = { ...process.env, GOWORK: "off", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" };
const PROGRAMS = ["leakserver", "backpressure", "healthy"] as const;
const bins = new Map<string, string>();
const GO119 = "/usr/lib/go-1.19/bin/go";
const TOOLCHAINS: Array<[string, string]> = [["go1.26", "go"]];
if (available(existsSync(GO119), "Go 1.19 at " + GO119)) TOOLCHAINS.push(["go1.19", GO119]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = async (d: string) => diagnose(await openBundle([d], { ...DEFAULT_LIMITS, maxFiles: 100 }));
const top = (r: Awaited<ReturnType<typeof run>>) => r.findings.find((f) => f.severity !== "info");

/** Start a fault workload in live mode (it drives its own load); resolves with its base URL. */
function start(bin: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(bin, [], { stdio: ["ignore", "pipe", "ignore"], env: ENV });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${bin} printed no URL`)), 15_000);
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited (${code}) before serving`));
    });
  });
}

async function get(url: string, file: string): Promise<void> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  writeFileSync(file, Buffer.from(await r.arrayBuffer()));
}

/** Two snapshots of one kind, 4 s apart, as curl would save them (loose names, no manifest). */
async function snapshots(program: string, debug1: boolean | "mixed", go = "go1.26"): Promise<string> {
  const out = join(dir, `${program}-${go}-${debug1 === "mixed" ? "mixed" : debug1 ? "debug1" : "proto"}`);
  mkdirSync(out, { recursive: true });
  const s = await start(bins.get(`${program}-${go}`)!);
  try {
    await sleep(1500);
    // mixed: a debug=1 text first, a goroutine profile 4 s later
    const text = (n: number) => debug1 === true || (debug1 === "mixed" && n === 1);
    const name = (n: number) => (text(n) ? `goroutine-${n}.txt` : `pprof.${program}.goroutine.00${n}.pb.gz`);
    await get(`${s.url}/debug/pprof/goroutine${text(1) ? "?debug=1" : ""}`, join(out, name(1)));
    await sleep(4000);
    await get(`${s.url}/debug/pprof/goroutine${text(2) ? "?debug=1" : ""}`, join(out, name(2)));
  } finally {
    s.child.kill("SIGKILL");
  }
  return out;
}

beforeAll(() => {
  for (const [go, goBin] of TOOLCHAINS) {
    for (const p of PROGRAMS) {
      if (go !== "go1.26" && p === "backpressure") continue;
      const bin = join(dir, `${p}-${go}`);
      const r = spawnSync(goBin, ["build", "-o", bin, `./faults/${p}`], { cwd: join(ROOT, "testdata/workloads"), env: ENV, encoding: "utf8", timeout: 180_000 });
      if (r.status !== 0) throw new Error(`${go} build ${p}: ${r.stderr}`);
      bins.set(`${p}-${go}`, bin);
    }
  }
}, 400_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("goroutine?debug=1 and goroutine profiles, twice, no debug=2 dump", () => {
  for (const debug1 of [true, false]) {
    const form = debug1 ? "goroutine?debug=1" : "goroutine profile";
    it(`${form}: leakserver's growing leak is named in main.notifyAudit`, async () => {
      const r = await run(await snapshots("leakserver", debug1));
      const t = top(r);
      expect(t?.category).toBe("goroutine-leak");
      expect(t?.functions[0]).toBe("main.notifyAudit");
      // growth between the two snapshots, both files as sources
      expect(t?.evidence.some((e) => (e.numbers["growth"] ?? 0) >= 5)).toBe(true);
      expect(new Set(t?.evidence.map((e) => e.source)).size).toBe(2);
    }, 60_000);

    it(`${form}: the healthy control stays clean`, async () => {
      const r = await run(await snapshots("healthy", debug1));
      expect(top(r)).toBeUndefined();
    }, 60_000);
  }

  it("a goroutine?debug=1 text, then a goroutine profile 4 s later: leakserver's leak grows in main.notifyAudit; healthy clean", async () => {
    const leak = top(await run(await snapshots("leakserver", "mixed")));
    expect(leak?.category).toBe("goroutine-leak");
    expect(leak?.functions[0]).toBe("main.notifyAudit");
    expect(leak?.evidence.some((e) => (e.numbers["growth"] ?? 0) >= 5)).toBe(true);
    expect(top(await run(await snapshots("healthy", "mixed")))).toBeUndefined();
  }, 90_000);

  // Go 1.19 prints debug=1 the same way (runtime frames above the first other one hidden).
  for (const [go] of TOOLCHAINS.slice(1)) {
    it(`${go}, goroutine?debug=1: leakserver's leak in main.notifyAudit; healthy clean`, async () => {
      const leak = top(await run(await snapshots("leakserver", true, go)));
      expect(leak?.category).toBe("goroutine-leak");
      expect(leak?.functions[0]).toBe("main.notifyAudit");
      expect(top(await run(await snapshots("healthy", true, go)))).toBeUndefined();
    }, 90_000);
  }

  it("goroutine profile: backpressure's handlers blocked sending in main.enqueueJob", async () => {
    const r = await run(await snapshots("backpressure", false));
    const f = r.findings.find((x) => x.category === "channel-backpressure");
    expect(f?.functions[0]).toBe("main.enqueueJob");
    expect(top(r)?.category).toBe("channel-backpressure");
  }, 60_000);
});
