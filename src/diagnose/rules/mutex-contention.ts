// mutex-contention: goroutines spend a lot of time waiting for a sync.Mutex or
// RWMutex. The mutex profile names the code that *held* the lock (the Unlock that
// ended each contended wait), the block profile the code that *waited*. The finding
// names the holder's critical section and, from the CPU profile, what it does while
// holding the lock, because that is what to move out.

import { attributeToUserCode, topEntries, type Attribution } from "../../core/go/index.js";
import { sampleTypeIndex } from "../../core/model/index.js";
import type { DiagnoseContext } from "../context.js";
import type { Evidence, Finding } from "../finding.js";
import { secs, type Rule } from "../rule.js";
import { cpuAnalysis } from "../cpu.js";
import { heldAcross, type HeldAcross } from "./held-across.js";
import { releasedByLibrary } from "./lock-owner.js";
import { rechargeReadersBehindWriter } from "./rwmutex-readers.js";

/**
 * Contention rate = lock wait time per second of wall time = the average number
 * of goroutines queued on contended locks. Half a goroutine waiting all the time
 * is visible latency; two or more means requests are serialised.
 */
const WARN_WAITERS = 0.5;
const CRITICAL_WAITERS = 2;
/** The top critical section must own this share of the contention to be named. */
const MIN_SITE_SHARE = 0.3;
/**
 * Heavy work inside a contended critical section is a design defect whatever the
 * load: when the holder's code runs for at least this share of the process's CPU,
 * the finding is a warning even if the profile's window (and so the waiting rate)
 * is unknown, as with cumulative profiles fetched by hand.
 */
export const WORK_UNDER_LOCK_SHARE = 0.2;

const LOCK_WAIT = /^(sync\.\(\*(RW)?Mutex\)\.(R)?Lock|internal\/sync\.\(\*Mutex\)\.Lock)$/;

export const mutexContentionRule: Rule = {
  name: "mutex-contention",
  run(ctx: DiagnoseContext): Finding[] {
    const mutex = ctx.profile("mutex");
    if (!mutex) return [];
    const di = sampleTypeIndex(mutex.profile, "delay");
    if (di < 0) return [];
    // Only the user's own critical sections: a lock the standard library takes and
    // releases inside itself is not one the user can shorten (lock-owner.ts).
    const held = attributeToUserCode(mutex.frames, di, (fr) => !releasedByLibrary(fr));
    if (held.total === 0) return [];
    // Readers queued behind a writer are charged to the writer's Unlock; when the read
    // sections are what the writer waited for, they are the place to fix (rwmutex-readers.ts).
    const { byFunction, recharged } = rechargeReadersBehindWriter(mutex, di, held);
    const top = topEntries(byFunction, 1)[0];
    if (!top) return [];
    const [holder, holderDelay] = top;
    if (holderDelay < MIN_SITE_SHARE * held.total) return [];
    const waiters = mutex.seconds ? held.total / 1e9 / mutex.seconds : undefined;
    // A holder that waits for something else (an HTTP call, I/O, a sleep) inside its
    // critical section is a design defect at any load: every goroutine queued behind it
    // waits that long too. Proven from the block profile or a dump (held-across.ts).
    const across = consistentWithOneHolder(heldAcross(ctx, mutex, holder), mutex.seconds);
    if (waiters !== undefined && waiters < WARN_WAITERS && !across) return [];
    // What the holder does with the lock held, from the CPU profile.
    const work = holderWork(ctx, holder);
    const heavyWork = work !== undefined && work.cpuShare >= WORK_UNDER_LOCK_SHARE;
    const severity =
      waiters !== undefined && waiters >= CRITICAL_WAITERS ? "critical" : across || heavyWork || waiters !== undefined ? "warning" : "info";

    const evidence: Evidence[] = [
      {
        source: mutex.file.path,
        kind: mutex.secondsSource ? `mutex profile (window: ${mutex.secondsSource})` : "mutex profile",
        numbers: {
          contention_delay_ns: held.total,
          holder_delay_ns: Math.round(holderDelay),
          holder_share_pct: Math.round((1000 * holderDelay) / held.total) / 10,
          ...(mutex.seconds !== undefined ? { window_seconds: mutex.seconds } : {}),
          ...(waiters !== undefined ? { avg_goroutines_waiting: Math.round(100 * waiters) / 100 } : {}),
        },
        functions: [holder],
      },
    ];
    const waitSites = blockedLockers(ctx);
    if (waitSites && waitSites.total > 0) {
      const sites = topEntries(waitSites.byFunction, 3);
      evidence.push({
        source: ctx.profile("block")!.file.path,
        kind: "block profile (lock waits)",
        numbers: { lock_wait_ns: waitSites.total },
        functions: sites.map(([f]) => f),
        excerpt: sites.map(([f, v]) => `${secs(v).padStart(8)} waiting in ${f}`).join("\n"),
      });
    }
    const behind = recharged.find((r) => r.readers.includes(holder));
    if (behind) {
      evidence.push({
        source: mutex.file.path,
        kind: "mutex profile (readers queued behind a writer)",
        numbers: {
          reader_wait_behind_writer_ns_avg: Math.round(behind.readerWaitNs),
          writer_wait_for_readers_ns_avg: Math.round(behind.writerWaitNs),
          delay_released_by_writer_ns: behind.rechargedNs,
        },
        functions: [...behind.readers, ...behind.writers],
        excerpt:
          `${behind.lockType}'s RWMutex: readers queued behind a writer (${behind.writers.join(", ")}) waited ${secs(behind.readerWaitNs)} on average, ` +
          `the writer waited ${secs(behind.writerWaitNs)} on average for the readers in flight (${behind.readers.join(", ")})`,
      });
    }
    if (work) evidence.push(work.evidence);
    if (across) {
      evidence.push({
        source: across.source,
        kind: `${across.kind} (lock held across ${across.what})`,
        numbers: {
          ...(across.blockedNs !== undefined ? { blocked_inside_critical_section_ns: across.blockedNs } : {}),
          // the share of the window the lock was held across that wait
          ...(across.blockedNs !== undefined && mutex.seconds ? { held_across_wait_pct_of_window: Math.round(across.blockedNs / mutex.seconds / 1e7 * 10) / 10 } : {}),
          ...(across.goroutines !== undefined ? { goroutines_waiting_inside_critical_section: across.goroutines } : {}),
          lock_line: Math.min(...across.lockLines),
          unlock_line: Math.max(...across.unlockLines),
        },
        functions: [holder, across.waitsIn],
        excerpt: `${holder}: Lock at line ${across.lockLines.join(", ")}, Unlock at line ${across.unlockLines.join(", ")}; in between it waits in ${across.waitsIn}`,
      });
    }

    const workText =
      (across ? ` It holds the lock across ${across.what} (${across.waitsIn}): everyone queued waits for that call too.` : "") +
      (work?.top.length ? ` While holding it, ${holder} spends its CPU in ${work.top.join(", ")}.` : "");
    return [
      {
        id: `mutex-contention:${holder}`,
        category: "mutex-contention",
        severity,
        confidence: waiters === undefined ? 0.5 : Math.min(0.95, 0.6 + waiters / 20),
        title:
          (across ? `Lock held across ${across.what} in ${holder}` : `Lock contention in ${holder}`) +
          (waiters !== undefined ? ` (${waiters.toFixed(1)} goroutines waiting on average)` : ""),
        summary:
          `Goroutines waited ${secs(held.total)} in total for contended locks` +
          (mutex.seconds ? ` over ${mutex.seconds.toFixed(1)}s` : "") +
          (behind
            ? `; ${Math.round((100 * holderDelay) / held.total)}% of it is due to ${holder}'s read lock: a writer waits for the readers in flight, and sync.RWMutex queues every new reader behind that writer.`
            : `; ${Math.round((100 * holderDelay) / held.total)}% of it for a lock released in ${holder}.`) +
          workText,
        evidence,
        functions: [holder, ...(work?.top ?? [])],
        recommendation:
          `Shorten the critical section in ${holder}: do the expensive work` +
          (across ? ` (${across.what} in ${across.waitsIn})` : work?.top.length ? ` (${work.top[0]})` : "") +
          ` before taking the lock or after releasing it, shard the lock (one per key/bucket), ` +
          `or use an RWMutex/atomic values if most accesses only read.`,
        docs: ["https://go.dev/doc/diagnostics#profiling", "https://pkg.go.dev/sync#Mutex"],
      },
    ];
  },
};

/**
 * A mutex has one holder at a time, so the time its holders spend blocked inside the
 * critical section is at most the window (the cumulative block profile covers the same
 * process life as the mutex profile). More than that, and the goroutines blocked at those
 * lines cannot all have held it: the Lock and Unlock lines seen do not bound one section
 * (an unlock between them that no contention sampled, or one lock per object).
 */
function consistentWithOneHolder(across: HeldAcross | undefined, windowSeconds: number | undefined): HeldAcross | undefined {
  if (!across || across.blockedNs === undefined || windowSeconds === undefined) return across;
  // 10 % slack: the two profiles are fetched moments apart and the window is measured at one of them.
  return across.blockedNs / 1e9 <= 1.1 * windowSeconds ? across : undefined;
}

function blockedLockers(ctx: DiagnoseContext): Attribution | undefined {
  const block = ctx.profile("block");
  if (!block) return undefined;
  const di = sampleTypeIndex(block.profile, "delay");
  if (di < 0) return undefined;
  return attributeToUserCode(block.frames, di, (fr) => fr.slice(0, 4).some((f) => LOCK_WAIT.test(f)));
}

export function holderWork(ctx: DiagnoseContext, holder: string): { evidence: Evidence; top: string[]; cpuShare: number } | undefined {
  const analysis = cpuAnalysis(ctx);
  if (!analysis) return undefined;
  const { input: cpu, typeIndex: ti, all: attr } = analysis;
  const own = attr.byFunction.get(holder) ?? 0;
  // Include user callees of the holder too (holder -> helper -> library).
  const under = attributeToUserCode(cpu.frames, ti, (fr) => fr.includes(holder));
  if (under.total === 0) return undefined;
  const parts = new Map<string, number>();
  for (const [fn, v] of under.byFunction) {
    if (fn === holder) for (const [c, cv] of under.callees.get(fn) ?? []) parts.set(c, (parts.get(c) ?? 0) + cv);
    else parts.set(fn, (parts.get(fn) ?? 0) + v);
  }
  const top = topEntries(parts, 3).filter(([, v]) => v >= 0.1 * under.total);
  return {
    top: top.map(([f]) => f),
    cpuShare: attr.total > 0 ? under.total / attr.total : 0,
    evidence: {
      source: cpu.file.path,
      kind: "cpu profile (lock holder)",
      numbers: { holder_cpu_ns: under.total, holder_own_cpu_ns: own, total_cpu_ns: attr.total },
      functions: [holder, ...top.map(([f]) => f)],
      excerpt: top.map(([f, v]) => `${secs(v).padStart(8)}  ${holder} -> ${f}`).join("\n"),
    },
  };
}
