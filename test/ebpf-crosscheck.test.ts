// diagnose's eBPF cross-checks, end to end (capture --ebpf, then diagnose): each
// joins the probes with the goroutine dumps of the same capture, on a real Go
// program with the fault, and a healthy twin that must get neither finding.
// - slow-io: each request reads from a "device" process over a blocking socket that
//   answers after 10 ms: read(2) >= 5 ms from main.readRecord, and the dumps catch
//   its goroutines in "syscall". The twin answers at once (-iodelay 0).
// - waiting-on-goroutines: each request passes a token through 8 goroutines over
//   unbuffered channels under one mutex, no I/O: the dumps show main.stage waiting.
// - fd-leak: each request dials a backend and keeps the connection: sockets rise every
//   second, and the backend's readers (main.serveBackend) pile up in IO wait between
//   the dumps. The twin closes each connection (-closeconns).
// waiting-on-goroutines needs the opt-in gopark and netpoll probes (uprobes, not in the
// default set): the chain case and the I/O twin (which must not get it) pass --probes all.
// The captures run three at a time before the tests (each mostly waits: bpftrace's
// attach, the window), which keeps the file's time near one capture's per three.
// Needs root and bpftrace (skipped with the reason otherwise; CI has them).

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { available } from "./helpers/available.js";
import { buildSvc, ebpfMissing, startSvc, SVC_SRC, type Svc } from "./helpers/ebpf.js";
import { CLI, runCli } from "./helpers/run.js";

const missing = ebpfMissing();
const canRun = available(missing === undefined, `eBPF (${missing})`) && available(spawnSync("go", ["version"]).status === 0, "go");

interface Finding {
  category: string;
  title: string;
  functions: string[];
  evidence: { source: string; kind: string; numbers: Record<string, number> }[];
}

const started: Svc[] = [];
afterAll(async () => {
  for (const s of started) await s.stop();
});

/** The CLI, asynchronously (captures run side by side). */
function cliAsync(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TZ: "UTC" } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** capture --ebpf (--probes `probes` when given) for 3 s of svc in `args`, then diagnose: its findings. */
async function captureAndDiagnose(args: string[], probes?: string): Promise<Finding[]> {
  const s = await startSvc(buildSvc("1.26"), [...args, "-clients", "2", "-seconds", "120"]);
  started.push(s);
  const dir = join(mkdtempSync(join(tmpdir(), "godiag-ebpf-x-")), "bundle");
  const r = await cliAsync(["capture", `http://${s.addr}`, "--seconds", "3", "--ebpf", ...(probes ? ["--probes", probes] : []), "-q", "-o", dir], 150_000);
  await s.stop();
  // Exit 0 only: a probe run that failed is a partial bundle (4), and a twin without probe data would pass for nothing.
  if (r.code !== 0) throw new Error(`capture ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
  const d = runCli(["diagnose", dir, "--json"], { timeoutMs: 60_000 });
  const j = JSON.parse(d.stdout) as { findings: Finding[]; warnings: string[] };
  warnings.set(args.join(" "), j.warnings);
  return j.findings;
}

const CASES = {
  slowio: ["-mode", "slowio", "-iodelay", "10ms"],
  chain: ["-mode", "chain", "-stages", "8"],
  fdleak: ["-mode", "fdleak"],
  healthyIo: ["-mode", "slowio", "-iodelay", "0"],
  healthyConns: ["-mode", "fdleak", "-closeconns"],
} as const;
/** Cases that need opt-in probes: gopark and netpoll (the chain), syscalls (slow-io and its twin). */
const ALL_PROBES = new Set<keyof typeof CASES>(["chain", "slowio", "healthyIo"]);
const results = new Map<keyof typeof CASES, Finding[]>();
/** diagnose's warnings by the case's svc arguments */
const warnings = new Map<string, string[]>();

beforeAll(async () => {
  if (!canRun) return;
  spawnSync("sh", ["-c", "mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug"]);
  buildSvc("1.26");
  const names = Object.keys(CASES) as (keyof typeof CASES)[];
  let next = 0;
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      while (next < names.length) {
        const n = names[next++]!;
        results.set(n, await captureAndDiagnose([...CASES[n]], ALL_PROBES.has(n) ? "all" : undefined));
      }
    }),
  );
}, 400_000);

const sourcesOf = (f: Finding) => f.evidence.map((e) => e.source.split("/").at(-1)!);
const explain = (fs: Finding[]) => JSON.stringify(fs.map((f) => ({ c: f.category, fn: f.functions, n: f.evidence.map((e) => e.numbers) })));

describe.skipIf(!canRun)("eBPF joined with goroutine dumps", () => {
  it("reads from a device that answers in 10 ms: slow-io in main.readRecord, seen by eBPF and the dumps", () => {
    const fs = results.get("slowio")!;
    const f = fs.find((x) => x.category === "slow-io");
    expect(f, explain(fs)).toBeDefined();
    expect(f!.functions[0]).toBe("main.readRecord");
    // The user's line: readRecord's syscall.Read (inlined into it: the line is the call site's, from the inline tree).
    const src = readFileSync(join(SVC_SRC, "svc/main.go"), "utf8").split("\n");
    expect(f!.title).toContain(`main.readRecord (${join(SVC_SRC, "svc/main.go")}:${src.findIndex((l) => l.includes("syscall.Read(fd, b[:])")) + 1})`);
    // Two clients, each ~10 ms of every request in read(2): about 200 slow reads a second; at least one a second is the rule.
    expect(f!.evidence[0]!.numbers.slow_calls_per_second).toBeGreaterThan(20);
    expect(sourcesOf(f!)).toContain("ebpf.json");
    expect(sourcesOf(f!).some((s) => /^goroutine\.debug2\.\d\.txt$/.test(s))).toBe(true);
  });

  it("a token passed through 8 goroutines per request: waiting-on-goroutines in main.stage, seen by eBPF and the dumps", () => {
    const fs = results.get("chain")!;
    const f = fs.find((x) => x.category === "waiting-on-goroutines");
    expect(f, explain(fs)).toBeDefined();
    // 8 stage goroutines wait in each dump, 4 idle workers, 2 callers in main.passToken.
    expect(f!.functions[0]).toBe("main.stage");
    expect(f!.evidence[0]!.numbers.io_ready_per_park).toBeLessThan(0.05);
    expect(sourcesOf(f!).some((s) => /^goroutine\.debug2\.\d\.txt$/.test(s))).toBe(true);
  });

  it("connections dialed per request and never closed: fd-leak, the dumps naming main.serveBackend", () => {
    const fs = results.get("fdleak")!;
    const f = fs.find((x) => x.category === "fd-leak");
    expect(f, explain(fs)).toBeDefined();
    // Two clients, a request every ~50 ms each, two sockets per leaked connection: about 80 a second.
    expect(f!.evidence[0]!.numbers.socket_growth).toBeGreaterThan(20);
    expect(f!.functions[0]).toBe("main.serveBackend");
    expect(sourcesOf(f!).some((s) => /^goroutine\.debug2\.\d\.txt$/.test(s))).toBe(true);
  });

  it("the default probe set (no gopark, netpoll or syscalls): diagnose says which checks it skipped and which --probes they need", () => {
    const w = warnings.get(CASES.fdleak.join(" "))!;
    expect(w.filter((x) => /waiting-on-goroutines not checked: it needs the opt-in gopark and netpoll probes \(.*--probes .*gopark,netpoll/.test(x))).toHaveLength(1);
    expect(w.filter((x) => /fsync-per-request and slow-io not checked: they need the opt-in syscalls probe \(.*--probes [a-z,]*syscalls/.test(x))).toHaveLength(1);
    // With them (--probes all) there is no such warning.
    expect(warnings.get(CASES.chain.join(" "))!.filter((x) => x.includes("not checked"))).toEqual([]);
  });

  it("the healthy twins (a device that answers at once; connections closed): none of these findings", () => {
    const mine = new Set(["slow-io", "waiting-on-goroutines", "fd-leak"]);
    for (const n of ["healthyIo", "healthyConns"] as const) {
      const fs = results.get(n)!;
      expect(fs.filter((x) => mine.has(x.category)), `${n}: ${explain(fs)}`).toEqual([]);
    }
  });
});
