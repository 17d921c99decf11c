// Profiles from an execution trace (godiag trace --pprof=MODE): go tool trace's four
// -pprof profiles and the trace's CPU samples, as godiag Profiles.

import type { TraceEvent, TraceTables, TraceVisitor } from "../model/event.js";
import type { Profile } from "../../core/model/index.js";
import { CpuSampleProfiler } from "./cpu.js";
import { StateProfiler, type StateMode } from "./state.js";

export { CPU_SAMPLE_PERIOD_NS } from "./cpu.js";
export type { StateMode } from "./state.js";

export type TraceProfileMode = StateMode | "cpu";
export const TRACE_PROFILE_MODES: readonly TraceProfileMode[] = ["net", "sync", "syscall", "sched", "cpu"];

export function isTraceProfileMode(s: string): s is TraceProfileMode {
  return (TRACE_PROFILE_MODES as readonly string[]).includes(s);
}

export interface TraceProfile {
  profile: Profile;
  /** the reader's warnings (e.g. the trace was cut short) and what the profile lacks */
  warnings: string[];
}

/**
 * The profile of one mode. `read` runs the reader with the visitor given and returns its
 * tables and warnings (so this module does not care where the bytes come from).
 */
export function traceProfile(
  mode: TraceProfileMode,
  read: (visit: TraceVisitor) => { tables: TraceTables; warnings: string[] },
): TraceProfile {
  if (mode === "cpu") {
    const cpu = new CpuSampleProfiler();
    const info = read((ev: TraceEvent, tables: TraceTables) => cpu.event(ev, tables));
    const warnings = [...info.warnings];
    if (cpu.samples === 0) {
      warnings.push("the trace has no CPU samples: they are written only while runtime/pprof's CPU profiler runs during the trace");
    }
    return { profile: cpu.finish(info.tables), warnings };
  }
  const sp = new StateProfiler(mode);
  const info = read((ev: TraceEvent, tables: TraceTables) => sp.event(ev, tables));
  return { profile: sp.finish(info.tables), warnings: [...info.warnings] };
}
