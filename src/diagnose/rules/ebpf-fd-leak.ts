// fd-leak: the process's open file descriptors rise through the probes' window,
// second after second, and the goroutine dumps of the same capture show goroutines
// waiting on network I/O piling up in one function: connections (or files) are
// opened and never closed. A service at a steady load holds a steady number of
// fds, since connections open and close at the same rate; a count that only goes up
// ends at the fd limit ("too many open files") or exhausts the peer. The probe's
// fd sampler (/proc/PID/fd once a second, by kind) sees the count; pprof does not
// (a leaked connection nobody reads costs no CPU and blocks nothing); the dumps
// name who holds the other ends (their readers wait in "IO wait" forever).

import type { Evidence, Finding } from "../finding.js";
import type { Rule } from "../rule.js";
import { dumpWaits, EBPF_ONLY, ebpfReports } from "../ebpf-input.js";

/** Net growth per second of window: one new fd a second never closed is a leak at any load. */
const MIN_PER_SECOND = 1;
/** ...and at least this many in all: a few new keep-alive connections are not a leak. */
const MIN_GROWTH = 10;
/** Share of the one-second steps in which the count may go down: a pool breathes, a leak only rises. */
const MAX_DOWN_STEPS = 0.2;

export const ebpfFdLeakRule: Rule = {
  name: "ebpf-fd-leak",
  run(ctx): Finding[] {
    const out: Finding[] = [];
    for (const { file, report } of ebpfReports(ctx)) {
      const samples = report.fds?.samples ?? [];
      if (samples.length < 3) continue;
      const first = samples[0]!;
      const last = samples[samples.length - 1]!;
      const seconds = (last.atMs - first.atMs) / 1000;
      const growth = last.total - first.total;
      if (seconds <= 0 || growth < MIN_GROWTH || growth / seconds < MIN_PER_SECOND) continue;
      let down = 0;
      for (let i = 1; i < samples.length; i++) if (samples[i]!.total < samples[i - 1]!.total) down++;
      if (down > MAX_DOWN_STEPS * (samples.length - 1)) continue;
      // The kind that grew most (socket, file, pipe, ...).
      const kinds = new Set([...Object.keys(first.byKind), ...Object.keys(last.byKind)]) as Set<keyof typeof first.byKind>;
      const byKind = [...kinds].map((k) => [k, (last.byKind[k] ?? 0) - (first.byKind[k] ?? 0)] as const).sort((a, b) => b[1] - a[1]);
      const [kind, kindGrowth] = byKind[0] ?? ["fd", growth];
      // pprof's side: goroutines in IO wait, first dump -> last, by user function.
      const dumps = dumpWaits(ctx, new Set(["io:wait(net)"]));
      let fn: string | undefined;
      let fnGrowth = 0;
      if (dumps.length >= 2) {
        const a = dumps[0]!;
        const b = dumps[dumps.length - 1]!;
        for (const [f, n] of b.byFunction) {
          const g = n - (a.byFunction.get(f) ?? 0);
          if (f !== "" && g > fnGrowth) [fn, fnGrowth] = [f, g];
        }
      }
      const evidence: Evidence[] = [
        {
          source: file.path,
          kind: fn ? "probe fd sampler (/proc/PID/fd once a second)" : `probe fd sampler (/proc/PID/fd once a second; ${EBPF_ONLY} and /proc)`,
          numbers: { fds_first: first.total, fds_last: last.total, fds_per_second: Math.round((growth / seconds) * 10) / 10, [`${kind}_growth`]: kindGrowth, down_steps: down, samples: samples.length, seconds },
          excerpt: samples.map((s) => `${(s.atMs / 1000).toFixed(1)} s: ${s.total}`).join("\n"),
        },
      ];
      if (fn) {
        const a = dumps[0]!;
        const b = dumps[dumps.length - 1]!;
        evidence.push({
          source: b.file.path,
          kind: `goroutine dumps: goroutines in IO wait, ${a.file.path} -> ${b.file.path}`,
          numbers: { io_wait_here_first: a.byFunction.get(fn) ?? 0, io_wait_here_last: b.byFunction.get(fn) ?? 0, io_wait_first: a.matching, io_wait_last: b.matching },
          functions: [fn],
        });
      }
      out.push({
        id: `fd-leak:${fn ?? kind}`,
        category: "fd-leak",
        severity: "warning",
        confidence: fn ? 0.75 : 0.6,
        title: `open fds rise ${(growth / seconds).toFixed(0)} a second (${first.total} -> ${last.total}, mostly ${kind})${fn ? `; goroutines in IO wait pile up in ${fn}` : ""}`,
        summary:
          `The process held ${first.total} fds at the start of the ${seconds.toFixed(0)} s window and ${last.total} at the end (+${kindGrowth} ${kind}), ` +
          `rising in ${samples.length - 1 - down} of ${samples.length - 1} one-second steps: fds are opened and never closed. ` +
          (fn
            ? `The goroutine dumps agree: goroutines waiting on network I/O in ${fn} went from ${dumps[0]!.byFunction.get(fn) ?? 0} to ${dumps[dumps.length - 1]!.byFunction.get(fn) ?? 0}: the connections they read are never closed by their other end.`
            : `No goroutine dump shows who holds them (${EBPF_ONLY} and /proc): a leaked connection nobody reads costs no CPU and blocks nothing.`),
        evidence,
        functions: fn ? [fn] : [],
        recommendation:
          `Close every connection, response body and file on every path (defer c.Close() right after a successful Dial/Open); ` +
          `reuse connections through a pool or http.Client instead of dialing per request; set idle timeouts on servers ` +
          `(http.Server.IdleTimeout, SetReadDeadline) so abandoned peers are dropped. ls -l /proc/PID/fd and ss -tnp show the other ends.`,
        docs: ["https://pkg.go.dev/net#Conn"],
      });
    }
    return out;
  },
};
