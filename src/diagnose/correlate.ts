// Cross-rule reasoning: when one finding causes another, link them so the cause
// ranks first and carries the higher severity, and the reader is told which
// findings are symptoms. The links are about code paths: the same function, or one
// running inside the other's critical section.

import { SEVERITY_RANK, type Finding } from "./finding.js";

interface Link {
  cause: Finding["category"];
  effect: Finding["category"];
  /** does the cause's code path explain the effect's? */
  related(cause: Finding, effect: Finding): boolean;
}

const sameOrNested = (a: Finding, b: Finding) => a.functions.some((f) => b.functions.includes(f));
const held = (f: Finding) =>
  f.evidence[0]?.numbers["client_connections_open"] ?? f.evidence[0]?.numbers["idle_server_connections"] ?? Infinity;

/** The share of the process's CPU a hot spot spends in its own instructions (cpu-hotspot's evidence). */
const ownLoopShare = (c: Finding) => {
  const n = c.evidence[0]?.numbers;
  return n?.["own_instructions_cpu_ns"] && n["total_cpu_ns"] ? n["own_instructions_cpu_ns"] / n["total_cpu_ns"] : 0;
};
/** The GC's share of the process's CPU, as the GC finding measured it (gctrace or the CPU profile). */
const gcShare = (g: Finding) =>
  Math.max(0, ...g.evidence.map((e) => (e.numbers["gc_cpu_pct"] ?? e.numbers["gc_share_of_process_cpu_pct"] ?? 0) / 100));
/**
 * A hot spot above info whose own loops cost more of the CPU than the GC does is not
 * allocator work the GC pressure explains: its instructions are the cost (godiag
 * corpus round 6: topsellers sorts the catalogue per request, 94 % of the CPU, 23 %
 * its own comparisons, GC 10 %; the sorted copy is also the top allocation).
 */
const loopsOutweighGc = (c: Finding, g: Finding) => c.severity !== "info" && ownLoopShare(c) > gcShare(g);
/**
 * Only a finding that measured the holder's CPU at the critical section the mutex
 * profile names (its release site, and the CPU profile under it) places CPU work inside
 * a critical section; a goroutine snapshot's holder is one instant's goroutine of the
 * lock's type (topsellers' "holder" sorts after its RUnlock), so its function's CPU,
 * even when weighed, is not CPU spent holding the lock.
 */
const measuredHolderCpu = (m: Finding) =>
  m.evidence.some((e) => e.kind.startsWith("mutex profile")) && m.evidence.some((e) => e.kind === "cpu profile (lock holder)");

const LINKS: Link[] = [
  // Unbuffered I/O inside a critical section makes the lock contended: fix the I/O first.
  { cause: "syscall-heavy", effect: "mutex-contention", related: sameOrNested },
  // Heavy CPU work inside a critical section: the contention is the problem to fix
  // (move the work out of the lock); the hot spot is how it shows in the CPU profile.
  { cause: "mutex-contention", effect: "cpu-hotspot", related: (m, c) => measuredHolderCpu(m) && sameOrNested(m, c) },
  // Allocation churn costs CPU in the allocator and the GC: the hot allocating
  // function is the same code path as the CPU hot spot.
  // ... unless the hot spot is a recognised mistake (regexp compiled per call): then
  // the mistake is the cause and the garbage it makes is the symptom.
  // ... and unless the hot spot's own loops cost more CPU than the GC: then the loops are
  // the cost, and the garbage the same function makes is the lesser one.
  { cause: "gc-pressure", effect: "cpu-hotspot", related: (g, c) => c.pattern === undefined && !loopsOutweighGc(c, g) && sameOrNested(g, c) },
  { cause: "cpu-hotspot", effect: "gc-pressure", related: (c, g) => (c.pattern !== undefined || loopsOutweighGc(c, g)) && sameOrNested(c, g) },
  // Thrash makes every cycle a forced-looking, back-to-back GC.
  { cause: "memory-limit-thrash", effect: "gc-pressure", related: () => true },
  // A growing heap under a fixed limit ends in thrash: the growth is the cause.
  { cause: "heap-growth", effect: "memory-limit-thrash", related: sameOrNested },
  // Client connections held open by unclosed response bodies show, when the service
  // also serves what it calls (a sidecar, a stub, itself), as idle server connections.
  { cause: "response-body-leak", effect: "connection-pileup", related: (leak, pile) => held(pile) <= held(leak) * 1.5 + 5 },
  // An allocating goroutine that stops late for a GC's stop-the-world was in the
  // allocator: the allocation rate is the thing to fix.
  { cause: "gc-pressure", effect: "stw-delay", related: sameOrNested },
  // A CPU-bound function that starves request handlers of Ps: the starvation is the
  // problem to fix (bound that work); the hot spot is how it shows in the CPU profile.
  { cause: "scheduler-latency", effect: "cpu-hotspot", related: sameOrNested },
  // A hot spot that is all system calls is the syscall finding.
  { cause: "syscall-heavy", effect: "cpu-hotspot", related: sameOrNested },
];

export function correlate(findings: Finding[]): Finding[] {
  for (const link of LINKS) {
    for (const cause of findings.filter((f) => f.category === link.cause)) {
      for (const effect of findings.filter((f) => f.category === link.effect)) {
        if (!link.related(cause, effect)) continue;
        cause.explains = [...new Set([...(cause.explains ?? []), effect.id])];
      }
    }
  }
  // A cause is at least as severe as what it explains (transitively).
  const byId = new Map(findings.map((f) => [f.id, f]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of findings) {
      for (const id of f.explains ?? []) {
        const e = byId.get(id);
        if (e && SEVERITY_RANK[e.severity] > SEVERITY_RANK[f.severity]) {
          f.severity = e.severity;
          changed = true;
        }
      }
    }
  }
  return findings;
}
