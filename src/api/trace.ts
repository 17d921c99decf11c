// Go execution traces (runtime/trace): read one file and analyse it (godiag trace), or
// turn it into a profile (godiag trace --pprof=MODE).

import { InputError } from "../core/input/index.js";
import { writeProfileGz } from "../core/codec/index.js";
import type { Profile } from "../core/model/index.js";
import {
  analyzeTrace,
  readTraceFile,
  traceProfile,
  type AnalyzeOptions,
  type TraceLimits,
  type TraceProfile,
  type TraceProfileMode,
  type TraceReadResult,
  type TraceReport,
  type TraceVisitor,
} from "../trace/index.js";

export { renderTraceJson, renderTraceText, traceReportJson, TRACE_JSON_SCHEMA, DEFAULT_UTIL_FLAGS, type TraceReport, type UtilFlags } from "../trace/index.js";
export { isTraceProfileMode, TRACE_PROFILE_MODES, type TraceProfile, type TraceProfileMode } from "../trace/index.js";

export interface TraceFileOptions extends AnalyzeOptions {
  limits?: Partial<TraceLimits>;
}

/**
 * Reads a whole trace file. A trace cut short is read up to its last complete generation,
 * with a warning; one without any complete generation has nothing to offer and is bad input.
 */
function readWhole(path: string, visit: TraceVisitor, limits?: Partial<TraceLimits>): TraceReadResult {
  const r = readTraceFile(path, visit, { limits });
  if (r.generations === 0) {
    const why = r.warnings[0]?.replace(`${path}: `, "") ?? "no events";
    throw new InputError(path, `nothing to analyse: ${why}`);
  }
  return r;
}

/** Reads and analyses a trace file; bad input raises InputError naming the file (and offset). */
export function analyzeTraceFile(path: string, opts: TraceFileOptions = {}): TraceReport {
  return analyzeTrace(path, (visit) => readWhole(path, visit, opts.limits), opts);
}

/**
 * The profile go tool trace -pprof=MODE writes (net, sync, syscall, sched), or the trace's
 * CPU samples (cpu). Bad input raises InputError naming the file (and offset).
 */
export function traceProfileFile(path: string, mode: TraceProfileMode, opts: { limits?: Partial<TraceLimits> } = {}): TraceProfile {
  return traceProfile(mode, (visit) => readWhole(path, visit, opts.limits));
}

/** A trace profile as the gzipped profile.proto go tool pprof reads. */
export function encodeTraceProfile(p: Profile): Uint8Array {
  return writeProfileGz(p);
}
