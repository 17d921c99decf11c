// Go execution traces (runtime/trace): read one file and analyse it (godiag trace).

import { analyzeTrace, readTraceFile, type AnalyzeOptions, type TraceLimits, type TraceReport } from "../trace/index.js";

export { renderTraceJson, renderTraceText, traceReportJson, TRACE_JSON_SCHEMA, DEFAULT_UTIL_FLAGS, type TraceReport, type UtilFlags } from "../trace/index.js";

export interface TraceFileOptions extends AnalyzeOptions {
  limits?: Partial<TraceLimits>;
}

/** Reads and analyses a trace file; bad input raises InputError naming the file (and offset). */
export function analyzeTraceFile(path: string, opts: TraceFileOptions = {}): TraceReport {
  return analyzeTrace(path, (visit) => readTraceFile(path, visit, { limits: opts.limits }), opts);
}
