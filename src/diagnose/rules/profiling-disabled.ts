// profiling-disabled: the block or mutex profile is empty, almost always because
// the program never turned it on. Then contention and blocking are invisible, and
// "no finding" means "no data", which must be said.

import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../finding.js";
import type { Rule } from "../rule.js";

const FIX: Record<"block" | "mutex", string> = {
  block: "runtime.SetBlockProfileRate(10_000) // sample blocking events of ≥10µs (1 = all; costs more)",
  mutex: "runtime.SetMutexProfileFraction(100) // sample 1 in 100 contention events",
};

export const profilingDisabledRule: Rule = {
  name: "profiling-disabled",
  run(ctx: DiagnoseContext): Finding[] {
    const out: Finding[] = [];
    for (const kind of ["block", "mutex"] as const) {
      const p = ctx.profile(kind);
      if (!p || p.profile.samples.length > 0) continue;
      out.push({
        id: `profiling-disabled:${kind}`,
        category: "profiling-disabled",
        severity: "info",
        confidence: 0.9,
        title: `The ${kind} profile is empty: ${kind} profiling is probably off`,
        summary:
          `${p.file.path} has no samples. Go records ${kind} events only after ` +
          `${kind === "block" ? "runtime.SetBlockProfileRate" : "runtime.SetMutexProfileFraction"} is called, ` +
          `so ${kind === "block" ? "blocking" : "lock contention"} cannot be diagnosed from this capture.`,
        evidence: [{ source: p.file.path, kind: `${kind} profile`, numbers: { samples: 0 } }],
        functions: [],
        recommendation: `Add at start-up (in main): ${FIX[kind]}`,
        docs: ["https://pkg.go.dev/runtime#SetBlockProfileRate", "https://pkg.go.dev/runtime#SetMutexProfileFraction"],
      });
    }
    return out;
  },
};
