// waiting-on-goroutines: goroutines park very often on channels, mutexes and
// selects while the netpoller wakes almost none of them: the program's goroutines
// wait on each other, not on I/O. Latency then comes from the hand-offs and the
// locks themselves (a pipeline of unbuffered channels, a shared lock on every
// step), and a faster network or disk would not help. The eBPF gopark probe counts
// parks by wait reason and netpoll's ready goroutines; the goroutine dumps name the
// user function where goroutines wait (the gopark probe has no stacks).
// gopark and netpoll are opt-in probes (uprobes, paid per park): a report without them
// gets a warning that this check did not run and how to run it, not silence.

import { BLOCKED_ON_GOROUTINES, classifyGoroutine } from "../../core/go/index.js";
import type { Evidence, Finding } from "../finding.js";
import { secs, type Rule } from "../rule.js";
import { dumpWaits, EBPF_ONLY, ebpfReports } from "../ebpf-input.js";

/**
 * Parks between goroutines per second to call them frequent: an idle Go process parks a
 * few times a second (GC workers, timers, the scavenger); a hundred a second is request
 * traffic handing work between goroutines.
 */
const MIN_PARKS_PER_SECOND = 100;
/**
 * "Ready fds ~ 0": goroutines the netpoller made ready, per goroutine-to-goroutine park.
 * One I/O event typically fans out to a few hand-offs (net/http's read loop wakes the
 * caller through a channel: one or two parks per wake-up); under one in twenty, I/O
 * ends almost none of the waits.
 */
const MAX_IO_SHARE = 0.05;

export const ebpfWaitsRule: Rule = {
  name: "ebpf-waits",
  run(ctx): Finding[] {
    const out: Finding[] = [];
    for (const { file, report } of ebpfReports(ctx)) {
      const g = report.gopark;
      const np = report.netpoll;
      const w = report.window.seconds;
      if (!g || !np) {
        const missing = [!g ? "gopark" : "", !np ? "netpoll" : ""].filter((x) => x !== "").join(" and ");
        ctx.bundle.warnings.push(
          `${file.path}: waiting-on-goroutines not checked: it needs the opt-in ${missing} probe${!g && !np ? "s" : ""} ` +
            `(godiag probe / capture --ebpf / run --ebpf --probes ${[...report.probes, ...(!g ? ["gopark"] : []), ...(!np ? ["netpoll"] : [])].join(",")}, or --probes all; they cost CPU per park, docs/EBPF.md)`,
        );
        continue;
      }
      if (w <= 0) continue;
      // The wait reason's name read as a dump state ("chan receive", "sync.Mutex.Lock", "semacquire", "select").
      const between = g.reasons.filter((r) => BLOCKED_ON_GOROUTINES.has(classifyGoroutine(r.name, []).cls));
      const parks = between.reduce((s, r) => s + r.parks, 0);
      const parkNs = between.reduce((s, r) => s + r.parkToRunNs, 0);
      const ioReady = np.blocking.readyGoroutines + np.nonBlocking.readyGoroutines;
      if (parks / w < MIN_PARKS_PER_SECOND || ioReady > MAX_IO_SHARE * parks) continue;
      const dumps = dumpWaits(ctx, BLOCKED_ON_GOROUTINES);
      const byFn = new Map<string, number>();
      for (const d of dumps) for (const [fn, n] of d.byFunction) if (fn !== "") byFn.set(fn, (byFn.get(fn) ?? 0) + n);
      const ranked = [...byFn].sort((a, b) => b[1] - a[1]);
      const fns = ranked.slice(0, 3).map(([fn]) => fn);
      const confirmed = fns.length > 0;
      const reasons = between.slice(0, 4).map((r) => `${r.name} ${r.parks}`).join(", ");
      const evidence: Evidence[] = [
        {
          source: file.path,
          kind: confirmed ? "eBPF gopark and netpoll probes (opt-in: --probes ...,gopark,netpoll)" : `eBPF gopark and netpoll probes (opt-in: --probes ...,gopark,netpoll; ${EBPF_ONLY})`,
          numbers: {
            parks_between_goroutines: parks,
            parks_per_second: Math.round(parks / w),
            park_to_run_ns: parkNs,
            netpoll_ready_goroutines: ioReady,
            io_ready_per_park: Math.round((ioReady / parks) * 1e4) / 1e4,
            window_seconds: w,
          },
          excerpt: between.slice(0, 6).map((r) => `${r.name}: ${r.parks} parks, park -> run p50 ≤ ${r.parkToRunUs.p50} µs, p99 ≤ ${r.parkToRunUs.p99} µs`).join("\n"),
        },
      ];
      for (const d of dumps) {
        if (d.matching === 0) continue;
        const top = [...d.byFunction].filter(([fn]) => fn !== "").sort((a, b) => b[1] - a[1]).slice(0, 3);
        evidence.push({
          source: d.file.path,
          kind: "goroutine dump: goroutines waiting on channels, locks, selects",
          numbers: { goroutines_waiting_on_goroutines: d.matching, goroutines: d.total },
          functions: top.map(([fn]) => fn),
          excerpt: top.map(([fn, n]) => `${n} in ${fn}`).join("\n"),
        });
      }
      out.push({
        id: `waiting-on-goroutines:${fns[0] ?? "process"}`,
        category: "waiting-on-goroutines",
        severity: "warning",
        confidence: confirmed ? 0.6 : 0.45,
        title: `goroutines park ${Math.round(parks / w)} times a second on each other${fns[0] ? ` (most in ${fns[0]})` : ""}, and almost never on I/O`,
        summary:
          `In ${w.toFixed(1)} s goroutines parked ${parks} times on channels, locks and selects (${reasons}; ${secs(parkNs)} parked in all) ` +
          `while the netpoller made only ${ioReady} goroutine(s) ready: the goroutines wait on each other, not on I/O. ` +
          (confirmed
            ? `The goroutine dumps show where: ${ranked.slice(0, 3).map(([fn, n]) => `${n} in ${fn}`).join(", ")}.`
            : `${EBPF_ONLY}: without goroutine dumps in the bundle the function is not known (capture --ebpf adds them).`),
        evidence,
        functions: fns,
        recommendation:
          `Look at the hand-offs${fns[0] ? ` in ${fns[0]}` : ""}: fewer goroutine hops per request (do the step in the caller), ` +
          `buffered channels or batches instead of one unbuffered send per item, and no lock shared by every step ` +
          `(the block and mutex profiles, with runtime.SetBlockProfileRate / SetMutexProfileFraction, give the exact lines).`,
        docs: ["https://go.dev/doc/diagnostics#profiling"],
      });
    }
    return out;
  },
};
