// cpu-starvation: the process's threads were runnable but waited for a CPU
// (run-queue latency from sched_wakeup/sched_switch) longer than the process
// ran, while it used little CPU: something else holds the cores (a neighbour,
// CFS throttling by a CPU quota, GOMAXPROCS above the quota). pprof samples only
// running threads, so the CPU profile looks idle; the execution trace shows the
// delay only as Go scheduler latency, not why.

import { totalValue } from "../../core/go/index.js";
import { sampleTypeIndex } from "../../core/model/index.js";
import type { DiagnoseContext } from "../context.js";
import type { Evidence, Finding } from "../finding.js";
import { secs, type Rule } from "../rule.js";
import { EBPF_ONLY, ebpfReports } from "../ebpf-input.js";

/**
 * Typical wake-up delay (median, µs; the probe's log2 histogram gives a bucket's upper
 * bound) below which threads found a CPU at once: with a free CPU the median bucket
 * measured here was <= 3 to <= 15 µs (loaded 2-core VM); behind a burning neighbour
 * <= 63 to <= 255 µs. Starvation itself is the next two conditions (waiting longer than
 * running, with little CPU used); the median only rules out the free-CPU case.
 */
const MIN_P50_US = 50;
/** Run-queue wait across threads, seconds per second of window. */
const MIN_WAIT_RATE = 0.2;
/** Process CPU below this share of the machine: it is not its own load that queues it. */
const LOW_CPU_SHARE = 0.5;

export const ebpfStarvationRule: Rule = {
  name: "ebpf-starvation",
  run(ctx): Finding[] {
    const out: Finding[] = [];
    for (const { file, report } of ebpfReports(ctx)) {
      const q = report.runq;
      const w = report.window.seconds;
      if (!q || w <= 0 || q.processCpuSeconds === undefined) continue;
      const waitS = q.totalNs / 1e9;
      const cpuShare = q.processCpuSeconds / w / Math.max(1, q.machineCpus);
      if (q.latencyUs.p50 < MIN_P50_US || waitS / w < MIN_WAIT_RATE || waitS <= q.processCpuSeconds || cpuShare >= LOW_CPU_SHARE) continue;
      out.push({
        id: "cpu-starvation:process",
        category: "cpu-starvation",
        severity: waitS >= 2 * q.processCpuSeconds ? "critical" : "warning",
        confidence: 0.7,
        title: `threads waited ${secs(q.totalNs)} for a CPU in ${w.toFixed(1)} s, while the process used only ${q.processCpuSeconds.toFixed(2)} s of CPU`,
        summary:
          `The process's threads were runnable but not running for ${secs(q.totalNs)} in ${w.toFixed(1)} s (wake-up to run p50 ≤ ${q.latencyUs.p50} µs, ` +
          `p99 ≤ ${q.latencyUs.p99} µs; ${q.involuntarySwitches} involuntary switches), more than the ${q.processCpuSeconds.toFixed(2)} s they ran: ` +
          `the CPUs were busy with something else. ${EBPF_ONLY}: pprof samples only running threads, so the CPU profile looks idle while latency rises.`,
        evidence: [
          {
            source: file.path,
            kind: `eBPF run-queue probe (${EBPF_ONLY})`,
            numbers: {
              runq_wait_ns: q.totalNs,
              runq_p50_us: q.latencyUs.p50,
              runq_p99_us: q.latencyUs.p99,
              process_cpu_seconds: q.processCpuSeconds,
              machine_cpus: q.machineCpus,
              involuntary_switches: q.involuntarySwitches,
              window_seconds: w,
            },
          },
          ...cpuProfileEvidence(ctx, q.machineCpus),
        ],
        functions: [],
        recommendation:
          "Find who holds the cores (top/pidstat on the host; a noisy neighbour pinned to the same CPUs), check CFS throttling " +
          "(cpu.stat nr_throttled in the container's cgroup) and set GOMAXPROCS to the CPU quota (Go 1.25+ does it by default); " +
          "give the service dedicated CPUs or a higher share.",
        docs: ["https://docs.kernel.org/scheduler/sched-design-CFS.html"],
      });
    }
    return out;
  },
};

/**
 * pprof's side of the cross-check: the CPU profile of the same capture (capture/run
 * --ebpf) shows how little the process ran. It cannot show the wait: a runnable thread
 * that waits for a CPU is not sampled, so the profile looks idle while latency rises.
 */
function cpuProfileEvidence(ctx: DiagnoseContext, cpus: number): Evidence[] {
  const cpu = ctx.profile("cpu");
  if (!cpu || cpu.seconds === undefined || cpu.seconds <= 0) return [];
  const i = sampleTypeIndex(cpu.profile, "cpu");
  if (i < 0) return [];
  const cpuSeconds = totalValue(cpu.profile, i) / 1e9;
  return [
    {
      source: cpu.file.path,
      kind: "cpu profile (pprof): the process looks idle; the wait is not in it",
      numbers: { cpu_seconds: Math.round(cpuSeconds * 1000) / 1000, profile_seconds: cpu.seconds, machine_share: Math.round((cpuSeconds / cpu.seconds / Math.max(1, cpus)) * 1000) / 1000 },
    },
  ];
}
