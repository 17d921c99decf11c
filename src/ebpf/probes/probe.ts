// One probe run, end to end: check the machine, resolve the target (a PID, or
// every process running a binary), generate the program, sample /proc while
// bpftrace runs, and turn the output into a ProbeReport plus pprof profiles.

import { realpathSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { Profile } from "../../core/model/index.js";
import { readGoBinary } from "../binary/gobinary.js";
import { preflight, ProbeUnavailable } from "./preflight.js";
import { cpuSeconds, fdsByKind, listeningPorts, tcpExt, threadIds } from "./procfs.js";
import { funcsResult, goparkResult, netpollResult, runqResult, stackSamples, syscallResult, tcpResult, type ProbeReport } from "./results.js";
import { runBpftrace } from "./runner.js";
import { ALWAYS_TIMED_SYSCALLS, DEFAULT_PROBES, generateScript, OFFCPU_ONE_IN, SYSCALL_TIMED_ONE_IN, type ProbeName } from "./script.js";
import { syscallName } from "./syscalls.js";
import { stacksToProfile } from "./stacks.js";

export interface ProbeOptions {
  pid?: number;
  binary?: string;
  seconds: number;
  probes?: ProbeName[];
  /** Go functions to time (the "funcs" probe) */
  funcs?: string[];
  /** syscalls at least this long get their user stack (default 10 µs) */
  stackNs?: number;
  bpftrace?: string;
}

export interface ProbeOutput {
  report: ProbeReport;
  /** "oncpu", "offcpu", "syscalls" */
  profiles: { name: string; profile: Profile }[];
}

const MAX_SECONDS = 3600;

export async function runProbes(opts: ProbeOptions): Promise<ProbeOutput> {
  if (!(opts.seconds > 0 && opts.seconds <= MAX_SECONDS)) throw new ProbeUnavailable(`--seconds must be in (0, ${MAX_SECONDS}]`);
  preflight(opts.bpftrace);
  let path: string;
  let pid: number | undefined;
  if (opts.pid !== undefined) {
    pid = opts.pid;
    try {
      path = realpathSync(`/proc/${pid}/exe`);
    } catch {
      throw new ProbeUnavailable(`no process ${pid} (or it is not ours to trace): check the PID`);
    }
  } else if (opts.binary) {
    path = resolve(opts.binary);
  } else {
    throw new ProbeUnavailable("say which program: --pid PID or --binary PATH");
  }
  const bin = readGoBinary(path);
  let probes = opts.probes ?? DEFAULT_PROBES;
  const funcs = opts.funcs ?? [];
  if (funcs.length > 0 && !probes.includes("funcs")) probes = [...probes, "funcs"];
  if (probes.includes("funcs") && funcs.length === 0) throw new ProbeUnavailable("the funcs probe needs --func NAME (a Go function to time)");
  const stackNs = opts.stackNs ?? 10_000;
  const ports = pid !== undefined ? listeningPorts(pid) : [];
  const script = await generateScript(
    { bin, path, ...(pid !== undefined ? { pid } : { comm: basename(path) }), tids: pid !== undefined ? threadIds(pid) : [], ports, stackNs, funcs },
    probes,
  );
  // The window starts when bpftrace has attached (seconds, on a loaded machine): the
  // /proc counters are read from then on, so they cover the same time as the probes.
  let startUnixMs = Date.now();
  let netBefore = tcpExt(pid);
  let cpuBefore = pid !== undefined ? cpuSeconds(pid) : undefined;
  let cpuLast = cpuBefore;
  let netLast = netBefore;
  const onAttached = () => {
    startUnixMs = Date.now();
    netBefore = tcpExt(pid);
    netLast = netBefore;
    cpuBefore = pid !== undefined ? cpuSeconds(pid) : undefined;
    cpuLast = cpuBefore;
    fdSamples.length = 0;
    sample();
  };
  const fdSamples: NonNullable<ProbeReport["fds"]>["samples"] = [];
  const sample = () => {
    if (pid === undefined) return;
    const c = cpuSeconds(pid);
    if (c !== undefined) cpuLast = c;
    const n = tcpExt(pid);
    if (Object.keys(n).length > 0) netLast = n;
    if (probes.includes("fds")) {
      const byKind = fdsByKind(pid);
      if (byKind) fdSamples.push({ atMs: Date.now() - startUnixMs, total: Object.values(byKind).reduce((s, x) => s + x, 0), byKind });
    }
  };
  sample();
  const timer = setInterval(sample, 1000);
  let run;
  try {
    run = await runBpftrace({ script, seconds: opts.seconds, ...(pid !== undefined ? { targetPid: pid } : {}), targetPath: path, onAttached, ...(opts.bpftrace ? { bpftrace: opts.bpftrace } : {}) });
  } finally {
    clearInterval(timer);
  }
  sample();
  if (run.attachedProbes === 0) {
    throw new ProbeUnavailable(`bpftrace attached no probes: ${run.errors[0] ?? `exit code ${run.exitCode}`}`);
  }
  const report: ProbeReport = {
    target: {
      ...(pid !== undefined ? { pid } : {}),
      binary: path,
      goVersion: bin.goVersion,
      stripped: bin.stripped,
      offsetsFrom: bin.offsetsFrom,
      waitReasonsFrom: bin.waitReasonsFrom,
      notes: bin.notes,
    },
    window: { seconds: run.seconds, startUnixMs, ...(run.sync ? { syncMonoNs: run.sync.monoNs, syncWall: run.sync.wall } : {}), endedBy: run.endedBy },
    probes: [...probes],
    bpftrace: { attachedProbes: run.attachedProbes, lostEvents: run.lostEvents, lostStacks: run.lostStacks, errors: run.errors, removedUprobeEvents: run.removedUprobeEvents },
  };
  const profiles: ProbeOutput["profiles"] = [];
  const durationNanos = Math.round(run.seconds * 1e9);
  const timeNanos = BigInt(startUnixMs) * 1_000_000n;
  if (probes.includes("gopark")) report.gopark = goparkResult(run, bin);
  if (probes.includes("runq")) {
    report.runq = runqResult(run, cpuBefore !== undefined && cpuLast !== undefined ? Math.max(0, cpuLast - cpuBefore) : undefined);
  }
  if (probes.includes("syscalls")) {
    const s = syscallResult(run, bin, stackNs);
    report.syscalls = s.result;
    profiles.push({
      name: "syscalls",
      profile: stacksToProfile(bin, s.samples, {
        sampleTypes: [{ type: "syscall", unit: "nanoseconds" }],
        durationNanos,
        timeNanos,
        comment: `godiag probe: time in system calls of at least ${stackNs} ns, by user stack (label syscall); 1 in ${SYSCALL_TIMED_ONE_IN} calls timed, x ${SYSCALL_TIMED_ONE_IN} (${ALWAYS_TIMED_SYSCALLS.map(syscallName).join(", ")}: every call)`,
      }),
    });
  }
  if (probes.includes("cpu")) {
    const on = stackSamples(run.maps.get("@oncpu"), bin).map((s) => ({ ...s, values: [s.values[0]!, Math.round((s.values[0]! * 1e9) / 99)] }));
    const off = stackSamples(run.maps.get("@offcpu_ns"), bin);
    report.cpu = { onCpuSamples: on.reduce((s, x) => s + x.values[0]!, 0), offCpuNs: off.reduce((s, x) => s + x.values[0]!, 0) };
    profiles.push({
      name: "oncpu",
      profile: stacksToProfile(bin, on, {
        sampleTypes: [
          { type: "samples", unit: "count" },
          { type: "cpu", unit: "nanoseconds" },
        ],
        periodType: { type: "cpu", unit: "nanoseconds" },
        period: Math.round(1e9 / 99),
        durationNanos,
        timeNanos,
        comment: "godiag probe: on-CPU user stacks sampled by eBPF at 99 Hz",
      }),
    });
    profiles.push({
      name: "offcpu",
      profile: stacksToProfile(bin, off, {
        sampleTypes: [{ type: "offcpu", unit: "nanoseconds" }],
        durationNanos,
        timeNanos,
        comment: `godiag probe: time threads spent blocked (switched out, not runnable), by user stack; the stacks of 1 in ${OFFCPU_ONE_IN} sleeps, x ${OFFCPU_ONE_IN}`,
      }),
    });
  }
  if (probes.includes("netpoll")) report.netpoll = netpollResult(run);
  if (probes.includes("tcp")) {
    const d = (k: string) => Math.max(0, (netLast[k] ?? 0) - (netBefore[k] ?? 0));
    report.tcp = tcpResult(run, d("ListenOverflows"), d("ListenDrops"), ports);
  }
  if (probes.includes("fds")) report.fds = { samples: fdSamples };
  if (probes.includes("funcs")) report.funcs = funcsResult(run, funcs);
  return { report, profiles };
}

