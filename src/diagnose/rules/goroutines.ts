// Goroutine findings from the dumps (goroutine?debug=2 snapshots or a crash
// traceback), or, when there is none, from goroutine?debug=1 text and goroutine
// profiles (counts per stack, no states: goroutine-counts.ts), through the goroutine
// analysis (src/goroutines: buckets, diff, leak suspects, long-blocked mutex waiters):
//   goroutine-leak     buckets blocked on other goroutines that grow between
//                      snapshots (or wait for many minutes); similar buckets are
//                      clustered (DBSCAN, src/analysis/cluster.ts) into one finding
//   connection-pileup  net/http.(*conn).serve goroutines piling up in IO wait:
//                      the server has no read/idle timeouts
//   deadlock           mutex waiters blocked at the same place in both snapshots
//                      (or for minutes), with the lock-order cycle when the stacks
//                      show which bucket holds which lock; "all goroutines are
//                      asleep" crashes
// The growth thresholds live in the analysis (suspects.ts: at least 5 goroutines
// and a fifth of the bucket); severity is decided here, from the rate.

import { countOnlyAnalysis, type Analysis } from "./goroutine-counts.js";
import { detachedParked, analyzeDiff, analyzeDump, bucketize, parseGoroutineData, profileToGoroutines, bucketTitle, type Bucket, type Suspect, clusterContexts, type BlockingContext, type RecursiveReadLock, type GoFrame } from "../../goroutines/index.js";
import { classifyFrames, originOf } from "../../core/go/index.js";
import type { BundleFile } from "../../bundle/index.js";
import type { DiagnoseContext } from "../context.js";
import type { Evidence, Finding } from "../finding.js";
import type { Rule } from "../rule.js";
import { holderWork, WORK_UNDER_LOCK_SHARE } from "./mutex-contention.js";

/** Leaked goroutines per minute that make a leak critical: one a second exhausts memory within hours. */
const CRITICAL_PER_MINUTE = 60;
/** A leak or pile-up this large is critical whatever its rate. */
const CRITICAL_COUNT = 1000;
/** Idle server connections: fewer than this is normal keep-alive, not a pile-up. */
const MIN_PILEUP = 20;
/**
 * Goroutines queued on one object's lock in a dump taken by hand: a handful queued
 * at the instant of the dump means requests are being serialised behind the holder.
 */
const MIN_LOCK_WAITERS = 5;


export const goroutineRule: Rule = {
  name: "goroutines",
  run(ctx: DiagnoseContext): Finding[] {
    const a = analyse(ctx);
    if (!a) return lockWaitersOnly(ctx);
    const suspects = a.diff?.suspects ?? a.single?.suspects ?? [];
    const deadlock = a.diff?.deadlock ?? a.single?.deadlock;
    const out: Finding[] = [];
    const deadlocked = new Set<Bucket>();
    const dl = deadlockFinding(a);
    if (dl) {
      out.push(dl.finding);
      for (const b of dl.buckets) deadlocked.add(b);
    }
    // The HTTP client's own goroutines (persistConn loops) are the http-client rule's
    // evidence of unclosed response bodies, not a leak to fix in net/http.
    const leaks = suspects.filter(
      (s) =>
        s.kind === "leak" &&
        !deadlocked.has(s.bucket) &&
        !(deadlock && isMutex(s)) &&
        !isClientConnLoop(s.bucket) &&
        // Request handlers waiting on a full channel are back-pressure, not a leak.
        !(s.cls === "chan:send" && inHandler(s.bucket)) &&
        // A leak's goroutines stay: with two snapshots, some of the first must still be
        // there (or wait for minutes); goroutines that all came and went are traffic.
        (!a.diff || s.persisted > 0 || s.maxWaitMinutes > 0 || s.bucket.members.some((g) => g.flags.includes("leaked")) ||
          // Snapshots without ids cannot show the same goroutines still there: a bucket
          // already in the first one, parked in user code outside any request, that grows.
          (a.countOnly !== undefined && s.delta !== null && s.delta < s.count && detachedParked(s.bucket))) &&
        // Findings end in the service's code: a bucket with no user frame and no user
        // creator is the standard library's own goroutines, evidence for other rules.
        bucketFunctions(s.bucket).length > 0,
    );
    out.push(...leakFindings(leaks, a));
    for (const s of suspects.filter((x) => x.kind === "conn-serve-no-timeouts" && x.count >= MIN_PILEUP)) {
      out.push(pileupFinding(s, a));
    }
    const bp = backpressureFinding(a);
    if (bp) out.push(bp);
    // Lock waiters seen in the dumps speak for contention only where the profiles
    // cannot (block/mutex profiling off, or no such profile was taken).
    if (!dl) out.push(...lockWaitersOnly(ctx));
    return out;
  },
};

/** Lock waiters seen in the snapshots speak for contention only where the profiles cannot (block/mutex profiling off, or no such profile). */
function lockWaitersOnly(ctx: DiagnoseContext): Finding[] {
  const mutex = ctx.profile("mutex");
  if (mutex && mutex.profile.samples.length > 0) return [];
  const w = lockWaitersFinding(ctx.once(snapshotsOf));
  if (!w) return [];
  if (w.computingHolder) weighByHolderCpu(ctx, w.finding, w.computingHolder);
  return [w.finding];
}

/**
 * A snapshot is one instant: its queue says the lock was contended then, not how often
 * (godiag corpus round 6). When the holder computes (waits for nothing inside its
 * section), the time it can hold the lock is CPU time, which the CPU profile measures
 * over the whole window: as for a mutex profile without a window (mutex-contention.ts),
 * the queue is a warning only when the holder's code is heavy work, at least
 * WORK_UNDER_LOCK_SHARE of the process's CPU; otherwise the snapshot caught a short
 * section at a bad moment (a holder descheduled on a busy machine): info, said so.
 * A holder that waits inside its section (HTTP call, I/O, sleep) stays a warning at
 * any rate (held-across.ts's principle); without a CPU profile nothing weighs the instant.
 */
function weighByHolderCpu(ctx: DiagnoseContext, f: Finding, holder: string): void {
  const work = holderWork(ctx, holder);
  if (!work) return;
  f.evidence.push(work.evidence);
  if (work.cpuShare >= WORK_UNDER_LOCK_SHARE) return;
  f.severity = "info";
  f.summary +=
    ` The CPU profile of the same window gives ${holder}, with all it calls, ${(100 * work.cpuShare).toFixed(1)} % of the process's CPU:` +
    " too little to keep the lock busy, so the snapshot caught a short critical section at one moment (on a busy machine, a holder waiting for a CPU), not the service's steady state.";
}

/** One instant of the process' goroutines, from any file that lists them. */
interface Snapshot {
  file: BundleFile;
  kind: string;
  buckets: Bucket[];
}

/**
 * Every goroutine snapshot in the bundle, each its own instant: the debug=2 dumps,
 * and the goroutine?debug=1 text and goroutine profiles taken at other moments (no
 * states or receivers, but the same stacks). A lock held across a slow call shows its
 * waiters, or its holder, in whichever snapshot happened to catch them.
 */
function snapshotsOf(ctx: DiagnoseContext): Snapshot[] {
  const out: Snapshot[] = ctx.goroutineDumps().map(({ file, dump }) => ({ file, kind: "goroutine dump", buckets: bucketize(dump) }));
  for (const file of ctx.files("goroutine-debug1")) {
    out.push({ file, kind: "goroutine?debug=1 snapshot", buckets: bucketize(parseGoroutineData(file.data, file.path, ctx.bundle.limits)) });
  }
  for (const file of ctx.files("goroutine")) {
    if (file.profile) out.push({ file, kind: "goroutine profile", buckets: bucketize(profileToGoroutines(file.profile, file.path)) });
  }
  return out;
}

const isMutex = (s: Suspect) => s.cls === "sync:mutex" || s.cls === "sync:rwmutex";
const isClientConnLoop = (b: Bucket) =>
  b.frames.some((f) => f.func === "net/http.(*persistConn).readLoop" || f.func === "net/http.(*persistConn).writeLoop");

function analyse(ctx: DiagnoseContext): Analysis | undefined {
  return ctx.once(computeAnalysis);
}

function computeAnalysis(ctx: DiagnoseContext): Analysis | undefined {
  const files = ctx.files("goroutine-debug2");
  if (files.length === 0) return countOnlyAnalysis(ctx);
  const dumps = ctx.goroutineDumps().map((d) => d.dump);
  const first = dumps[0]!;
  const last = dumps[dumps.length - 1]!;
  if (dumps.length === 1) {
    return { files, single: analyzeDump(first, files[0]!.path), intervalSeconds: null, header: first.header };
  }
  // The same order and interval `godiag goroutines --diff` uses (bundle/order.ts).
  const series = ctx.series("goroutine-debug2");
  const interval = series.interval && series.interval.seconds > 0 ? series.interval.seconds : null;
  return {
    files,
    diff: analyzeDiff(first, last, [files[0]!.path, files[files.length - 1]!.path], interval),
    intervalSeconds: interval,
    intervalSource: series.interval
      ? `${series.interval.lowerBound ? "at least, " : ""}from ${series.interval.source}`
      : "unknown",
    orderSource: series.order ?? "given",
    header: last.header,
  };
}

function snapshotEvidence(a: Analysis, numbers: Record<string, number>, excerpt?: string, functions?: string[]): Evidence {
  const source = a.files[a.files.length - 1]!.path;
  const base: Record<string, number> = a.diff
    ? { goroutines_before: a.diff.before.total, goroutines_after: a.diff.after.total }
    : { goroutines: a.single!.total };
  if (a.intervalSeconds !== null) base.interval_seconds = Math.round(a.intervalSeconds * 10) / 10;
  return {
    source,
    kind: a.diff
      ? `${a.countOnly ?? "goroutine"} snapshots (${a.files.length}; ordered by ${a.orderSource}, interval ${a.intervalSource})`
      : (a.countOnly ?? "goroutine dump"),
    numbers: { ...base, ...numbers },
    excerpt,
    functions,
  };
}

/**
 * Growth is measured across two dumps, and the goroutines still blocked were seen in
 * both: the first dump is a source of its own (findings rank by independent sources).
 */
function firstSnapshotEvidence(a: Analysis, countThen: number, persisted: number, functions: string[]): Evidence[] {
  // Snapshots without ids show growth from a bucket already there, not the same goroutines.
  if (!a.diff || a.files.length < 2 || (persisted === 0 && a.countOnly === undefined)) return [];
  const numbers: Record<string, number> = { goroutines: a.diff.before.total, leaked_goroutines_then: countThen };
  if (a.countOnly === undefined) numbers.still_blocked_in_last = persisted;
  return [
    {
      source: a.files[0]!.path,
      kind: `${a.countOnly ?? "goroutine"} snapshot (first)`,
      numbers,
      functions,
    },
  ];
}

/** User functions of a bucket, innermost first, then its creator. */
function bucketFunctions(b: Bucket): string[] {
  const fns = b.frames.filter((f) => originOf(f.func, b.codeOrigins) === "user").map((f) => f.func);
  if (b.createdBy && originOf(b.createdBy.func, b.codeOrigins) === "user") fns.push(b.createdBy.func);
  return [...new Set(fns)];
}

function stackExcerpt(b: Bucket, max = 8): string {
  const lines = b.frames.slice(0, max).map((f) => `${f.func}  ${shortPath(f.file)}:${f.line}`);
  if (b.frames.length > max) lines.push(`... ${b.frames.length - max} more frames`);
  if (b.createdBy) lines.push(`created by ${b.createdBy.func}  ${shortPath(b.createdBy.file)}:${b.createdBy.line}`);
  return lines.join("\n");
}

function shortPath(f: string): string {
  const parts = f.split("/");
  return parts.slice(-2).join("/");
}

function leakFindings(leaks: Suspect[], a: Analysis): Finding[] {
  if (leaks.length === 0) return [];
  // Cluster the suspect buckets: one leak reached from several call sites is one finding.
  const ctxs: BlockingContext[] = leaks.map((s) => ({
    cls: s.cls,
    frames: s.bucket.frames.map((f) => f.func),
    waitMinutes: s.maxWaitMinutes,
    count: s.count,
  }));
  return clusterContexts(ctxs).map((cl) => {
    const members = cl.members.map((i) => leaks[i]!);
    const lead = members[0]!;
    const count = members.reduce((s, m) => s + m.count, 0);
    const delta = members.reduce((s, m) => s + (m.delta ?? 0), 0);
    const perMinute = members.reduce((s, m) => s + (m.perMinute ?? 0), 0);
    const persisted = members.reduce((s, m) => s + m.persisted, 0);
    const maxWait = Math.max(...members.map((m) => m.maxWaitMinutes));
    const functions = [...new Set(members.flatMap((m) => bucketFunctions(m.bucket)))];
    const where = lead.where ? `${lead.where.func} (${shortPath(lead.where.file)}:${lead.where.line})` : lead.title;
    const critical = perMinute >= CRITICAL_PER_MINUTE || count >= CRITICAL_COUNT || maxWait >= 60;
    const numbers: Record<string, number> = { leaked_goroutines: count, buckets: members.length };
    if (a.diff) Object.assign(numbers, { growth: delta, growth_per_min: Math.round(perMinute), still_blocked_from_first: persisted });
    if (maxWait > 0) numbers.max_wait_minutes = maxWait;
    return {
      id: `goroutine-leak:${lead.where?.func ?? lead.title}`,
      category: "goroutine-leak",
      severity: critical ? "critical" : "warning",
      confidence: a.countOnly !== undefined ? (a.diff ? 0.7 : 0.5) : a.diff ? Math.min(0.95, 0.6 + persisted / Math.max(1, count) / 2 + (perMinute > 0 ? 0.1 : 0)) : 0.6,
      title:
        `Goroutine leak: ${count} goroutines blocked in ${lead.cls} in ${where}` +
        (a.diff && perMinute > 0 ? `, +${Math.round(perMinute)}/min` : ""),
      summary:
        `${lead.reason.charAt(0).toUpperCase()}${lead.reason.slice(1)}.` +
        (members.length > 1 ? ` ${members.length} similar stacks are grouped here (${members.map((m) => bucketTitle(m.bucket)).join("; ")}).` : ""),
      evidence: [snapshotEvidence(a, numbers, stackExcerpt(lead.bucket), functions), ...firstSnapshotEvidence(a, count - delta, persisted, functions)],
      functions,
      recommendation: lead.advice.charAt(0).toUpperCase() + lead.advice.slice(1) + ".",
      docs: ["https://go.dev/doc/effective_go#channels", "https://pkg.go.dev/go.uber.org/goleak"],
    };
  });
}

/**
 * The user function that runs the server whose connections pile up: the innermost
 * user frame of the goroutine that created them (net/http.(*Server).Serve's
 * goroutine, named by "created by ... in goroutine N" since Go 1.21), else of any
 * goroutine serving an http.Server. That is where the http.Server is configured.
 */
function serverOwner(s: Suspect, a: Analysis): string | undefined {
  const buckets = a.diff?.diff.after ?? a.single?.buckets ?? [];
  const userFrame = (frames: readonly GoFrame[]) => frames.find((f) => originOf(f.func, s.bucket.codeOrigins) === "user")?.func;
  const creator = s.bucket.createdBy?.goroutine ?? 0;
  if (creator > 0) {
    for (const b of buckets) if (b.members.some((g) => g.id === creator)) return userFrame(b.frames);
  }
  for (const b of buckets) {
    if (b.frames.some((f) => f.func === "net/http.(*Server).Serve")) {
      const u = userFrame(b.frames);
      if (u) return u;
    }
  }
  return undefined;
}

function pileupFinding(s: Suspect, a: Analysis): Finding {
  const critical = (s.perMinute ?? 0) >= CRITICAL_PER_MINUTE || s.count >= CRITICAL_COUNT;
  const owner = serverOwner(s, a);
  const numbers: Record<string, number> = { idle_server_connections: s.count };
  if (s.delta !== null) numbers.growth = s.delta;
  if (s.perMinute !== null) numbers.growth_per_min = Math.round(s.perMinute);
  if (a.diff) numbers.still_open_from_first = s.persisted;
  return {
    id: `connection-pileup:${owner ?? "net/http.(*conn).serve"}`,
    category: "connection-pileup",
    severity: critical ? "critical" : "warning",
    confidence: s.delta !== null ? 0.85 : 0.6,
    title: `Connection pile-up: ${s.count} net/http server connections held open${s.perMinute ? `, +${Math.round(s.perMinute)}/min` : ""} (missing server timeouts)`,
    summary:
      `${s.reason.charAt(0).toUpperCase()}${s.reason.slice(1)}. Each idle connection costs a goroutine, ` +
      `its buffers and a file descriptor, until the process runs out of one of them.`,
    evidence: [snapshotEvidence(a, numbers, stackExcerpt(s.bucket), ["net/http.(*conn).serve"])],
    functions: [...new Set([...(owner ? [owner] : []), "net/http.(*conn).serve", ...bucketFunctions(s.bucket)])],
    recommendation:
      (owner ? `In ${owner}, where the http.Server is built and served: ` : "") +
      `${s.advice.charAt(0).toUpperCase()}${s.advice.slice(1)}, e.g. ` +
      "`&http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}`.",
    docs: ["https://pkg.go.dev/net/http#Server", "https://blog.cloudflare.com/the-complete-guide-to-golang-net-http-timeouts/"],
  };
}

function deadlockFinding(a: Analysis): { finding: Finding; buckets: Bucket[] } | undefined {
  const report = a.diff?.deadlock ?? a.single?.deadlock;
  const buckets = a.diff?.diff.after ?? a.single?.buckets ?? [];
  const crashed = a.header.some((h) => /all goroutines are asleep - deadlock/.test(h));
  // Waiters parked in both snapshots are not proof: only a cycle, a recursive read
  // lock behind a writer, minutes-long waits or the runtime's own verdict are.
  if (!report || (report.proof === null && !crashed)) return undefined;
  const recursive = report.recursiveReads[0];
  if (recursive && !report.cycles.length) return recursiveReadFinding(a, report.recursiveReads, buckets);
  const blocked = report.blocked.map((i) => buckets[i]!).filter(Boolean);
  const count = blocked.reduce((s, b) => s + b.count, 0);
  const cycle = report.cycles[0];
  // The functions that took the locks in opposite orders come first; of those, the one
  // fewer goroutines run first: the odd one out is the likelier place for the wrong order.
  const edges = cycle ? [...cycle.edges].sort((x, y) => buckets[x.bucket]!.count - buckets[y.bucket]!.count) : [];
  const callers = edges.map((e) => e.caller?.func).filter((f): f is string => !!f);
  const functions = [...new Set([...callers, ...(cycle ? edges.map((e) => buckets[e.bucket]!) : blocked).flatMap(bucketFunctions)])];
  for (const b of blocked) for (const f of bucketFunctions(b)) if (!functions.includes(f)) functions.push(f);
  const cycleText = cycle
    ? cycle.edges.map((e) => `${e.caller?.func ?? bucketTitle(buckets[e.bucket]!)} holds ${e.holds} and waits for ${e.waits}`).join("; ")
    : "";
  const numbers: Record<string, number> = { goroutines_blocked_on_locks: count, locks: report.locks.length };
  if (cycle) numbers.lock_cycle_length = cycle.edges.length;
  const excerpt = report.locks
    .map((l) => `lock ${l.lock || "?"}: ${l.count} waiting` + l.buckets.map((b) => `\n  ${b.count} in ${b.caller?.func ?? "?"}${b.heldLocks.length ? ` (holds ${b.heldLocks.join(", ")})` : ""}`).join(""))
    .join("\n");
  return {
    buckets: blocked,
    finding: {
      id: `deadlock:${functions[0] ?? "locks"}`,
      category: "deadlock",
      severity: "critical",
      confidence: cycle || crashed ? 0.95 : 0.75,
      title: crashed
        ? "Deadlock: the runtime stopped the program (all goroutines are asleep)"
        : cycle
          ? `Deadlock: lock-order inversion between ${[...new Set(callers)].join(" and ")}`
          : `Possible deadlock: ${count} goroutines stuck in sync.Mutex.Lock (${report.criterion})`,
      summary:
        (cycle ? `${cycleText}: neither can proceed. ` : "") +
        `${count} goroutines are stuck in sync.Mutex.Lock (criterion: ${report.criterion}); ` +
        `every request that needs these locks will hang while the rest of the service keeps running.`,
      evidence: [snapshotEvidence(a, numbers, excerpt || stackExcerpt(blocked[0]!), functions)],
      functions,
      recommendation:
        "Take the locks in one global order everywhere (if one path locks A then B, no path may lock B then A), or hold only one at a time; " +
        "a goroutine dump of the stuck process shows who holds what (the caller frames above sync.(*Mutex).Lock).",
      docs: ["https://go.dev/doc/articles/race_detector", "https://pkg.go.dev/sync#Mutex"],
    },
  };
}

function recursiveReadFinding(a: Analysis, recs: RecursiveReadLock[], buckets: Bucket[]): { finding: Finding; buckets: Bucket[] } {
  const r = recs[0]!;
  const stuck = recs.map((x) => buckets[x.bucket]!);
  const writers = r.writers.map((i) => buckets[i]!);
  const count = recs.reduce((s, x) => s + x.count, 0) + writers.reduce((s, b) => s + b.count, 0);
  const holder = r.holder.func;
  const functions = [...new Set([holder, r.waiter.func, ...writers.flatMap(bucketFunctions)])];
  const numbers: Record<string, number> = {
    goroutines_waiting_for_second_rlock: recs.reduce((s, x) => s + x.count, 0),
    writers_waiting: writers.reduce((s, b) => s + b.count, 0),
  };
  return {
    buckets: [...stuck, ...writers],
    finding: {
      id: `deadlock:${holder}`,
      category: "deadlock",
      severity: "critical",
      confidence: 0.9,
      title: `Deadlock: ${holder} takes a read lock it already holds, while a writer waits`,
      summary:
        `${holder} holds an RWMutex read lock (its goroutines also wait for RLock at ${shortPath(r.holder.file)}:${lineBefore(r)}) ` +
        `and calls ${r.waiter.func}, which asks for the same read lock again (${shortPath(r.waiter.file)}:${r.waiter.line}). ` +
        `A writer is queued in Lock (${writers.map(bucketTitle).join("; ")}): it waits for the first read lock to be released, ` +
        `and the second RLock waits for the writer. ${count} goroutines can never proceed, and every new reader queues behind them.`,
      evidence: [snapshotEvidence(a, numbers, [stackExcerpt(stuck[0]!), ...writers.slice(0, 1).map((w) => stackExcerpt(w, 4))].join("\n--\n"), functions)],
      functions,
      recommendation:
        `Do not RLock recursively (the sync.RWMutex documentation forbids it): in ${holder}, call an unexported variant of ` +
        `${r.waiter.func} that expects the lock to be held, or release the read lock before the call.`,
      docs: ["https://pkg.go.dev/sync#RWMutex"],
    },
  };
}

function lineBefore(r: RecursiveReadLock): string {
  return `before line ${r.holder.line}`;
}

/**
 * Contention seen in goroutine snapshots alone: goroutines queued in Lock/RLock on one
 * object (the receiver their method printed, when the snapshot prints receivers), and
 * the goroutine inside a method of that same object that is not waiting for it — the
 * holder — with what it is doing meanwhile (an HTTP call, network I/O, a system call,
 * a sleep): that is the work to move out of the critical section. Of the snapshots,
 * one that caught the holder says more than one that only caught waiters.
 */
function lockWaitersFinding(snaps: Snapshot[]): { finding: Finding; computingHolder?: string } | undefined {
  let best: { snap: Snapshot; waiters: Bucket[]; count: number; recv: string; holder?: { frame: string; bucket: Bucket } } | undefined;
  for (const snap of snaps) {
    const byObject = new Map<string, Bucket[]>();
    for (const b of snap.buckets) {
      const caller = lockCaller(b);
      if (!caller) continue;
      const key = `${methodType(caller.func)}|${firstArg(caller.args)}`;
      let l = byObject.get(key);
      if (!l) byObject.set(key, (l = []));
      l.push(b);
    }
    for (const [key, waiters] of byObject) {
      const count = waiters.reduce((s, b) => s + b.count, 0);
      if (count < MIN_LOCK_WAITERS) continue;
      const [type, recv] = key.split("|") as [string, string];
      const holder = type ? findHolder(snap.buckets, type, recv) : undefined;
      if (best && (Number(!!best.holder) > Number(!!holder) || (!!best.holder === !!holder && best.count >= count))) continue;
      best = { snap, waiters, count, recv, holder };
    }
  }
  if (!best) return undefined;
  const waiter = best.waiters[0]!;
  const waitFn = lockCaller(waiter)!.func;
  const holder = best.holder;
  const doing = holder ? describeWait(holder.bucket) : "";
  const fn = holder?.frame ?? waitFn;
  const functions = [...new Set([fn, waitFn, ...(holder ? bucketFunctions(holder.bucket) : [])])];
  const numbers: Record<string, number> = { goroutines: best.snap.buckets.reduce((s, b) => s + b.count, 0), goroutines_waiting_for_lock: best.count };
  const computing = holder && (holder.bucket.cls === "running" || holder.bucket.cls === "runnable") && !doing.startsWith("during");
  const finding: Finding = {
    id: `mutex-contention:${fn}`,
    category: "mutex-contention",
    severity: "warning",
    confidence: holder ? 0.7 : 0.5,
    title: holder
      ? `Lock contention: ${best.count} goroutines wait in ${waitFn} while ${fn} holds the lock ${doing}`
      : `Lock contention: ${best.count} goroutines wait for the lock in ${waitFn}`,
    summary:
      `A ${best.snap.kind} shows ${best.count} goroutines queued on one lock (${bucketTitle(waiter)})` +
      (holder
        ? `; the goroutine inside ${fn} on the same ${best.recv ? "object" : "type (this snapshot prints no receivers)"} is not waiting for it: it holds it, ${doing}.`
        : ".") +
      " Block and mutex profiling are off, so the snapshots are the evidence (enable them for the wait time).",
    evidence: [
      {
        source: best.snap.file.path,
        kind: best.snap.kind,
        numbers,
        excerpt: [stackExcerpt(waiter, 6), ...(holder ? [stackExcerpt(holder.bucket, 8)] : [])].join("\n--\n"),
        functions,
      },
    ],
    functions,
    recommendation: holder
      ? `Do not hold the lock in ${fn} ${doing}: do that work first, then take the lock only to publish the result ` +
        "(or keep serving the old value while one goroutine refreshes it)."
      : `Shorten the critical sections of the lock ${waitFn} waits for; enable block/mutex profiling to see who holds it.`,
    docs: ["https://pkg.go.dev/sync#RWMutex", "https://pkg.go.dev/runtime#SetMutexProfileFraction"],
  };
  return computing ? { finding, computingHolder: fn } : { finding };
}

/**
 * A goroutine queued for a lock: parked in Lock/RLock, or runnable at the lock's
 * semaphore — readied by the Unlock that just handed it the lock (RWMutex.Unlock
 * wakes every reader that queued behind the writer), so it was waiting until then.
 */
function waitsForLock(b: Bucket): { waitDepth: number } | undefined {
  if (b.cls === "sync:mutex" || b.cls === "sync:rwmutex") return { waitDepth: b.waitDepth };
  if (b.cls !== "runnable") return undefined;
  const top = b.frames.find((f) => !f.func.startsWith("runtime."));
  if (!top || !LOCK_SEMAPHORES.has(top.func)) return undefined;
  const c = classifyFrames(b.frames.map((f) => f.func));
  return c.cls === "sync:mutex" || c.cls === "sync:rwmutex" ? { waitDepth: c.waitDepth } : undefined;
}

/** Where Lock and RLock park (runtime/sema.go): a goroutine there waits for the lock, not in Unlock. */
const LOCK_SEMAPHORES = new Set([
  "sync.runtime_SemacquireMutex",
  "internal/sync.runtime_SemacquireMutex",
  "sync.runtime_SemacquireRWMutexR",
  "sync.runtime_SemacquireRWMutex",
]);

/** The user frame that asked for the lock (the first user frame above the wait). */
function lockCaller(b: Bucket): GoFrame | undefined {
  const w = waitsForLock(b);
  if (!w) return undefined;
  return b.frames.slice(Math.max(0, w.waitDepth + 1)).find((f) => originOf(f.func, b.codeOrigins) === "user");
}

function methodType(fn: string): string {
  const m = /^(.*\.\(\*?[^)]+\))\./.exec(fn);
  return m ? m[1]! : "";
}

function firstArg(args: string): string {
  const a = args.split(",")[0]?.trim() ?? "";
  return /^0x[0-9a-f]+$/.test(a) ? a : "";
}

/** The innermost frame of a method of `type` (on the same receiver when printed) in a goroutine not waiting for a lock. */
function findHolder(buckets: Bucket[], type: string, recv: string): { frame: string; bucket: Bucket } | undefined {
  for (const b of buckets) {
    if (waitsForLock(b)) continue;
    for (const f of b.frames) {
      if (methodType(f.func) !== type) continue;
      const r = firstArg(f.args);
      if (recv !== "" && r !== "" && r !== recv) continue;
      return { frame: f.func, bucket: b };
    }
  }
  return undefined;
}

function describeWait(b: Bucket): string {
  if (b.frames.some((f) => /^net\/http\.\(\*(Client|Transport)\)|^net\/http\.\(\*persistConn\)/.test(f.func))) return "during an HTTP call";
  if (b.cls.startsWith("io:")) return "during network I/O";
  if (b.cls === "syscall") return "during a system call";
  if (b.cls === "sleep") return "while sleeping";
  if (b.cls === "running" || b.cls === "runnable") return "while computing";
  return `while blocked in ${b.cls}`;
}

/** Request handlers queued on one channel send: back-pressure seen in a dump. */
const MIN_BLOCKED_HANDLERS = 5;

const inHandler = (b: Bucket) => b.frames.some((f) => f.func === "net/http.(*conn).serve");

/**
 * Back-pressure from the dumps: request handlers (net/http.(*conn).serve on their
 * stack) blocked sending on a channel at one user send site. A leaked sender is a
 * detached goroutine; a handler blocked in a send is a request waiting for a full
 * queue to drain, which is what back-pressure is (the block profile, when on, gives
 * the wait time; the dump shows it without it).
 */
function backpressureFinding(a: Analysis): Finding | undefined {
  const buckets = a.diff?.diff.after ?? a.single?.buckets ?? [];
  const bySite = new Map<string, Bucket[]>();
  for (const b of buckets) {
    if (b.cls !== "chan:send" || !inHandler(b)) continue;
    const site = b.frames.find((f) => originOf(f.func, b.codeOrigins) === "user");
    if (!site) continue;
    let l = bySite.get(site.func);
    if (!l) bySite.set(site.func, (l = []));
    l.push(b);
  }
  let best: [string, Bucket[], number] | undefined;
  for (const [fn, bs] of bySite) {
    const n = bs.reduce((s, b) => s + b.count, 0);
    if (n >= MIN_BLOCKED_HANDLERS && (!best || n > best[2])) best = [fn, bs, n];
  }
  if (!best) return undefined;
  const [fn, bs, n] = best;
  const handlers = buckets.filter(inHandler).reduce((s, b) => s + b.count, 0);
  const numbers: Record<string, number> = { handlers_blocked_in_send: n, handlers_total: handlers };
  return {
    id: `channel-backpressure:${fn}`,
    category: "channel-backpressure",
    severity: n >= handlers / 2 ? "critical" : "warning",
    confidence: 0.7,
    title: `Back-pressure: ${n} of ${handlers} request handlers blocked sending on a full channel in ${fn}`,
    summary:
      `${n} goroutines serving requests are blocked in a channel send in ${fn}: the channel's consumers are slower ` +
      "than the requests that feed it, so requests wait for the queue to drain.",
    evidence: [snapshotEvidence(a, numbers, stackExcerpt(bs[0]!), [fn])],
    functions: [fn],
    recommendation:
      `Speed up or add consumers of the channel ${fn} sends on (more workers, batching), or shed load ` +
      "(a non-blocking send with select/default and a 503) instead of queueing; a bigger buffer only hides the imbalance.",
    docs: ["https://go.dev/blog/pipelines"],
  };
}
