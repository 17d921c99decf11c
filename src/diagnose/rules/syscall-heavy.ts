// syscall-heavy: the service's own code spends a large share of its CPU inside
// system calls it issues directly (file writes, small socket writes), the
// signature of unbuffered I/O: one write(2) per field or line instead of one
// per buffer. Network I/O done by net/http's own goroutines is not attributed to
// user code and does not count.

import { isSyscallFrame, topEntries } from "../../core/go/index.js";
import type { DiagnoseContext } from "../context.js";
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
    for (const [fn, v] of topEntries(sys.byFunction, 3)) {
      const share = v / all.total;
      if (share < MIN_SHARE) break;
      const kinds = ioKinds(ctx, fn, ti);
      const kindText = topEntries(kinds, 3).map(([k, kv]) => `${k} ${pct(kv, v)}`).join(", ");
      const writes = (kinds.get("file write") ?? 0) + (kinds.get("socket write") ?? 0) + (kinds.get("write") ?? 0);
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
          `: each call crosses into the kernel, so many small calls cost far more than the bytes they move.`,
        evidence: [
          {
            source: cpu.file.path,
            kind: "cpu profile",
            numbers: {
              syscall_cpu_ns: v,
              function_cpu_ns: all.byFunction.get(fn) ?? 0,
              total_cpu_ns: all.total,
              share_pct: Math.round(1000 * share) / 10,
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
