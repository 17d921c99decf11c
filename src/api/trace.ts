// Go execution traces (runtime/trace): read one file and analyse it (godiag trace), or
// turn it into a profile (godiag trace --pprof=MODE).

import {
  analyzeTrace,
  readTraceFile,
  traceProfile,
  type AnalyzeOptions,
  type TraceLimits,
  type TraceProfile,
  type TraceProfileMode,
  type TraceReport,
} from "../trace/index.js";
import { writeProfileGz } from "../core/codec/index.js";
import type { Profile } from "../core/model/index.js";

export { renderTraceJson, renderTraceText, traceReportJson, TRACE_JSON_SCHEMA, DEFAULT_UTIL_FLAGS, type TraceReport, type UtilFlags } from "../trace/index.js";
export { isTraceProfileMode, TRACE_PROFILE_MODES, type TraceProfile, type TraceProfileMode } from "../trace/index.js";

export interface TraceFileOptions extends AnalyzeOptions {
  limits?: Partial<TraceLimits>;
}

/** Reads and analyses a trace file; bad input raises InputError naming the file (and offset). */
export function analyzeTraceFile(path: string, opts: TraceFileOptions = {}): TraceReport {
  return analyzeTrace(path, (visit) => readTraceFile(path, visit, { limits: opts.limits }), opts);
}

/**
 * The profile go tool trace -pprof=MODE writes (net, sync, syscall, sched), or the trace's
 * CPU samples (cpu). Bad input raises InputError naming the file (and offset).
 */
export function traceProfileFile(path: string, mode: TraceProfileMode, opts: { limits?: Partial<TraceLimits> } = {}): TraceProfile {
  return traceProfile(mode, (visit) => readTraceFile(path, visit, { limits: opts.limits }));
}

/** A trace profile as the gzipped profile.proto go tool pprof reads. */
export function encodeTraceProfile(p: Profile): Uint8Array {
  return writeProfileGz(p);
}
