// A goroutine delaying a stop-the-world: the runtime cannot finish stopping the world
// until every running goroutine reaches a point where it can stop, and meanwhile every
// other goroutine is paused. The long-runs analysis finds, for each STW, the last
// goroutine to stop; this rule names its user function.

import type { DiagnoseContext } from "../context.js";
import type { Finding, Severity } from "../finding.js";
import type { Rule } from "../rule.js";
import { ms, stackExcerpt, userFrame } from "../trace-frames.js";
import type { StackFrame } from "../../trace/index.js";
import { originOf } from "../../core/go/index.js";

/**
 * Stopping the world takes microseconds; the runtime asks a goroutine to stop after it
 * ran 10 ms (forcePreemptNS, runtime/proc.go). A STW that waited that long for one
 * goroutine paused the whole program for a scheduler quantum.
 */
const WARNING_NS = 10e6;
/** the whole program paused a tenth of a second */
const CRITICAL_NS = 100e6;

interface Delayer {
  fn: string;
  count: number;
  maxNs: number;
  totalNs: number;
  reasons: Set<string>;
  stack: readonly StackFrame[];
}

export const traceStwRule: Rule = {
  name: "trace-stw",
  run(ctx: DiagnoseContext): Finding[] {
    const out: Finding[] = [];
    for (const t of ctx.traces()) {
      const r = t.report;
      const by = new Map<string, Delayer>();
      for (const d of r.longRuns.stwDelays) {
        const stack = r.stacks.get(d.endStack) ?? [];
        // Where it stopped; else (it stopped by exiting, with no stack) its start function.
        const fn = userFrame(stack)?.func ?? (originOf(d.name, ctx.origins()) === "user" ? d.name : undefined);
        if (!fn) continue; // a runtime or library goroutine names no code of the user's
        const x = by.get(fn) ?? { fn, count: 0, maxNs: 0, totalNs: 0, reasons: new Set<string>(), stack };
        x.count++;
        x.totalNs += d.waitedNs;
        x.reasons.add(d.reason);
        if (d.waitedNs > x.maxNs) {
          x.maxNs = d.waitedNs;
          x.stack = stack;
        }
        by.set(fn, x);
      }
      for (const x of by.values()) {
        const severity: Severity = x.maxNs >= CRITICAL_NS ? "critical" : x.maxNs >= WARNING_NS ? "warning" : "info";
        const reasons = [...x.reasons].sort().join(", ");
        out.push({
          id: `stw-delay:${x.fn}`,
          category: "stw-delay",
          severity,
          confidence: severity === "info" ? 0.4 : 0.7,
          title: `${x.fn} delayed stop-the-world pauses by up to ${ms(x.maxNs)} ms`,
          summary:
            `In ${t.file.path}, ${x.count} stop-the-world pause${x.count === 1 ? "" : "s"} (${reasons}) waited for a goroutine in ${x.fn} to stop: ` +
            `up to ${ms(x.maxNs)} ms, ${ms(x.totalNs)} ms in all, while every other goroutine was already paused.`,
          evidence: [
            {
              source: t.file.path,
              kind: "execution trace (stop-the-world waits)",
              numbers: { stw_delays: x.count, stw_delay_max_ms: ms(x.maxNs, 2), stw_delay_total_ms: ms(x.totalNs, 2), stw_count: r.summary.stw.count },
              functions: [x.fn],
              excerpt: `where it stopped:\n${stackExcerpt(x.stack)}`,
            },
          ],
          functions: [x.fn],
          recommendation:
            `Find what in ${x.fn} runs long without a preemption point: a huge copy or clear of memory, a loop in assembly, a long non-preemptible runtime call. ` +
            "Split it into smaller pieces so the runtime can stop it quickly.",
          docs: ["https://go.dev/doc/go1.14#runtime", "https://go.dev/doc/diagnostics#execution-tracer"],
        });
      }
    }
    return out;
  },
};
