// Generates the bpftrace program for one target. Probe sections (docs/EBPF.md):
//   gopark   wait reasons; park -> ready -> running latency per reason, keyed by g (R14)
//   runq     run-queue latency of the target's threads; involuntary switches
//   syscalls latency and errors by syscall; slow ones by user stack
//   cpu      off-CPU time by user stack; on-CPU samples at 99 Hz
//   netpoll  runtime.netpoll durations and ready goroutines per call
//   tcp      connect latency, lifetimes, retransmits, resets (tracepoints)
//   funcs    latency of chosen Go functions (entry + a uprobe on every RET, keyed by g)
// Uprobes go to file offsets (bpftrace 0.17 here has no func+offset support;
// offsets work stripped or not, with --unsafe): never a uretprobe.

import { findFunc, type GoBinary } from "../binary/gobinary.js";
import { retAddresses } from "../binary/rets.js";
import { InputError } from "../../core/input/index.js";

export const PROBES = ["gopark", "runq", "syscalls", "cpu", "netpoll", "tcp", "fds", "funcs"] as const;
export type ProbeName = (typeof PROBES)[number];
/**
 * What runs without --probes ("funcs" needs --func names): the scheduler, timer, TCP and
 * /proc probes, within the 2 % overhead goal (+0.45 %, docs/EBPF.md "Overhead"). Opt-in:
 * gopark and netpoll are uprobes, and a uprobe hit is a trap into the kernel (~10 µs on
 * the VMs measured), fired several times per request (every park, ready and schedule;
 * every netpoll call); syscalls attaches raw_syscalls, which every process on the host
 * then pays for on every system call (~0.2 µs, probed or not), ~2 % in all at ~5k req/s.
 */
export const DEFAULT_PROBES: ProbeName[] = ["runq", "cpu", "tcp", "fds"];
/** Probes outside the default set, and what needs them: said wherever that result is missing. */
export const OPT_IN_PROBES: readonly ProbeName[] = ["syscalls", "gopark", "netpoll", "funcs"];

/**
 * Syscalls whose user stacks are never recorded: the runtime's own idle and scheduling
 * waits (an M parking in futex, netpoll blocking in epoll, usleep/osyield). Their stacks
 * are always the scheduler's (no user frame for a rule to name) and they are the most
 * frequent slow syscalls of an idle-ish service: each stack walk is paid by the service.
 */
const NO_STACK_SYSCALLS = [202, 232, 281, 441, 35, 230, 24]; // futex, epoll_wait, epoll_pwait, epoll_pwait2, nanosleep, clock_nanosleep, sched_yield

/**
 * The syscall probe times 1 in SYSCALL_TIMED_ONE_IN calls (picked at random on entry)
 * and counts every error. Timing a call is most of the probe's cost per syscall (a map
 * update on entry; a lookup, the histogram, the sum and a delete on exit), and a service
 * makes several syscalls per request (bench/ebpf-overhead.mjs); a call not timed costs a
 * pid compare and a random number on entry, a pid compare and one lookup on exit.
 * Counts, latencies, times and slow-call stacks of the other syscalls are estimates
 * (the timed calls x N), which the report says (syscalls.timedOneIn).
 */
export const SYSCALL_TIMED_ONE_IN = 8;
/** Timed on every call, never sampled: the flushes fsync-per-request counts and names (rare, slow calls). */
export const ALWAYS_TIMED_SYSCALLS = [74, 75, 277, 26]; // fsync, fdatasync, sync_file_range, msync
/** The run-queue probe times the wait of 1 in RUNQ_TIMED_ONE_IN wake-ups and preemptions (switches are all counted). */
export const RUNQ_TIMED_ONE_IN = 8;
/** The off-CPU profile takes the stack of 1 in OFFCPU_ONE_IN sleeps (at random): the stack walk is its cost. */
export const OFFCPU_ONE_IN = 16;

export interface ScriptTarget {
  bin: GoBinary;
  /** the path uprobes attach to (the target's executable) */
  path: string;
  /** one process, or every process with this comm (--binary) */
  pid?: number;
  comm?: string;
  /** thread ids known at start (seed the run-queue filter) */
  tids: number[];
  /** TCP ports the target listens on */
  ports: number[];
  /** syscalls at least this long get their user stack recorded */
  stackNs: number;
  funcs: string[];
}

/** Functions whose entry (and RETs) we probe: what each needs, for messages. */
const RUNTIME_FUNCS: Partial<Record<ProbeName, string[]>> = {
  gopark: ["runtime.gopark", "runtime.ready", "runtime.execute"],
  netpoll: ["runtime.netpoll", "runtime.netpollready"],
};

export async function generateScript(t: ScriptTarget, probes: readonly ProbeName[]): Promise<string> {
  const who = t.pid !== undefined ? `pid == ${t.pid}` : `comm == "${t.comm!.slice(0, 15).replace(/["\\]/g, "")}"`;
  // @on gates every probe to the window from BEGIN (bpftrace runs it once all probes are
  // attached, one by one) to the exit tick: counts of different probes cover the same time.
  // The pid (or comm) test first: a register compare that ends other processes' events
  // before the @on map lookup.
  const F = `${who} && @on == 1`;
  const at = (addr: bigint): string => {
    const off = t.bin.elf.fileOffset(addr);
    if (off === undefined) throw new InputError(t.bin.file, `address 0x${addr.toString(16)} is not in the file`);
    return `uprobe:${t.path}:0x${off.toString(16)}`;
  };
  const fn = (name: string) => {
    const f = findFunc(t.bin, name);
    if (!f) throw new InputError(t.bin.file, `no function ${name} in the binary`);
    return f;
  };
  for (const p of probes) for (const name of RUNTIME_FUNCS[p] ?? []) fn(name);
  const o = t.bin.offsets;
  const out: string[] = [];
  // One BEGIN only (bpftrace allows one): the time sync record, then map seeds.
  const begin = [`printf("{\\"sync_mono_ns\\":%llu,\\"sync_wall\\":\\"%s\\"}\\n", nsecs, strftime("%s.%f", nsecs));`];
  if (probes.includes("gopark")) {
    const reg = t.bin.goparkReasonReg;
    out.push(
      `${at(fn("runtime.gopark").entry)} /${F}/ { $g = reg("r14"); $r = reg("${reg}") & 0xff; @park_reason[$r] = count(); @park_t[$g] = nsecs; @park_r[$g] = $r; @park_goid_n[*(uint64 *)($g + ${o.g_goid})] = count(); }`,
      // ready(gp, ...): gp in AX. Goroutines made runnable by netpoll skip ready(): they count park -> running only.
      `${at(fn("runtime.ready").entry)} /${F}/ { $g = reg("ax"); $t = @park_t[$g]; if ($t) { @park_to_ready_us[@park_r[$g]] = hist((nsecs - $t) / 1000); @ready_t[$g] = nsecs; } }`,
      `${at(fn("runtime.execute").entry)} /${F}/ { $g = reg("ax"); $t = @park_t[$g]; if ($t) { $r = @park_r[$g]; @park_to_run_us[$r] = hist((nsecs - $t) / 1000); @park_to_run_ns[$r] = sum(nsecs - $t); delete(@park_t[$g]); delete(@park_r[$g]); } $q = @ready_t[$g]; if ($q) { @ready_to_run_us = hist((nsecs - $q) / 1000); delete(@ready_t[$g]); } }`,
    );
  }
  // runq and cpu both watch sched_switch: one program for both, so each switch on the
  // machine (every process's, the filter runs for all) runs one program, not two.
  const onSwitch: string[] = [];
  if (probes.includes("runq")) {
    begin.push(...t.tids.slice(0, 4096).map((tid) => `@mine[${tid}] = 1;`));
    out.push(
      // @mine first: for other processes' wake-ups one lookup ends it.
      `tracepoint:sched:sched_wakeup, tracepoint:sched:sched_wakeup_new /@mine[args->pid] && rand % ${RUNQ_TIMED_ONE_IN} == 0 && @on == 1/ { @rq_t[args->pid] = nsecs; }`,
    );
    onSwitch.push(
      // prev_state 0 (TASK_RUNNING, 0x100 TASK_REPORT_MAX bit aside): preempted, still runnable.
      // A thread is added to @mine once (a lookup costs less than an update).
      `if (${F}) { if (!@mine[args->prev_pid]) { @mine[args->prev_pid] = 1; } if ((args->prev_state & 0xff) == 0) { if (rand % ${RUNQ_TIMED_ONE_IN} == 0) { @rq_t[args->prev_pid] = nsecs; } @involuntary = count(); } else { @voluntary = count(); } } $t = @rq_t[args->next_pid]; if ($t) { $d = nsecs - $t; @runq_us = hist($d / 1000); @runq_ns = sum($d * ${RUNQ_TIMED_ONE_IN}); @runq_max_us = max($d / 1000); delete(@rq_t[args->next_pid]); }`,
    );
  }
  if (probes.includes("syscalls")) {
    const always = ALWAYS_TIMED_SYSCALLS.map((n) => `args->id == ${n}`).join(" || ");
    out.push(
      // The pid test, then the coin (or a flush), then @on: most calls end after two compares.
      `tracepoint:raw_syscalls:sys_enter /${who}/ { if ((rand % ${SYSCALL_TIMED_ONE_IN} == 0 || ${always}) && @on == 1) { @sc_t[tid] = nsecs; } }`,
      // Only calls timed on entry (under @on) have a start time: no @on lookup for the rest.
      `tracepoint:raw_syscalls:sys_exit /${who}/ { $id = args->id; $t = @sc_t[tid]; if ($t) { $d = nsecs - $t; @sys_us[$id] = hist($d / 1000); @sys_ns[$id] = sum($d); if ($d >= ${t.stackNs} && ${NO_STACK_SYSCALLS.map((n) => `$id != ${n}`).join(" && ")}) { @sys_stack_ns[$id, ustack(perf, 64)] = sum($d); } delete(@sc_t[tid]); } if (args->ret < 0 && @on == 1) { @sys_err[$id, - args->ret] = count(); } }`,
    );
  }
  if (probes.includes("cpu")) {
    out.push(`profile:hz:99 /${F}/ { @oncpu[ustack(perf, 127)] = count(); }`);
    onSwitch.push(
      `if (${F} && (args->prev_state & 0xff) != 0 && rand % ${OFFCPU_ONE_IN} == 0) { @off_s[args->prev_pid] = ustack(perf, 127); @off_t[args->prev_pid] = nsecs; } $u = @off_t[args->next_pid]; if ($u) { @offcpu_ns[@off_s[args->next_pid]] = sum((nsecs - $u) * ${OFFCPU_ONE_IN}); delete(@off_t[args->next_pid]); delete(@off_s[args->next_pid]); }`,
    );
  }
  if (onSwitch.length > 0) out.push(`tracepoint:sched:sched_switch { ${onSwitch.join(" ")} }`);
  if (probes.includes("netpoll")) {
    // netpoll runs on the thread's g0 stack: keyed by tid. Its RETs still get plain uprobes.
    const np = fn("runtime.netpoll");
    const rets = await retAddresses(t.bin, np);
    out.push(
      `${at(np.entry)} /${F}/ { @np_t[tid] = nsecs; @np_block[tid] = reg("ax") != 0 ? 1 : 0; @np_n[tid] = 0; }`,
      `${at(fn("runtime.netpollready").entry)} /${F}/ { @np_n[tid] = @np_n[tid] + 1; }`,
      `${rets.map(at).join(", ")} /${F}/ { $t = @np_t[tid]; if ($t) { $b = @np_block[tid]; @netpoll_us[$b] = hist((nsecs - $t) / 1000); @netpoll_ready[$b] = hist(@np_n[tid]); @netpoll_ready_sum[$b] = sum(@np_n[tid]); delete(@np_t[tid]); } }`,
    );
  }
  if (probes.includes("tcp")) {
    const P = `(${[who, ...t.ports.flatMap((p) => [`args->sport == ${p}`, `args->dport == ${p}`])].join(" || ")}) && @on == 1`;
    out.push(
      // States (include/net/tcp_states.h): 1 ESTABLISHED, 2 SYN_SENT, 3 SYN_RECV, 7 CLOSE.
      `tracepoint:sock:inet_sock_set_state /args->protocol == 6 && (${P})/ { $sk = args->skaddr; if (args->newstate == 2) { @tcp_syn_t[$sk] = nsecs; } if (args->newstate == 1) { $t = @tcp_syn_t[$sk]; if ($t) { @tcp_connect_us = hist((nsecs - $t) / 1000); delete(@tcp_syn_t[$sk]); } @tcp_est_t[$sk] = nsecs; @tcp_established = count(); } if (args->newstate == 7) { $e = @tcp_est_t[$sk]; if ($e) { @tcp_life_ms = hist((nsecs - $e) / 1000000); @tcp_closed = count(); delete(@tcp_est_t[$sk]); } delete(@tcp_syn_t[$sk]); } }`,
      `tracepoint:tcp:tcp_retransmit_skb /${P}/ { @tcp_retrans[args->state] = count(); }`,
      `tracepoint:tcp:tcp_retransmit_synack /${P}/ { @tcp_synack_retrans = count(); }`,
      `tracepoint:tcp:tcp_receive_reset /${P}/ { @tcp_rst_recv = count(); }`,
      `tracepoint:tcp:tcp_send_reset /${F}/ { @tcp_rst_sent = count(); }`,
    );
  }
  if (probes.includes("funcs")) {
    for (const [i, name] of t.funcs.entries()) {
      const f = fn(name);
      const rets = await retAddresses(t.bin, f);
      if (rets.length === 0) throw new InputError(t.bin.file, `${name} has no RET instruction (it never returns): cannot time it`);
      out.push(
        `${at(f.entry)} /${F}/ { @fn_t[reg("r14"), ${i}] = nsecs; }`,
        `${rets.map(at).join(", ")} /${F}/ { $t = @fn_t[reg("r14"), ${i}]; if ($t) { @func_us[${i}] = hist((nsecs - $t) / 1000); @func_ns[${i}] = sum(nsecs - $t); delete(@fn_t[reg("r14"), ${i}]); } }`,
      );
    }
  }
  // Scratch maps are not results: clear them so the END dump holds only results.
  begin.push("@on = 1;");
  out.unshift(`BEGIN { ${begin.join(" ")} }`);
  const text = out.join("\n");
  const used = [...SCRATCH.filter((m) => text.includes(`${m}[`)), "@on"];
  out.push(`END { ${used.map((m) => `clear(${m});`).join(" ")} }`);
  return out.join("\n") + "\n";
}

const SCRATCH = ["@park_t", "@park_r", "@ready_t", "@mine", "@rq_t", "@sc_t", "@off_s", "@off_t", "@np_t", "@np_block", "@np_n", "@tcp_syn_t", "@tcp_est_t", "@fn_t"];
