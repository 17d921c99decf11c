// fsync-per-request: the program forces its writes to disk many times a second
// (fsync/fdatasync from its own code). Each call waits for the device; done per
// request, it puts a disk flush in every request's latency. The CPU profile does
// not show it (the thread sleeps in the kernel), the block profile does not
// either (a syscall is not a Go block event): the eBPF syscall probe times every
// call and its user stack names the function.

import type { Finding } from "../finding.js";
import { secs, type Rule } from "../rule.js";
import { EBPF_ONLY, ebpfReports, userFrameAt } from "../ebpf-input.js";

const SYNC_CALLS = new Set(["fsync", "fdatasync", "sync_file_range", "msync"]);
/** Flushes per second from one function to call it a per-request pattern (a periodic flush is ~1/s). */
const MIN_PER_SECOND = 20;
/** Share of the window threads spent in flushes (all threads together) to call it critical. */
const CRITICAL_BUSY = 0.25;

export const ebpfFsyncRule: Rule = {
  name: "ebpf-fsync",
  run(ctx): Finding[] {
    const out: Finding[] = [];
    for (const { file, report } of ebpfReports(ctx)) {
      const s = report.syscalls;
      if (!s || report.window.seconds <= 0) continue;
      const byFn = new Map<string, { ns: number; syscall: string; frames: string[]; at: string }>();
      for (const st of s.slowStacks ?? []) {
        if (!SYNC_CALLS.has(st.syscall)) continue;
        const u = userFrameAt(st.frames, st.lines);
        if (!u) continue;
        const e = byFn.get(u.fn);
        if (e) e.ns += st.totalNs;
        else byFn.set(u.fn, { ns: st.totalNs, syscall: st.syscall, frames: st.frames, at: u.at });
      }
      for (const [fn, v] of byFn) {
        const calls = s.bySyscall.filter((x) => x.name === v.syscall).reduce((a, x) => a + x.count, 0);
        const perSecond = calls / report.window.seconds;
        if (perSecond < MIN_PER_SECOND) continue;
        const stat = s.bySyscall.find((x) => x.name === v.syscall)!;
        const busy = v.ns / 1e9 / report.window.seconds;
        out.push({
          id: `fsync-per-request:${fn}`,
          category: "fsync-per-request",
          severity: busy >= CRITICAL_BUSY ? "critical" : "warning",
          confidence: 0.8,
          // v.at: the function and the line of the call that flushes ("main.saveOrder (/src/main.go:98)").
          title: `${v.at} calls ${v.syscall} ${Math.round(perSecond)} times a second`,
          summary:
            `${v.at} forces its writes to disk with ${v.syscall} ${Math.round(perSecond)} times a second ` +
            `(p50 ≤ ${stat.latencyUs.p50} µs, p99 ≤ ${stat.latencyUs.p99} µs each; ${secs(v.ns)} in ${report.window.seconds.toFixed(1)} s): ` +
            `a disk flush inside every request's latency. ${EBPF_ONLY}: the thread sleeps in the kernel, so the CPU and block profiles do not show it.`,
          evidence: [
            {
              source: file.path,
              // The syscall probe times every flush (ALWAYS_TIMED_SYSCALLS), other calls 1 in N: these counts are exact.
              kind: `eBPF syscall probe (${EBPF_ONLY}${s.alwaysTimed?.includes(v.syscall) ? `; every ${v.syscall} timed, counts exact` : s.timedOneIn && s.timedOneIn > 1 ? `; counts estimated from 1 in ${s.timedOneIn} calls timed` : ""})`,
              numbers: {
                calls_per_second: Math.round(perSecond * 10) / 10,
                flush_ns: v.ns,
                p50_us: stat.latencyUs.p50,
                p99_us: stat.latencyUs.p99,
                window_seconds: report.window.seconds,
              },
              functions: [fn],
              excerpt: v.frames.slice(0, 8).map((f) => (f === fn ? v.at : f)).join("\n"),
            },
          ],
          functions: [fn],
          recommendation:
            `Do not flush per request in ${v.at}: batch (group commit: one ${v.syscall} for the writes of many requests, ` +
            `every few ms), or flush asynchronously and acknowledge durability separately, or rely on a write-ahead log ` +
            `that is synced once per batch.`,
          docs: ["https://man7.org/linux/man-pages/man2/fsync.2.html"],
          pattern: "fsync-per-request",
        });
      }
    }
    return out;
  },
};
