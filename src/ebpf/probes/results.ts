// The probe report: bpftrace's maps turned into Go concepts (wait reasons by
// name, syscalls by name, stacks by Go function), plus the /proc samples.

import { availableParallelism } from "node:os";
import type { GoBinary } from "../binary/gobinary.js";
import { isObject, type JsonValue } from "./jsonpairs.js";
import { buckets, mergeBuckets, summarise, type HistSummary } from "./hist.js";
import type { FdKind } from "./procfs.js";
import type { RawRun } from "./runner.js";
import { ALWAYS_TIMED_SYSCALLS, RUNQ_TIMED_ONE_IN, SYSCALL_TIMED_ONE_IN, type ProbeName } from "./script.js";
import { parseUstack, type StackSample } from "./stacks.js";
import { syscallName } from "./syscalls.js";

export interface WaitReasonStat {
  reason: number;
  name: string;
  parks: number;
  /** park -> running again (runtime.execute), microseconds */
  parkToRunUs: HistSummary;
  parkToRunNs: number;
  /** park -> runnable (runtime.ready; not for goroutines readied by netpoll), microseconds */
  parkToReadyUs: HistSummary;
}

export interface SyscallStat {
  nr: number;
  name: string;
  count: number;
  totalNs: number;
  latencyUs: HistSummary;
  errors: { errno: number; count: number }[];
}

export interface SlowSyscallStack {
  syscall: string;
  totalNs: number;
  /** Go functions, leaf first */
  frames: string[];
  /** each frame's "file:line" (a caller's: of its call), "" where .gopclntab gives none */
  lines?: string[];
}

export interface ProbeReport {
  target: {
    pid?: number;
    binary: string;
    goVersion: string;
    stripped: boolean;
    offsetsFrom: "dwarf" | "table";
    waitReasonsFrom: "binary" | "table";
    notes: string[];
  };
  window: { seconds: number; startUnixMs: number; syncMonoNs?: string; syncWall?: string; endedBy: RawRun["endedBy"] };
  probes: ProbeName[];
  bpftrace: { attachedProbes: number; lostEvents: number; lostStacks: number; errors: string[]; removedUprobeEvents: string[] };
  gopark?: { reasons: WaitReasonStat[]; readyToRunUs: HistSummary; goroutinesSeen: number };
  runq?: {
    latencyUs: HistSummary;
    totalNs: number;
    maxUs: number;
    involuntarySwitches: number;
    voluntarySwitches: number;
    processCpuSeconds?: number;
    /** CPUs of the machine (what a starved process could have used) */
    machineCpus: number;
    /** 1 in N waits timed (at random): latencyUs and totalNs are estimates (x N); maxUs is the timed ones' */
    timedOneIn?: number;
  };
  syscalls?: {
    bySyscall: SyscallStat[];
    slowStacks: SlowSyscallStack[];
    stackThresholdNs: number;
    /**
     * 1 in N calls were timed (at random): count, latency buckets, totalNs and slow
     * stacks are the timed calls' x N (estimates), but for alwaysTimed; errors are
     * counted on every call.
     */
    timedOneIn: number;
    /** syscalls timed on every call (exact latencies and stacks) */
    alwaysTimed: string[];
  };
  cpu?: { onCpuSamples: number; offCpuNs: number };
  netpoll?: { blocking: NetpollStat; nonBlocking: NetpollStat };
  tcp?: {
    connectUs: HistSummary;
    lifetimeMs: HistSummary;
    established: number;
    closed: number;
    retransmits: { synSent: number; other: number };
    synackRetransmits: number;
    resetsReceived: number;
    resetsSent: number;
    listenOverflows: number;
    listenDrops: number;
    listenPorts: number[];
  };
  fds?: { samples: { atMs: number; total: number; byKind: Partial<Record<FdKind, number>> }[] };
  funcs?: { name: string; latencyUs: HistSummary; totalNs: number }[];
}

export interface NetpollStat {
  calls: number;
  readyGoroutines: number;
  durationUs: HistSummary;
  readyPerCall: HistSummary;
}

const num = (v: JsonValue | undefined): number => (typeof v === "number" ? v : 0);
const pairs = (v: JsonValue | undefined): [string, JsonValue][] => (isObject(v) ? v.pairs : []);

/** Sum by key, for maps bpftrace printed with repeated keys. */
function sumByKey(v: JsonValue | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k, x] of pairs(v)) m.set(k, (m.get(k) ?? 0) + num(x));
  return m;
}

function histByKey(v: JsonValue | undefined): Map<string, HistSummary> {
  const m = new Map<string, ReturnType<typeof buckets>>();
  for (const [k, x] of pairs(v)) m.set(k, mergeBuckets(m.get(k) ?? [], buckets(x)));
  return new Map([...m].map(([k, b]) => [k, summarise(b)]));
}

const EMPTY = summarise([]);

export function goparkResult(run: RawRun, bin: GoBinary): ProbeReport["gopark"] {
  const parks = sumByKey(run.maps.get("@park_reason"));
  const toRun = histByKey(run.maps.get("@park_to_run_us"));
  const toRunNs = sumByKey(run.maps.get("@park_to_run_ns"));
  const toReady = histByKey(run.maps.get("@park_to_ready_us"));
  const reasons = [...parks].map(([k, n]) => ({
    reason: Number(k),
    name: bin.waitReasons[Number(k)] ?? `waitReason(${k})`,
    parks: n,
    parkToRunUs: toRun.get(k) ?? EMPTY,
    parkToRunNs: toRunNs.get(k) ?? 0,
    parkToReadyUs: toReady.get(k) ?? EMPTY,
  }));
  reasons.sort((a, b) => b.parks - a.parks);
  return { reasons, readyToRunUs: summarise(buckets(run.maps.get("@ready_to_run_us"))), goroutinesSeen: pairs(run.maps.get("@park_goid_n")).length };
}

export function runqResult(run: RawRun, cpu?: number): ProbeReport["runq"] {
  // Waits of 1 in RUNQ_TIMED_ONE_IN wake-ups/preemptions are timed: the histogram is scaled
  // like the sum (which the probe already multiplies), the switch counts are exact.
  const latencyUs = summarise(buckets(run.maps.get("@runq_us")).map((b) => ({ ...b, count: b.count * RUNQ_TIMED_ONE_IN })));
  return {
    latencyUs,
    totalNs: num(run.maps.get("@runq_ns")),
    maxUs: num(run.maps.get("@runq_max_us")),
    involuntarySwitches: num(run.maps.get("@involuntary")),
    voluntarySwitches: num(run.maps.get("@voluntary")),
    ...(cpu !== undefined ? { processCpuSeconds: cpu } : {}),
    machineCpus: availableParallelism(),
    timedOneIn: RUNQ_TIMED_ONE_IN,
  };
}

export function syscallResult(run: RawRun, bin: GoBinary, stackNs: number): { result: ProbeReport["syscalls"]; samples: StackSample[] } {
  // Timed calls stand for SYSCALL_TIMED_ONE_IN calls each, but for the always-timed ones.
  const weight = (nr: number): number => (ALWAYS_TIMED_SYSCALLS.includes(nr) ? 1 : SYSCALL_TIMED_ONE_IN);
  const lat = new Map<string, ReturnType<typeof buckets>>();
  for (const [k, x] of pairs(run.maps.get("@sys_us"))) lat.set(k, mergeBuckets(lat.get(k) ?? [], buckets(x)));
  const ns = sumByKey(run.maps.get("@sys_ns"));
  const errs = sumByKey(run.maps.get("@sys_err"));
  const bySyscall: SyscallStat[] = [];
  for (const [k, bs] of lat) {
    const nr = Number(k);
    if (nr < 0) continue; // -1: a syscall restarted
    const w = weight(nr);
    const errors = [...errs].filter(([ek]) => ek.split(",")[0] === k).map(([ek, c]) => ({ errno: Number(ek.split(",")[1]), count: c }));
    const latencyUs = summarise(bs.map((b) => ({ ...b, count: b.count * w })));
    bySyscall.push({ nr, name: syscallName(nr), count: latencyUs.count, totalNs: (ns.get(k) ?? 0) * w, latencyUs, errors });
  }
  bySyscall.sort((a, b) => b.totalNs - a.totalNs);
  const samples: StackSample[] = [];
  const merged = new Map<string, SlowSyscallStack>();
  for (const [k, v] of pairs(run.maps.get("@sys_stack_ns"))) {
    const comma = k.indexOf(",");
    const nr = Number(k.slice(0, comma));
    const name = syscallName(nr);
    const frames = parseUstack(k.slice(comma + 1), bin);
    const total = num(v) * weight(nr);
    samples.push({ frames, values: [total], labels: { syscall: name } });
    const lines = frames.map((f) => (f.file ? `${f.file}:${f.line}` : ""));
    const key = name + "|" + frames.map((f, i) => `${f.func}@${lines[i]}`).join(";");
    const e = merged.get(key);
    if (e) e.totalNs += total;
    else merged.set(key, { syscall: name, totalNs: total, frames: frames.map((f) => f.func), lines });
  }
  const slowStacks = [...merged.values()].sort((a, b) => b.totalNs - a.totalNs).slice(0, 50);
  return { result: { bySyscall, slowStacks, stackThresholdNs: stackNs, timedOneIn: SYSCALL_TIMED_ONE_IN, alwaysTimed: ALWAYS_TIMED_SYSCALLS.map(syscallName) }, samples };
}

export function stackSamples(v: JsonValue | undefined, bin: GoBinary): StackSample[] {
  return pairs(v).map(([k, x]) => ({ frames: parseUstack(k, bin), values: [num(x)] }));
}

export function netpollResult(run: RawRun): ProbeReport["netpoll"] {
  const d = histByKey(run.maps.get("@netpoll_us"));
  const r = histByKey(run.maps.get("@netpoll_ready"));
  const sum = sumByKey(run.maps.get("@netpoll_ready_sum"));
  const stat = (k: string): NetpollStat => ({
    calls: d.get(k)?.count ?? 0,
    readyGoroutines: sum.get(k) ?? 0,
    durationUs: d.get(k) ?? EMPTY,
    readyPerCall: r.get(k) ?? EMPTY,
  });
  return { blocking: stat("1"), nonBlocking: stat("0") };
}

export function tcpResult(run: RawRun, overflows: number, drops: number, ports: number[]): ProbeReport["tcp"] {
  const retrans = sumByKey(run.maps.get("@tcp_retrans"));
  let synSent = 0;
  let other = 0;
  for (const [k, n] of retrans) {
    if (k === "2") synSent += n;
    else other += n;
  }
  return {
    connectUs: summarise(buckets(run.maps.get("@tcp_connect_us"))),
    lifetimeMs: summarise(buckets(run.maps.get("@tcp_life_ms"))),
    established: num(run.maps.get("@tcp_established")),
    closed: num(run.maps.get("@tcp_closed")),
    retransmits: { synSent, other },
    synackRetransmits: num(run.maps.get("@tcp_synack_retrans")),
    resetsReceived: num(run.maps.get("@tcp_rst_recv")),
    resetsSent: num(run.maps.get("@tcp_rst_sent")),
    listenOverflows: overflows,
    listenDrops: drops,
    listenPorts: ports,
  };
}

export function funcsResult(run: RawRun, names: string[]): ProbeReport["funcs"] {
  const lat = histByKey(run.maps.get("@func_us"));
  const ns = sumByKey(run.maps.get("@func_ns"));
  return names.map((name, i) => ({ name, latencyUs: lat.get(String(i)) ?? EMPTY, totalNs: ns.get(String(i)) ?? 0 }));
}

