// diagnose's eBPF cross-checks, end to end (capture --ebpf, then diagnose): each
// joins the probes with the goroutine dumps of the same capture, on a real Go
// program with the fault, and a healthy twin that must get neither finding.
// - slow-io: each request reads from a "device" process over a blocking socket that
//   answers after 10 ms: read(2) >= 5 ms from main.readRecord, and the dumps catch
//   its goroutines in "syscall". The twin answers at once (-iodelay 0).
// - waiting-on-goroutines: each request passes a token through 8 goroutines over
//   unbuffered channels under one mutex, no I/O: the dumps show main.stage waiting.
// Needs root and bpftrace (skipped with the reason otherwise; CI has them).

import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { available } from "./helpers/available.js";
import { buildSvc, ebpfMissing, startSvc, type Svc } from "./helpers/ebpf.js";
import { runCli } from "./helpers/run.js";

const missing = ebpfMissing();
const canRun = available(missing === undefined, `eBPF (${missing})`) && available(spawnSync("go", ["version"]).status === 0, "go");

interface Finding {
  category: string;
  functions: string[];
  evidence: { source: string; kind: string; numbers: Record<string, number> }[];
}

const started: Svc[] = [];
beforeAll(() => {
  if (canRun) spawnSync("sh", ["-c", "mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug"]);
});
afterAll(async () => {
  for (const s of started) await s.stop();
});

/** capture --ebpf for 3 s of svc in `args`, then diagnose: its findings. */
async function captureAndDiagnose(args: string[]): Promise<Finding[]> {
  const s = await startSvc(buildSvc("1.26"), [...args, "-clients", "2", "-seconds", "90"]);
  started.push(s);
  const dir = join(mkdtempSync(join(tmpdir(), "godiag-ebpf-x-")), "bundle");
  const r = runCli(["capture", `http://${s.addr}`, "--seconds", "3", "--ebpf", "-q", "-o", dir], { timeoutMs: 120_000 });
  await s.stop();
  expect([0, 4], r.stderr).toContain(r.code);
  const d = runCli(["diagnose", dir, "--json"], { timeoutMs: 60_000 });
  return (JSON.parse(d.stdout) as { findings: Finding[] }).findings;
}

const sourcesOf = (f: Finding) => f.evidence.map((e) => e.source.split("/").at(-1)!);
const explain = (fs: Finding[]) => JSON.stringify(fs.map((f) => ({ c: f.category, fn: f.functions, n: f.evidence.map((e) => e.numbers) })));

describe.skipIf(!canRun)("eBPF joined with goroutine dumps", () => {
  it("reads from a device that answers in 10 ms: slow-io in main.readRecord, seen by eBPF and the dumps", async () => {
    const fs = await captureAndDiagnose(["-mode", "slowio", "-iodelay", "10ms"]);
    const f = fs.find((x) => x.category === "slow-io");
    expect(f, explain(fs)).toBeDefined();
    expect(f!.functions[0]).toBe("main.readRecord");
    // Two clients, each ~10 ms of every request in read(2): about 200 slow reads a second; at least one a second is the rule.
    expect(f!.evidence[0]!.numbers.slow_calls_per_second).toBeGreaterThan(20);
    expect(sourcesOf(f!)).toContain("ebpf.json");
    expect(sourcesOf(f!).some((s) => /^goroutine\.debug2\.\d\.txt$/.test(s))).toBe(true);
  }, 150_000);

  it("a token passed through 8 goroutines per request: waiting-on-goroutines in main.stage, seen by eBPF and the dumps", async () => {
    const fs = await captureAndDiagnose(["-mode", "chain", "-stages", "8"]);
    const f = fs.find((x) => x.category === "waiting-on-goroutines");
    expect(f, explain(fs)).toBeDefined();
    // 8 stage goroutines wait in each dump, 4 idle workers, 2 callers in main.passToken.
    expect(f!.functions[0]).toBe("main.stage");
    expect(f!.evidence[0]!.numbers.io_ready_per_park).toBeLessThan(0.05);
    expect(sourcesOf(f!).some((s) => /^goroutine\.debug2\.\d\.txt$/.test(s))).toBe(true);
  }, 150_000);

  it("the healthy twin (the device answers at once; requests over loopback HTTP): neither finding", async () => {
    const fs = await captureAndDiagnose(["-mode", "slowio", "-iodelay", "0"]);
    expect(fs.filter((x) => x.category === "slow-io" || x.category === "waiting-on-goroutines"), explain(fs)).toEqual([]);
  }, 150_000);
});
