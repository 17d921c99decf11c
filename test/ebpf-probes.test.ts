// Real bpftrace against real Go programs (testdata/ebpf/svc built with Go 1.26
// and 1.19, stripped and not): each fault is one only eBPF sees, and each
// assertion comes from what the program is known to do. Needs root, bpftrace
// and BTF: skipped with the reason when absent (CI has them: .ci/run).

import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProbes, uprobeEvents, type ProbeReport } from "../src/ebpf/index.js";
import { available } from "./helpers/available.js";
import { buildSvc, ebpfMissing, startSvc, type Svc } from "./helpers/ebpf.js";
import { CLI } from "./helpers/run.js";

const missing = ebpfMissing();
const canRun = available(missing === undefined, `eBPF (${missing})`) && available(spawnSync("go", ["version"]).status === 0, "go");
if (!canRun) console.warn(`eBPF probe tests skipped: ${missing}`);
const has119 = canRun && available(spawnSync("/usr/lib/go-1.19/bin/go", ["version"]).status === 0, "Debian golang-1.19-go");

const started: Svc[] = [];
async function svc(bin: string, args: string[], opts: { taskset?: string; nice?: number } = {}): Promise<Svc> {
  const s = await startSvc(bin, args, opts);
  started.push(s);
  return s;
}

beforeAll(() => {
  if (!canRun) return;
  // Tracepoints need tracefs (docs/EBPF.md); the CI script mounts it too.
  spawnSync("sh", ["-c", "mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug"]);
});
afterAll(async () => {
  for (const s of started) await s.stop();
});

/** bpftrace processes still running for this binary (none may be left behind). */
function bpftraceFor(path: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      if (cmd.startsWith("bpftrace") && cmd.includes(path)) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** perf event fds of a process (bpftrace holds one per attached probe). */
function perfEvents(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === "anon_inode:[perf_event]";
      } catch {
        return false;
      }
    }).length;
  } catch {
    return 0;
  }
}

const CRASH = /fatal error|unknown caller pc|SIGILL|SIGSEGV|SIGTRAP|panic:/;

describe.skipIf(!canRun)("eBPF probes on live Go programs", () => {
  for (const [go, stripped] of [["1.26", true], ["1.19", false]] as const) {
    it.skipIf(go === "1.19" && !has119)(`fsync per request (Go ${go}${stripped ? ", stripped" : ""}): fsync by syscall, named by its Go caller, timed by RET uprobes`, async () => {
      const bin = buildSvc(go, stripped);
      const s = await svc(bin, ["-mode", "fsync", "-clients", "2", "-seconds", "30"]);
      const { report, profiles } = await runProbes({ pid: s.pid, seconds: 4, probes: ["syscalls", "gopark", "cpu", "fds"], funcs: ["main.saveOrder"] });
      expect(report.target.stripped).toBe(stripped);
      expect(report.target.offsetsFrom).toBe(stripped ? "table" : "dwarf");
      expect(report.bpftrace.errors).toEqual([]);
      expect(report.window.syncMonoNs).toMatch(/^\d+$/);
      const fsync = report.syscalls!.bySyscall.find((x) => x.name === "fsync");
      expect(fsync?.count).toBeGreaterThan(20);
      // Every request fsyncs once inside main.saveOrder: the slow-syscall stacks name it.
      const fsyncStacks = report.syscalls!.slowStacks.filter((x) => x.syscall === "fsync");
      expect(fsyncStacks.length).toBeGreaterThan(0);
      expect(fsyncStacks.every((x) => x.frames.includes("main.saveOrder"))).toBe(true);
      // saveOrder's calls (entry + RET uprobes, keyed by g) match the fsyncs one for one,
      // but for calls cut by the window's edges.
      const calls = report.funcs![0]!.latencyUs.count;
      expect(Math.abs(calls - fsync!.count)).toBeLessThanOrEqual(10 + fsync!.count * 0.05);
      // An HTTP server parks its connection goroutines in netpoll: "IO wait", by its name.
      expect(report.gopark!.reasons.find((r) => r.name === "IO wait")?.parks).toBeGreaterThan(0);
      expect(report.gopark!.reasons.find((r) => r.name === "sync.Mutex.Lock" || r.name === "semacquire")).toBeDefined();
      // The profiles are real pprof: go tool pprof reads them and names main's functions.
      const off = profiles.find((p) => p.name === "syscalls")!;
      expect(off.profile.sampleTypes[0]!.type).toBe("syscall");
      expect(report.fds!.samples.length).toBeGreaterThanOrEqual(3);
      expect(report.fds!.samples.at(-1)!.byKind.file).toBeGreaterThanOrEqual(1); // the orders log
      expect(s.output()).not.toMatch(CRASH);
      expect(uprobeEvents().filter((l) => l.includes(bin))).toEqual([]);
    }, 60_000);
  }

  it("syscalls timed 1 in N: the estimated slow reads match main.readRecord's calls, counted exactly by its uprobes", async () => {
    // slowio mode: every request's main.readRecord does one read(2) that waits 10 ms for
    // the device process, so every such read lands in a bucket from 4096 µs and has a
    // stack. The syscall probe times 1 in timedOneIn calls (docs/EBPF.md, Overhead): its
    // estimate (timed x N) must match the exact count of readRecord calls (entry + RET
    // uprobes) within sampling error (~400 calls a second: a few %), not be N times off.
    const bin = buildSvc("1.26");
    const s = await svc(bin, ["-mode", "slowio", "-iodelay", "10ms", "-clients", "4", "-seconds", "30"]);
    const { report } = await runProbes({ pid: s.pid, seconds: 4, probes: ["syscalls"], funcs: ["main.readRecord"] });
    const sc = report.syscalls!;
    expect(sc.timedOneIn).toBeGreaterThan(1);
    const calls = report.funcs![0]!.latencyUs.count;
    expect(calls).toBeGreaterThan(200);
    const read = sc.bySyscall.find((x) => x.name === "read")!;
    const slowReads = read.latencyUs.buckets.filter((b) => b.min >= 4096).reduce((a, b) => a + b.count, 0);
    console.log(`sampled syscalls: readRecord calls ${calls}, slow reads estimated ${slowReads} (1 in ${sc.timedOneIn} timed)`);
    expect(slowReads).toBeGreaterThan(calls * 0.65);
    expect(slowReads).toBeLessThan(calls * 1.35);
    // Their time by stack, estimated the same way: ~10 ms a call, in main.readRecord.
    const inRecord = sc.slowStacks.filter((x) => x.syscall === "read" && x.frames.includes("main.readRecord")).reduce((a, x) => a + x.totalNs, 0);
    expect(inRecord / 1e6 / calls).toBeGreaterThan(6);
    expect(inRecord / 1e6 / calls).toBeLessThan(16);
    expect(s.output()).not.toMatch(CRASH);
  }, 60_000);

  it("on-CPU profile at 99 Hz: go tool pprof reads it and finds the program's hot function", async () => {
    const bin = buildSvc("1.26", true);
    const s = await svc(bin, ["-mode", "work", "-clients", "4", "-seconds", "30"]);
    const out = await runProbes({ pid: s.pid, seconds: 3, probes: ["cpu"] });
    const { writeProfileGz } = await import("../src/core/codec/index.js");
    const { writeFileSync, mkdirSync } = await import("node:fs");
    mkdirSync("test-output/ebpf", { recursive: true });
    writeFileSync("test-output/ebpf/oncpu.pb.gz", writeProfileGz(out.profiles.find((p) => p.name === "oncpu")!.profile));
    const top = spawnSync("go", ["tool", "pprof", "-top", "-nodecount=200", "test-output/ebpf/oncpu.pb.gz"], { encoding: "utf8" });
    expect(top.status).toBe(0);
    // svc's workers spin in main.spin: the hottest user function of work mode.
    expect(top.stdout).toMatch(/main\.spin/);
    expect(out.report.cpu!.onCpuSamples).toBeGreaterThan(10);
  }, 60_000);

  it("a CPU-burning neighbour on the same core: the service waits for the CPU longer than it runs, and uses little", async () => {
    // The service runs at idle priority (SCHED_IDLE) on CPU 0: any neighbour there comes
    // first, whatever the scheduler's wake-up preferences (a plain nice-0 neighbour
    // did not starve it reliably). The neighbour burns CPU 0.
    const bin = buildSvc("1.26");
    const target = spawn("chrt", ["--idle", "0", "taskset", "-c", "0", bin, "-mode", "idle", "-tickwork", "300000", "-seconds", "40"], { detached: true, stdio: "ignore" });
    started.push({ child: target, pid: target.pid!, addr: "", output: () => "", stop: async () => void (target.exitCode === null && target.kill("SIGKILL")) });
    await svc(bin, ["-mode", "burn", "-seconds", "30"], { taskset: "0" });
    await new Promise((r) => setTimeout(r, 500));
    const { report } = await runProbes({ pid: target.pid!, seconds: 3, probes: ["runq"] });
    const l = report.runq!;
    console.log(`starved: runq p50<=${l.latencyUs.p50}us wait ${l.totalNs / 1e9}s cpu ${l.processCpuSeconds}s`);
    // A wake-up waits for (part of) the neighbour's time slice, where a thread with a free
    // CPU runs within a few µs (the control below: median bucket <= 3 to <= 15 µs here).
    // Behind the neighbour the median bucket was <= 63 to <= 255 µs: above the rule's 50.
    expect(l.latencyUs.p50).toBeGreaterThanOrEqual(50);
    // Its threads waited for a CPU longer than the process ran, and it ran little:
    // starvation, not a busy service.
    expect(l.totalNs / 1e9).toBeGreaterThan(l.processCpuSeconds!);
    expect(l.processCpuSeconds!).toBeLessThan(0.5 * report.window.seconds);
  }, 60_000);

  it("control: the same service at normal priority, no neighbour placed: wake-ups run within µs", async () => {
    const s = await svc(buildSvc("1.26"), ["-mode", "idle", "-tickwork", "300000", "-seconds", "30"]);
    const { report } = await runProbes({ pid: s.pid, seconds: 3, probes: ["runq"] });
    console.log(`control: runq p50<=${report.runq!.latencyUs.p50}us`);
    expect(report.runq!.latencyUs.p50).toBeLessThan(50); // under the rule's floor (ebpf-starvation.ts)
  }, 60_000);

  it("a listen backlog of 1 under bursts: accept-queue overflows and SYN retransmits", async () => {
    const bin = buildSvc("1.26");
    const s = await svc(bin, ["-mode", "backlog", "-seconds", "30"]);
    const { report } = await runProbes({ pid: s.pid, seconds: 4, probes: ["tcp"] });
    const t = report.tcp!;
    expect(t.listenPorts).toEqual([Number(s.addr.split(":")[1])]);
    expect(t.listenOverflows).toBeGreaterThan(0);
    expect(t.retransmits.synSent + t.synackRetransmits).toBeGreaterThan(0);
    expect(t.established).toBeGreaterThan(0);
  }, 60_000);

  it("cleanup: SIGTERM to godiag probe stops bpftrace, prints the report, leaves no uprobe_events", async () => {
    const bin = buildSvc("1.26", true);
    const s = await svc(bin, ["-mode", "work", "-clients", "2", "-seconds", "40"]);
    const child = spawn(process.execPath, [CLI, "probe", "--pid", String(s.pid), "--seconds", "30", "--json", "--func", "main.handleWork"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    // Wait for bpftrace to attach (its perf events appear among its fds), then interrupt.
    for (let i = 0; i < 600 && perfEvents(bpftraceFor(bin)[0]) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(bpftraceFor(bin).length).toBe(1);
    await new Promise((r) => setTimeout(r, 4000));
    const t0 = Date.now();
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(err).toBe("");
    expect(code).toBe(130);
    const report = JSON.parse(out) as ProbeReport;
    expect(report.window.endedBy).toBe("signal");
    expect(report.funcs![0]!.latencyUs.count).toBeGreaterThan(0);
    expect(bpftraceFor(bin)).toEqual([]);
    expect(uprobeEvents().filter((l) => l.includes(bin))).toEqual([]);
    expect(s.output()).not.toMatch(CRASH);
  }, 60_000);

  it("cleanup: the target exiting ends the run early, with its data", async () => {
    const bin = buildSvc(has119 ? "1.19" : "1.26", true);
    // 10 s: attaching takes seconds on a loaded machine; the target must outlive it.
    const s = await svc(bin, ["-mode", "work", "-clients", "2", "-seconds", "10"]);
    const t0 = Date.now();
    const { report } = await runProbes({ pid: s.pid, seconds: 60, probes: ["gopark", "netpoll"] });
    expect(report.window.endedBy).toBe("target-exit");
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(report.gopark!.reasons.length).toBeGreaterThan(0);
    expect(report.netpoll!.blocking.calls + report.netpoll!.nonBlocking.calls).toBeGreaterThan(0);
    expect(bpftraceFor(bin)).toEqual([]);
    expect(uprobeEvents().filter((l) => l.includes(bin))).toEqual([]);
  }, 60_000);

  // The 60 s: GODIAG_EBPF_SAFETY_SECONDS=60 npx vitest run test/ebpf-probes.test.ts
  const SAFETY = Number(process.env.GODIAG_EBPF_SAFETY_SECONDS ?? 20);
  it(`safety: a loaded service survives ${SAFETY} s of every probe at once, RET uprobes on goroutine stacks included`, async () => {
    const bin = buildSvc("1.26");
    const s = await svc(bin, ["-mode", "work", "-clients", "4", "-seconds", String(SAFETY + 30)]);
    const { report } = await runProbes({
      pid: s.pid,
      seconds: SAFETY,
      probes: ["gopark", "runq", "syscalls", "cpu", "netpoll", "tcp", "fds"],
      // spin and handleWork run on goroutine stacks that grow and move: uretprobes would crash them.
      funcs: ["main.spin", "main.handleWork", "net/http.(*conn).serve"],
    });
    expect(report.window.endedBy).toBe("time");
    expect(report.bpftrace.errors).toEqual([]);
    expect(report.funcs!.find((f) => f.name === "main.spin")!.latencyUs.count).toBeGreaterThan(100);
    expect(s.child.exitCode).toBeNull();
    process.kill(s.pid, 0); // still alive
    expect(s.output()).not.toMatch(CRASH);
    expect(uprobeEvents().filter((l) => l.includes(bin))).toEqual([]);
    expect(bpftraceFor(bin)).toEqual([]);
  }, (SAFETY + 60) * 1000);
});
