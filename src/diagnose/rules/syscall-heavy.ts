// syscall-heavy: the service's own code spends a large share of its CPU inside
// system calls it issues directly (file writes, small socket writes), the
// signature of unbuffered I/O: one write(2) per field or line instead of one
// per buffer. Network I/O done by net/http's own goroutines is not attributed to
// user code and does not count.
//
// A goroutine of the service's own (an audit shipper, a log writer: no request is
// served on its stack) is also named below MIN_SHARE when its writes cost the
// kernel more CPU than all the system calls made serving HTTP requests (godiag
// corpus round 5, tollplaza). Serving a request takes at least a read and a write;
// output beside the requests, buffered, takes one write per buffer (KBs): when it
// costs as much as the serving I/O, it is written in pieces no larger than the
// requests' own, i.e. unbuffered or flushed per line, whatever the share.

import { innermostUserFrame, isSyscallFrame, topEntries, type CodeOrigins } from "../../core/go/index.js";
import type { DiagnoseContext, ProfileInput } from "../context.js";
import type { Finding } from "../finding.js";
import { pct, type Rule } from "../rule.js";
import { cpuAnalysis } from "../cpu.js";

/** Share of all CPU samples spent in syscalls under one user function to report it. */
const MIN_SHARE = 0.15;
/** ... and to call it critical. */
const CRITICAL_SHARE = 0.3;
/**
 * Unbuffered I/O is a defect at any load (a warning by its share); critical needs a
 * busy process, as for CPU hot spots.
 */
const MIN_CORES = 0.25;
/**
 * A side goroutine's system calls are a measurement from this many samples on
 * (cpu-hotspot's MIN_OWN_SAMPLES: with k samples the share's error is ~1/√k).
 */
const MIN_SIDE_SAMPLES = 10;
/** Goroutines serving HTTP requests (HTTP/1 and the bundled HTTP/2 server). */
const SERVING = /^net\/http\.(\(\*conn\)\.serve|\(\*http2serverConn\)\.(serve|runHandler|readFrames))$/;

// Which system call, from the Go wrappers on the stack.
const IO_KINDS: Array<[RegExp, string]> = [
  [/^os\.\(\*File\)\.(Write|WriteString|WriteAt)$/, "file write"],
  [/^os\.\(\*File\)\.(Read|ReadAt)$/, "file read"],
  [/^net\.\(\*conn\)\.Write$|^net\.\(\*netFD\)\.Write$/, "socket write"],
  [/^net\.\(\*conn\)\.Read$|^net\.\(\*netFD\)\.Read$/, "socket read"],
  [/^os\.(Stat|Lstat|Open|OpenFile|Create)$/, "file open/stat"],
  [/^syscall\.(write|Write)$/, "write"],
  [/^syscall\.(read|Read)$/, "read"],
];

export const syscallHeavyRule: Rule = {
  name: "syscall-heavy",
  run(ctx: DiagnoseContext): Finding[] {
    const analysis = cpuAnalysis(ctx);
    if (!analysis) return [];
    const { input: cpu, typeIndex: ti, all, syscalls: sys } = analysis;
    if (all.total === 0) return [];
    const cores = cpu.seconds ? all.total / 1e9 / cpu.seconds : undefined;
    const busy = cores === undefined || cores >= MIN_CORES;
    const out: Finding[] = [];
    const side = sideSyscalls(cpu, ti, analysis.origins);
    const period = cpu.profile.period > 0 ? cpu.profile.period : 1e7;
    for (const [fn, v] of topEntries(sys.byFunction, 3)) {
      const share = v / all.total;
      const kinds = ioKinds(ctx, fn, ti);
      const writes = (kinds.get("file write") ?? 0) + (kinds.get("socket write") ?? 0) + (kinds.get("write") ?? 0);
      const own = side.byFunction.get(fn) ?? 0;
      const beside = own >= side.serving && own >= MIN_SIDE_SAMPLES * period && writes > 0.5 * v;
      if (share < MIN_SHARE && !beside) continue;
      const kindText = topEntries(kinds, 3).map(([k, kv]) => `${k} ${pct(kv, v)}`).join(", ");
      const callees = topEntries(sys.callees.get(fn) ?? new Map(), 4).map(([c]) => c);
      out.push({
        id: `syscall-heavy:${fn}`,
        category: "syscall-heavy",
        severity: busy && share >= CRITICAL_SHARE ? "critical" : "warning",
        confidence: Math.min(0.9, 0.4 + share),
        title: `${fn} spends ${pct(v, all.total)} of CPU in system calls${writes > 0.5 * v ? " (unbuffered writes)" : ""}`,
        summary:
          `${pct(v, all.total)} of all CPU samples are system calls made directly by ${fn}` +
          (kindText ? ` (${kindText})` : "") +
          `: each call crosses into the kernel, so many small calls cost far more than the bytes they move.` +
          (beside && share < MIN_SHARE
            ? ` ${fn} serves no request, yet its system calls cost ${pct(own, all.total)} of the CPU, at least as much as all the ` +
              `system calls made serving HTTP requests (${pct(side.serving, all.total)}): output written beside the requests in pieces no larger than theirs.`
            : ""),
        evidence: [
          {
            source: cpu.file.path,
            kind: "cpu profile",
            numbers: {
              syscall_cpu_ns: v,
              function_cpu_ns: all.byFunction.get(fn) ?? 0,
              total_cpu_ns: all.total,
              share_pct: Math.round(1000 * share) / 10,
              ...(beside ? { serving_syscall_cpu_ns: side.serving } : {}),
              ...(cores !== undefined ? { cores_used: Math.round(100 * cores) / 100 } : {}),
            },
            functions: [fn, ...callees],
          },
        ],
        functions: [fn, ...callees],
        recommendation:
          writes > 0.5 * v
            ? `Buffer the output of ${fn}: wrap the file or connection in a bufio.Writer (one write per few KB), ` +
              `flush once per record batch or request, and keep the flush outside any lock.`
            : `Batch the system calls ${fn} makes (buffer reads and writes, cache stat/open results).`,
        docs: ["https://pkg.go.dev/bufio#Writer"],
      });
    }
    return out;
  },
};

function ioKinds(ctx: DiagnoseContext, fn: string, ti: number): Map<string, number> {
  const cpu = ctx.profile("cpu")!;
  const kinds = new Map<string, number>();
  const p = cpu.profile;
  for (let s = 0; s < p.samples.length; s++) {
    const v = p.sampleValue(s, ti);
    if (v === 0) continue;
    const fr = cpu.frames.names(s);
    if (!fr.some(isSyscallFrame)) continue;
    const u = fr.indexOf(fn);
    if (u < 0) continue;
    let kind = "other";
    for (let i = 0; i < u && kind === "other"; i++) {
      for (const [re, k] of IO_KINDS) if (re.test(fr[i]!)) { kind = k; break; }
    }
    kinds.set(kind, (kinds.get(kind) ?? 0) + v);
  }
  return kinds;
}

/**
 * System-call CPU of samples serving HTTP requests (net/http's reads and writes and
 * the handlers'), and of the other goroutines by their innermost user frame.
 */
function sideSyscalls(cpu: ProfileInput, ti: number, origins: CodeOrigins): { serving: number; byFunction: Map<string, number> } {
  const p = cpu.profile;
  let serving = 0;
  const byFunction = new Map<string, number>();
  for (let s = 0; s < p.samples.length; s++) {
    const v = p.sampleValue(s, ti);
    if (v === 0) continue;
    const fr = cpu.frames.names(s);
    if (!fr.some(isSyscallFrame)) continue;
    if (fr.some((f) => SERVING.test(f))) {
      serving += v;
      continue;
    }
    const u = innermostUserFrame(fr, origins.isUser);
    if (u >= 0) byFunction.set(fr[u]!, (byFunction.get(fr[u]!) ?? 0) + v);
  }
  return { serving, byFunction };
}
