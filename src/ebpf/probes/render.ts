// The probe report as text: one short section per probe, largest first.

import type { HistSummary } from "./hist.js";
import type { ProbeReport } from "./results.js";
import { OFFCPU_ONE_IN, OPT_IN_PROBES } from "./script.js";

const us = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}ms` : `${v}µs`);
const ms = (ns: number): string => `${(ns / 1e6).toFixed(1)}ms`;
const q = (h: HistSummary): string => (h.count === 0 ? "-" : `p50≤${us(h.p50)} p99≤${us(h.p99)} max≤${us(h.max)}`);

export function renderProbeText(r: ProbeReport): string {
  const out: string[] = [];
  const t = r.target;
  out.push(
    `eBPF probes: ${t.pid !== undefined ? `pid ${t.pid} ` : ""}${t.binary} (${t.goVersion}${t.stripped ? ", stripped" : ""}; offsets from ${t.offsetsFrom})`,
    `window: ${r.window.seconds.toFixed(1)} s, ended by ${r.window.endedBy}; ${r.bpftrace.attachedProbes} probes attached, ${r.bpftrace.lostEvents} events lost${r.bpftrace.lostStacks ? `, ${r.bpftrace.lostStacks} stacks lost` : ""}`,
  );
  for (const n of t.notes) out.push(`note: ${n}`);
  for (const e of r.bpftrace.errors.slice(0, 5)) out.push(`bpftrace: ${e}`);
  if (r.gopark) {
    out.push("", "gopark: wait reasons (parks, park -> running again)");
    for (const w of r.gopark.reasons.slice(0, 12)) out.push(`  ${w.name.padEnd(28)} ${String(w.parks).padStart(8)}  ${q(w.parkToRunUs)}  total ${ms(w.parkToRunNs)}`);
    out.push(`  runnable -> running (after runtime.ready): ${q(r.gopark.readyToRunUs)}`);
  }
  if (r.runq) {
    const c = r.runq.processCpuSeconds;
    out.push(
      "",
      `run queue: threads waited for a CPU ${ms(r.runq.totalNs)} in total, ${q(r.runq.latencyUs)}; ${r.runq.involuntarySwitches} involuntary / ${r.runq.voluntarySwitches} voluntary switches${c !== undefined ? `; process CPU ${c.toFixed(2)} s` : ""}`,
    );
  }
  if (r.syscalls) {
    const sampled = r.syscalls.timedOneIn !== undefined && r.syscalls.timedOneIn > 1;
    out.push("", `syscalls: by total time (count, latency, errors)${sampled ? `; 1 in ${r.syscalls.timedOneIn} calls timed (times and latencies estimated; ${r.syscalls.alwaysTimed.join(", ")} every call)` : ""}`);
    for (const s of r.syscalls.bySyscall.slice(0, 10)) {
      const errs = s.errors.map((e) => `errno ${e.errno} x${e.count}`).join(", ");
      out.push(`  ${s.name.padEnd(16)} ${String(s.count).padStart(8)}  ${ms(s.totalNs).padStart(10)}  ${q(s.latencyUs)}${errs ? `  [${errs}]` : ""}`);
    }
    const user = r.syscalls.slowStacks.slice(0, 5);
    if (user.length > 0) out.push(`  slow syscalls (>= ${us(r.syscalls.stackThresholdNs / 1000)}) by Go caller:`);
    // Each caller with the line of its call, when .gopclntab gave one ("main.saveOrder main.go:103").
    const named = (s: (typeof user)[number], i: number) => `${s.frames[i]}${s.lines?.[i] ? ` ${s.lines[i]!.slice(s.lines[i]!.lastIndexOf("/") + 1)}` : ""}`;
    for (const s of user) {
      const idx = s.frames.map((_, i) => i).filter((i) => !/^(runtime|syscall|internal)[./]/.test(s.frames[i]!));
      out.push(`    ${s.syscall} ${ms(s.totalNs)}: ${idx.slice(0, 3).map((i) => named(s, i)).join(" <- ") || s.frames[0]}`);
    }
  }
  if (r.cpu) out.push("", `cpu: ${r.cpu.onCpuSamples} on-CPU samples at 99 Hz; ${ms(r.cpu.offCpuNs)} off-CPU, estimated from 1 in ${OFFCPU_ONE_IN} sleeps (oncpu.pb.gz, offcpu.pb.gz with -o)`);
  if (r.netpoll) {
    const b = r.netpoll.blocking;
    const n = r.netpoll.nonBlocking;
    out.push("", `netpoll: ${b.calls} blocking calls (${q(b.durationUs)}, ${b.readyGoroutines} goroutines made ready); ${n.calls} non-blocking (${n.readyGoroutines} ready)`);
  }
  if (r.tcp) {
    const x = r.tcp;
    out.push(
      "",
      `tcp: ${x.established} established, ${x.closed} closed (lifetime p50≤${x.lifetimeMs.p50}ms); connect ${q(x.connectUs)}; retransmits SYN ${x.retransmits.synSent}, other ${x.retransmits.other}, SYN-ACK ${x.synackRetransmits}; resets in ${x.resetsReceived} out ${x.resetsSent}; listen overflows ${x.listenOverflows}, drops ${x.listenDrops}`,
    );
  }
  if (r.fds && r.fds.samples.length > 0) {
    const first = r.fds.samples[0]!;
    const last = r.fds.samples[r.fds.samples.length - 1]!;
    const kinds = Object.entries(last.byKind).map(([k, v]) => `${k} ${v}`).join(", ");
    out.push("", `fds: ${first.total} -> ${last.total} (${kinds})`);
  }
  for (const f of r.funcs ?? []) out.push(`func ${f.name}: ${f.latencyUs.count} calls, ${q(f.latencyUs)}, total ${ms(f.totalNs)}`);
  const off = OPT_IN_PROBES.filter((p) => p !== "funcs" && !r.probes.includes(p));
  if (off.length > 0) {
    out.push(
      "",
      `not run: ${off.join(", ")} (opt-in: syscalls taxes every process's system calls, gopark and netpoll are uprobes paid per park / per netpoll call; ` +
        `diagnose's fsync-per-request and slow-io need syscalls, waiting-on-goroutines gopark and netpoll: --probes ${[...r.probes, ...off].join(",")})`,
    );
  }
  return out.join("\n") + "\n";
}
