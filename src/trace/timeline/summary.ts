// The numbers the timeline page states in its legend, from the analyses' report.

import type { TraceReport } from "../analyze/report.js";
import type { TimelineSummary } from "./payload.js";

export function timelineSummary(r: TraceReport): TimelineSummary {
  return {
    gcCycles: r.summary.gcCycles,
    maxGomaxprocs: r.summary.maxGomaxprocs,
    goroutinesCreated: r.summary.goroutinesCreated,
    stwCount: r.summary.stw.count,
  };
}
