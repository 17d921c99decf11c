// Scheduler latency from an execution trace: request handlers wait runnable (ready to
// run, no P free) because CPU-bound goroutines hold the Ps in long runs. Names the
// starving user function (the long runs' innermost user frame) and GOMAXPROCS when all
// Ps are busy, so the limit is the number of Ps rather than the machine.
//
// Only goroutines other than the handlers starve them: handlers that wait behind other
// handlers' request work are a service using the CPU it has (a defect of the work, if
// any, is cpu-hotspot's or gc-pressure's), and handlers that wait while Ps are free were
// not kept off a P by Go code at all (the OS did not run the process's threads: a loaded
// machine, a CPU quota). Without a starving goroutine and with Ps to spare, the wait is
// reported as info.

import type { DiagnoseContext } from "../context.js";
import type { Evidence, Finding, Severity } from "../finding.js";
import type { Rule } from "../rule.js";
import type { TraceInput } from "../trace-input.js";
import { addUp, largest, ms, pctOf, stackExcerpt, userFrame } from "../trace-frames.js";
import type { GoroutineGroup, StackFrame } from "../../trace/index.js";
import { originOf } from "../../core/go/index.js";
import { cpuAnalysis, type CpuAnalysis } from "../cpu.js";

/**
 * Goroutines that serve requests, by start function: net/http's per-connection goroutine
 * (HTTP/1), its HTTP/2 handler goroutines (bundled and x/net), gRPC's stream handlers.
 */
export const HANDLER = /^(net\/http\.\(\*conn\)\.serve|net\/http\.\(\*http2serverConn\)\.runHandler|golang\.org\/x\/net\/http2\.\(\*serverConn\)\.runHandler|google\.golang\.org\/grpc\.\(\*Server\)\.(serveStreams|handleStream))/;
/**
 * The runtime preempts a goroutine that ran 10 ms (forcePreemptNS, runtime/proc.go): a
 * handler whose p99 wait for a P is that long queued behind whole time slices.
 */
const P99_NS = 10e6;
/** Handlers waiting for a P longer than they run (of the time they wanted a CPU): critical. */
const CRITICAL_RUNNABLE_SHARE = 0.5;
/**
 * Fewer wake-ups than this and the p99 is one wait. Kept low: a starved handler is woken
 * rarely (a loaded machine gave 7 in 1.3 s), and severity rests on its runnable share,
 * summed over all its time, not on the quantile.
 */
const MIN_SAMPLES = 3;
/** cpu-hotspot's share: a CPU profile agrees the function burns the CPU from this share on. */
const CPU_AGREES_SHARE = 0.2;
/** Ps busy this share of the trace: every P was taken, GOMAXPROCS is the limit. */
const ALL_BUSY = 0.9;

export const traceSchedulerRule: Rule = {
  name: "trace-scheduler",
  run(ctx: DiagnoseContext): Finding[] {
    return ctx.traces().flatMap((t) => {
      const f = starvedHandlers(t, ctx);
      return f ? [f] : [];
    });
  },
};

/** A goroutine whose start function the trace does not tell (none, or only the preemption frames). */
const UNKNOWN_START = /^(|runtime\.asyncPreempt2?)$/;

/** Work time of a group: running, or ready to run, or in a syscall holding its P. */
const working = (g: GoroutineGroup) => g.stats.execNs + g.stats.schedWaitNs + g.stats.syscallNs;

function starvedHandlers(t: TraceInput, ctx: DiagnoseContext): Finding | undefined {
  const r = t.report;
  const handlers = r.groups.filter((g) => HANDLER.test(g.name));
  if (handlers.length === 0) return undefined;
  // The worst-off handler group speaks for the service.
  const h = handlers.sort((a, b) => b.schedLatency.p99Ns - a.schedLatency.p99Ns)[0]!;
  if (h.schedLatency.count < MIN_SAMPLES || h.schedLatency.p99Ns < P99_NS) return undefined;
  const runnableOfWork = h.stats.schedWaitNs / Math.max(1, working(h));
  const util = r.summary.utilisation;
  const busy = util.length ? util.reduce((a, b) => a + b.busy, 0) / util.length : 0;
  const procs = r.summary.gomaxprocs;
  const cpu = cpuAnalysis(ctx);
  const hog = cpuHog(t, cpu);
  const limit = busy >= ALL_BUSY && procs > 0;
  const severity: Severity = !hog && !limit ? "info" : runnableOfWork >= CRITICAL_RUNNABLE_SHARE ? "critical" : "warning";
  const numbers: Record<string, number> = {
    handler_goroutines: h.count,
    handler_sched_latency_p99_ms: ms(h.schedLatency.p99Ns),
    handler_sched_latency_max_ms: ms(h.schedLatency.maxNs),
    handler_wakeups: h.schedLatency.count,
    handler_runnable_pct: pctOf(h.stats.schedWaitNs, h.stats.totalNs),
    handler_runnable_of_work_pct: pctOf(h.stats.schedWaitNs, working(h)),
    sched_latency_p99_ms: ms(r.schedLatency.p99Ns),
    gomaxprocs: procs,
    ps_busy_pct: Math.round(busy * 1000) / 10,
  };
  const evidence: Evidence[] = [
    {
      source: t.file.path,
      kind: "execution trace (scheduler latency)",
      numbers,
      functions: [h.name],
    },
  ];
  if (hog) {
    evidence.push({
      source: t.file.path,
      kind: "execution trace (long runs)",
      numbers: { long_runs: hog.runs, longest_run_ms: ms(hog.maxNs), others_runnable_ms: ms(hog.othersNs) },
      ...(hog.fromCpuProfile ? {} : { functions: [hog.fn] }),
      excerpt: hog.fromCpuProfile
        ? `the long runs' stacks hold no user frame (a preempted goroutine's stack can stop at runtime.asyncPreempt):\n${stackExcerpt(hog.stack)}`
        : `where one of its long runs stopped:\n${stackExcerpt(hog.stack)}`,
    });
  }
  // A CPU profile that shows the same function burning the CPU is a second source.
  const cpuNs = hog && cpu ? (cpu.all.byFunction.get(hog.fn) ?? 0) : 0;
  if (hog && cpu && cpu.all.total > 0 && cpuNs / cpu.all.total >= CPU_AGREES_SHARE) {
    evidence.push({
      source: cpu.input.file.path,
      kind: "cpu profile (the CPU-bound function)",
      numbers: { cpu_pct: pctOf(cpuNs, cpu.all.total), cpu_seconds: Math.round(cpuNs / 1e7) / 100 },
      functions: [hog.fn],
    });
  }
  const who = hog ? hog.fn : "CPU-bound goroutines";
  // Ps to spare and no goroutine holding one: the wait was the OS's, not Go code's.
  const outside = !hog && !limit;
  const ps = procs === 1 ? "The one P was" : `All ${procs} Ps were`;
  const limitText = limit ? ` ${ps} busy ${numbers.ps_busy_pct} % of the trace: GOMAXPROCS=${procs} is the limit.` : "";
  return {
    id: `scheduler-latency:${hog?.fn ?? h.name}`,
    category: "scheduler-latency",
    severity,
    confidence: hog ? (limit ? 0.85 : 0.75) : 0.55,
    title: outside
      ? `Request handlers waited for a CPU with Ps free ${numbers.ps_busy_pct === undefined ? "" : `(Ps busy ${numbers.ps_busy_pct} %) `}and no goroutine holding them (p99 scheduler latency ${ms(h.schedLatency.p99Ns)} ms)`
      : `Request handlers wait for a CPU behind ${who} (p99 scheduler latency ${ms(h.schedLatency.p99Ns)} ms${limit ? `, GOMAXPROCS=${procs}` : ""})`,
    summary:
      `In ${t.file.path}, ${h.name} goroutines waited runnable ${pctOf(h.stats.schedWaitNs, h.stats.totalNs)} % of their time ` +
      `(${pctOf(h.stats.schedWaitNs, working(h))} % of the time they wanted a CPU), p99 scheduler latency ${ms(h.schedLatency.p99Ns)} ms.` +
      (hog ? ` ${hog.fn} held a P in ${hog.runs} runs of ${ms(r.longRuns.thresholdNs, 0)} ms or more (longest ${ms(hog.maxNs)} ms) while others waited.` : "") +
      limitText,
    evidence,
    functions: hog ? [hog.fn, h.name] : [h.name],
    recommendation:
      (hog
        ? `Keep ${hog.fn} from holding every P: run CPU-bound work in a bounded pool smaller than GOMAXPROCS, split it into smaller pieces, or move it out of the serving process.`
        : outside
          ? "No goroutine kept the handlers off a P: the process's threads waited for the machine's CPUs (other processes, a CPU quota); check the host's load and the container's CPU limit."
          : "Find the CPU-bound goroutines holding the Ps (godiag trace: long runs; a CPU profile) and bound their concurrency.") +
      (limit ? ` GOMAXPROCS=${procs}: if the machine has idle cores, more Ps let handlers run beside the CPU-bound work.` : ""),
    docs: ["https://pkg.go.dev/runtime#GOMAXPROCS", "https://go.dev/doc/diagnostics#execution-tracer"],
  };
}

interface Hog {
  fn: string;
  /** the trace's stacks named no user function; the CPU profile's top one is named */
  fromCpuProfile: boolean;
  runs: number;
  maxNs: number;
  othersNs: number;
  stack: readonly StackFrame[];
}

/**
 * The user function whose long runs kept the most goroutine-time waiting runnable. When
 * no long run's stack or start function is the user's (a goroutine preempted by a
 * signal can have a stack that stops at runtime.asyncPreempt, and one created before
 * the trace started has no creation stack), the function that burns the CPU in the
 * bundle's CPU profile is the one holding the Ps, when it has CPU_AGREES_SHARE of it.
 */
function cpuHog(t: TraceInput, cpu: CpuAnalysis | undefined): Hog | undefined {
  const r = t.report;
  const others = new Map<string, number>();
  const info = new Map<string, Hog>();
  const unnamed: Hog = { fn: "", fromCpuProfile: true, runs: 0, maxNs: 0, othersNs: 0, stack: [] };
  for (const run of r.longRuns.runs) {
    const stack = r.stacks.get(run.endStack) ?? [];
    // A handler's own long run is request work queued beside its peers, not a goroutine
    // starving them. A goroutine created before the trace has no start function in it:
    // its stack's outermost frame says what it runs.
    const outer = stack[stack.length - 1]?.func ?? "";
    if (HANDLER.test(run.name) || HANDLER.test(outer)) continue;
    // Where it was preempted; else the goroutine's start function if that is the user's.
    const fn = userFrame(stack)?.func ?? (originOf(run.name, cpu?.origins) === "user" ? run.name : undefined);
    // A run with no user function is only the CPU profile's to name when what the goroutine
    // runs is unknown (created before the trace, stack cut at the async preemption). A
    // known runtime or library goroutine is not user code: the GC's mark workers hold a P
    // for whole cycles by design (that cost is gc-pressure's), the tracer's own advancer
    // writes stacks, an HTTP client's readLoop reads.
    if (!fn && !UNKNOWN_START.test(run.name)) continue;
    const h = fn ? (info.get(fn) ?? { fn, fromCpuProfile: false, runs: 0, maxNs: 0, othersNs: 0, stack }) : unnamed;
    if (!fn && h.runs === 0) h.stack = stack;
    h.runs++;
    h.maxNs = Math.max(h.maxNs, run.durationNs);
    h.othersNs += run.othersRunnableNs;
    if (fn) {
      info.set(fn, h);
      addUp(others, fn, run.othersRunnableNs);
    }
  }
  const top = largest(others);
  if (top) return info.get(top[0]);
  if (unnamed.runs === 0 || !cpu || cpu.all.total === 0) return undefined;
  const burner = largest(cpu.all.byFunction);
  if (!burner || burner[1] / cpu.all.total < CPU_AGREES_SHARE) return undefined;
  return { ...unnamed, fn: burner[0] };
}
