// Go execution traces (runtime/trace): read one file and analyse it (godiag trace).

import { InputError } from "../core/input/index.js";
import { analyzeTrace, readTraceFile, type AnalyzeOptions, type TraceLimits, type TraceReport } from "../trace/index.js";

export { renderTraceJson, renderTraceText, traceReportJson, TRACE_JSON_SCHEMA, DEFAULT_UTIL_FLAGS, type TraceReport, type UtilFlags } from "../trace/index.js";

export interface TraceFileOptions extends AnalyzeOptions {
  limits?: Partial<TraceLimits>;
}

/**
 * Reads and analyses a trace file; bad input raises InputError naming the file (and
 * offset). A trace cut short is analysed up to its last complete generation, with a
 * warning; one without any complete generation has nothing to analyse and is bad input.
 */
export function analyzeTraceFile(path: string, opts: TraceFileOptions = {}): TraceReport {
  return analyzeTrace(
    path,
    (visit) => {
      const r = readTraceFile(path, visit, { limits: opts.limits });
      if (r.generations === 0) {
        const why = r.warnings[0]?.replace(`${path}: `, "") ?? "no events";
        throw new InputError(path, `nothing to analyse: ${why}`);
      }
      return r;
    },
    opts,
  );
}
