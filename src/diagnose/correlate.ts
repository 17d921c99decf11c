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

const LINKS: Link[] = [
  // Unbuffered I/O inside a critical section makes the lock contended: fix the I/O first.
  { cause: "syscall-heavy", effect: "mutex-contention", related: sameOrNested },
  // Heavy CPU work inside a critical section: the contention is the problem to fix
  // (move the work out of the lock); the hot spot is how it shows in the CPU profile.
  { cause: "mutex-contention", effect: "cpu-hotspot", related: sameOrNested },
  // Allocation churn costs CPU in the allocator and the GC: the hot allocating
  // function is the same code path as the CPU hot spot.
  // ... unless the hot spot is a recognised mistake (regexp compiled per call): then
  // the mistake is the cause and the garbage it makes is the symptom.
  { cause: "gc-pressure", effect: "cpu-hotspot", related: (g, c) => c.pattern === undefined && sameOrNested(g, c) },
  { cause: "cpu-hotspot", effect: "gc-pressure", related: (c, g) => c.pattern !== undefined && sameOrNested(c, g) },
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
