// diagnose from eBPF, end to end through the CLI: faults only eBPF sees, in real
// Go programs, named by the finding (and the function, when there is one).
// Needs root and bpftrace (skipped with the reason otherwise; CI has them).

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { available } from "./helpers/available.js";
import { buildSvc, ebpfMissing, startSvc, SVC_SRC, type Svc } from "./helpers/ebpf.js";
import { runCli } from "./helpers/run.js";

const missing = ebpfMissing();
const canRun = available(missing === undefined, `eBPF (${missing})`) && available(spawnSync("go", ["version"]).status === 0, "go");

interface Json {
  findings: { category: string; title: string; functions: string[]; severity: string; evidence: { kind: string; numbers: Record<string, number> }[] }[];
}

/** The line of svc's source holding `text` (once). */
function sourceLine(text: string): number {
  const lines = readFileSync(join(SVC_SRC, "svc/main.go"), "utf8").split("\n");
  const at = lines.map((l, i) => (l.includes(text) ? i + 1 : 0)).filter((n) => n > 0);
  expect(at).toHaveLength(1);
  return at[0]!;
}

const started: Svc[] = [];
beforeAll(() => {
  if (canRun) spawnSync("sh", ["-c", "mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug"]);
});
afterAll(async () => {
  for (const s of started) await s.stop();
});

function diagnose(dir: string): Json {
  const r = runCli(["diagnose", dir, "--json"], { timeoutMs: 60_000 });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as Json;
}

describe.skipIf(!canRun)("diagnose from eBPF", () => {
  it("capture --ebpf of a handler that fsyncs per request: fsync-per-request naming main.saveOrder, seen only by eBPF", async () => {
    const s = await startSvc(buildSvc("1.26"), ["-mode", "fsync", "-clients", "2", "-seconds", "90"]);
    started.push(s);
    const dir = join(mkdtempSync(join(tmpdir(), "godiag-ebpf-")), "bundle");
    // syscalls is opt-in (it taxes every process's system calls): asked for, as a user would.
    const r = runCli(["capture", `http://${s.addr}`, "--seconds", "3", "--ebpf", "--probes", "runq,cpu,tcp,fds,syscalls", "-q", "-o", dir], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { files: { path: string; kind: string }[] };
    expect(manifest.files.map((f) => f.kind)).toEqual(expect.arrayContaining(["cpu", "ebpf", "ebpf-oncpu", "ebpf-offcpu", "ebpf-syscalls"]));
    const f = diagnose(dir).findings.find((x) => x.category === "fsync-per-request");
    expect(f).toBeDefined();
    expect(f!.functions[0]).toBe("main.saveOrder");
    // The user's line: saveOrder's call of (*os.File).Sync, as written in svc's source.
    expect(f!.title).toContain(`main.saveOrder (${join(SVC_SRC, "svc/main.go")}:${sourceLine("return orders.Sync()")})`);
    expect(f!.evidence[0]!.kind).toContain("seen only by eBPF");
  }, 180_000);

  it("probe -o of a listener with backlog 1 under bursts: accept-queue-overflow", async () => {
    const s = await startSvc(buildSvc("1.26"), ["-mode", "backlog", "-seconds", "60"]);
    started.push(s);
    const dir = join(mkdtempSync(join(tmpdir(), "godiag-ebpf-")), "probe");
    const r = runCli(["probe", "--pid", String(s.pid), "--seconds", "4", "--probes", "tcp,fds", "-o", dir], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const f = diagnose(dir).findings.find((x) => x.category === "accept-queue-overflow");
    expect(f).toBeDefined();
    expect(f!.evidence[0]!.numbers.listen_overflows).toBeGreaterThan(0);
    // The dials are the service's own: a dropped SYN is retransmitted after 1 s, so some connects take that long.
    expect(f!.evidence[0]!.numbers.connects_in_retransmit_steps).toBeGreaterThan(0);
    expect(f!.evidence[0]!.kind).toContain("seen only by eBPF");
  }, 180_000);

  it("capture --ebpf of a service starved by a CPU-burning neighbour: cpu-starvation, the CPU profile looking idle beside it", async () => {
    const bin = buildSvc("1.26");
    // As in ebpf-probes.test.ts: the service at idle priority, the neighbour burning its core.
    // CPU 1 (ebpf-probes.test.ts uses CPU 0): the two files may run at the same time.
    const target = spawn("chrt", ["--idle", "0", "taskset", "-c", "1", bin, "-mode", "idle", "-tickwork", "300000", "-seconds", "60"], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
    started.push({ child: target, pid: target.pid!, addr: "", output: () => "", stop: async () => void (target.exitCode === null && target.kill("SIGKILL")) });
    // Its /debug/pprof address, before the neighbour starts (a starved start-up takes long).
    const addr = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 10_000);
      target.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /listening (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    started.push(await startSvc(bin, ["-mode", "burn", "-seconds", "40"], { taskset: "1" }));
    const dir = join(mkdtempSync(join(tmpdir(), "godiag-ebpf-")), "capture");
    const r = runCli(["capture", `http://${addr}`, "--seconds", "3", "--only", "cpu,goroutine,proc", "--ebpf", "-q", "-o", dir], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const f = diagnose(dir).findings.find((x) => x.category === "cpu-starvation");
    expect(f).toBeDefined();
    const ebpf = f!.evidence[0]!;
    expect(ebpf.kind).toContain("seen only by eBPF");
    expect(ebpf.numbers.runq_wait_ns / 1e9).toBeGreaterThan(ebpf.numbers.process_cpu_seconds!);
    // pprof's side: the CPU profile of the same capture saw less CPU than the threads waited for one.
    const cpu = f!.evidence.find((e) => e.kind.startsWith("cpu profile"));
    expect(cpu).toBeDefined();
    expect(cpu!.numbers.cpu_seconds).toBeLessThan(ebpf.numbers.runq_wait_ns / 1e9);
  }, 180_000);
});

describe("probe without what it needs: one line, exit 2", () => {
  it("a bad --probes list", () => {
    const r = runCli(["probe", "--pid", "1", "--probes", "gopark,nosuch"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^godiag: --probes: unknown probe "nosuch".*\n$/);
  });
  it("neither --pid nor --binary", () => {
    const r = runCli(["probe"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
  it.skipIf(!canRun)("no bpftrace on PATH: says what to install", () => {
    const r = spawnSync(process.execPath, [join(process.cwd(), "dist/godiag.mjs"), "probe", "--pid", String(process.pid), "--seconds", "1"], {
      encoding: "utf8",
      env: { ...process.env, PATH: "/nonexistent" },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^godiag: bpftrace not found: install it \(Debian\/Ubuntu: apt-get install bpftrace\)\n$/);
  });
});
