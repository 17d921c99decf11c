// slow-io: read/write system calls that take milliseconds, again and again, from
// one user function. In Go, sockets are non-blocking (a read that would wait
// returns EAGAIN and the goroutine parks in the netpoller) and file I/O usually
// hits the page cache (µs), so a read or write that stays in the kernel for
// milliseconds waits for what is below the process: a disk that seeks, a network
// filesystem, a blocking fd whose other end is slow. The CPU profile does not see
// it (the thread sleeps), nor the block profile (a syscall is no Go block event);
// the eBPF syscall probe times each call and names the caller; goroutine dumps,
// when the bundle has them, show the same function's goroutines in "syscall".

import type { Finding, Evidence } from "../finding.js";
import { secs, type Rule } from "../rule.js";
import { dumpWaits, EBPF_ONLY, ebpfReports, userFrameAt, waitsIn } from "../ebpf-input.js";

/** Data-transfer calls (fsync & co. have their own rule, ebpf-fsync.ts). */
const IO_CALLS = new Set(["read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev", "preadv2", "pwritev2", "recvfrom", "sendto", "recvmsg", "sendmsg", "sendfile", "copy_file_range", "splice"]);
/**
 * "Slow": at least 5 ms, an order of magnitude above a local SSD access (~0.1 ms) or a
 * page-cache hit (µs), the time of a disk seek or a distant network round trip. The
 * probe's histograms are log2 in µs: the first bucket that can hold 5 ms starts at
 * 4096 µs, so calls are counted from there ("about 5 ms": log2 buckets cannot part 4 from 5).
 */
const SLOW_US = 4096;
/** A pattern, not a one-off stall: slow calls at least once a second over the window. */
const MIN_PER_SECOND = 1;
/**
 * ...and the calls' P99 or worse: at least 1 % of the read/write calls are slow. A busy
 * service on an overloaded machine has a tail of reads that waited for a starved peer;
 * a slow device makes the calls slow as a rule, not as a rare tail.
 */
const MIN_SLOW_SHARE = 0.01;
/** Critical when slow calls keep threads busy a quarter of the window (as ebpf-fsync.ts). */
const CRITICAL_BUSY = 0.25;

export const ebpfSlowIoRule: Rule = {
  name: "ebpf-slow-io",
  run(ctx): Finding[] {
    const out: Finding[] = [];
    for (const { file, report } of ebpfReports(ctx)) {
      const s = report.syscalls;
      const w = report.window.seconds;
      if (!s) {
        // Said once for both syscall rules (ebpf-fsync.ts reads the same probe).
        ctx.bundle.warnings.push(
          `${file.path}: fsync-per-request and slow-io not checked: they need the opt-in syscalls probe ` +
            `(godiag probe / capture --ebpf / run --ebpf --probes ${[...report.probes, "syscalls"].join(",")}; it adds ~0.2 µs to every system call on the host, docs/EBPF.md)`,
        );
        continue;
      }
      if (w <= 0) continue;
      let slow = 0;
      let all = 0;
      const slowBy: Record<string, number> = {};
      for (const st of s.bySyscall) {
        if (!IO_CALLS.has(st.name)) continue;
        const n = st.latencyUs.buckets.filter((b) => b.min >= SLOW_US).reduce((a, b) => a + b.count, 0);
        if (n > 0) slowBy[st.name] = (slowBy[st.name] ?? 0) + n;
        slow += n;
        all += st.count;
      }
      if (slow / w < MIN_PER_SECOND || slow < MIN_SLOW_SHARE * all) continue;
      // The caller: the user function with the most time in these calls (stacks of calls >= the probe's threshold).
      const byFn = new Map<string, { ns: number; frames: string[]; syscall: string; at: string }>();
      for (const st of s.slowStacks) {
        if (!IO_CALLS.has(st.syscall)) continue;
        const u = userFrameAt(st.frames, st.lines, ctx.origins());
        if (!u) continue;
        const e = byFn.get(u.fn);
        if (e) e.ns += st.totalNs;
        else byFn.set(u.fn, { ns: st.totalNs, frames: st.frames, syscall: st.syscall, at: u.at });
      }
      const top = [...byFn].sort((a, b) => b[1].ns - a[1].ns)[0];
      const fn = top?.[0];
      // Lower bound of the time in slow calls: each took at least the bucket's start.
      const slowNsAtLeast = slow * SLOW_US * 1000;
      const busy = slowNsAtLeast / 1e9 / w;
      const dumps = dumpWaits(ctx, new Set(["syscall"]));
      const seen = fn ? waitsIn(dumps, fn) : { goroutines: 0, dumps: 0 };
      const confirmed = seen.goroutines > 0;
      const sampled = s.timedOneIn !== undefined && s.timedOneIn > 1;
      const calls = Object.entries(slowBy).map(([k, n]) => `${n} ${k}`).join(", ");
      const evidence: Evidence[] = [
        {
          source: file.path,
          // The probe times 1 in N calls (docs/EBPF.md, Overhead): these counts are estimates (x N).
          kind: `${confirmed ? "eBPF syscall probe" : `eBPF syscall probe (${EBPF_ONLY})`}${sampled ? `, counts estimated from 1 in ${s.timedOneIn} calls timed` : ""}`,
          numbers: { ...(sampled ? { timed_one_in: s.timedOneIn } : {}), slow_calls: slow, io_calls: all, slow_calls_per_second: Math.round((slow / w) * 10) / 10, slow_ns_at_least: slowNsAtLeast, slow_threshold_us: SLOW_US, window_seconds: w, ...(top ? { caller_syscall_ns: top[1].ns } : {}) },
          ...(fn ? { functions: [fn], excerpt: top![1].frames.slice(0, 8).map((f, i) => (top![1].frames[i] === fn ? top![1].at : f)).join("\n") } : {}),
        },
      ];
      for (const d of dumps) {
        const n = fn ? (d.byFunction.get(fn) ?? 0) : 0;
        if (n > 0) evidence.push({ source: d.file.path, kind: "goroutine dump: goroutines in a system call", numbers: { goroutines_in_syscall_here: n, goroutines_in_syscall: d.matching, goroutines: d.total }, functions: [fn!] });
      }
      // The function and the line of its call into the kernel, where the stack gives it.
      const at = top ? top[1].at : undefined;
      const where = at ? `${at} ` : "";
      out.push({
        id: `slow-io:${fn ?? "process"}`,
        category: "slow-io",
        severity: busy >= CRITICAL_BUSY ? "critical" : "warning",
        confidence: fn ? (confirmed ? 0.8 : 0.7) : 0.5,
        title: `${where}waits ${(slow / w).toFixed(0)} times a second in read/write calls of 5 ms or more`,
        summary:
          `${calls} call(s) took about 5 ms or more (log2 buckets from ${SLOW_US} µs) in ${w.toFixed(1)} s, at least ${secs(slowNsAtLeast)} in all` +
          `${fn ? `, most of the time from ${fn} (${secs(top![1].ns)} in ${top![1].syscall} and its kin)` : ""}. ` +
          `Go's sockets never block in read/write and cached file I/O takes µs: the device or the network below the process is slow ` +
          `(a disk, a network filesystem, a blocking fd's peer). ` +
          (confirmed
            ? `The goroutine dumps agree: ${seen.goroutines} goroutine(s) caught in a system call in ${fn} (${seen.dumps} of ${dumps.length} dumps).`
            : `${EBPF_ONLY}: the thread sleeps in the kernel, so the CPU and block profiles do not show it${dumps.length > 0 ? ", and no goroutine dump caught it" : ""}.`),
        evidence,
        functions: fn ? [fn] : [],
        recommendation:
          `Find what ${at ?? "the program"} reads or writes (lsof -p PID; the fd in the syscall) and measure the device (iostat -x, the ` +
          `filesystem's mount options, the peer's latency). Take it off the request path (cache, read ahead, write behind, a timeout), ` +
          `or move the data to faster storage.`,
        docs: ["https://man7.org/linux/man-pages/man2/read.2.html"],
      });
    }
    return out;
  },
};
