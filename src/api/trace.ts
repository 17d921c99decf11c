// Go execution traces (runtime/trace): read one file and analyse it (godiag trace).

import {
  analyzeTrace,
  readTraceFile,
  TimelineBuilder,
  type AnalyzeOptions,
  type TimelineData,
  type TraceLimits,
  type TraceReport,
} from "../trace/index.js";

export { renderTimelineHtml, timelineAssets, timelineFragment, timelineSummary, type TimelineData, type TimelinePageOptions } from "../trace/index.js";
export { renderTraceJson, renderTraceText, traceReportJson, TRACE_JSON_SCHEMA, DEFAULT_UTIL_FLAGS, type TraceReport, type UtilFlags } from "../trace/index.js";

export interface TraceFileOptions extends AnalyzeOptions {
  limits?: Partial<TraceLimits>;
}

/** Reads and analyses a trace file; bad input raises InputError naming the file (and offset). */
export function analyzeTraceFile(path: string, opts: TraceFileOptions = {}): TraceReport {
  return analyzeTrace(path, (visit) => readTraceFile(path, visit, { limits: opts.limits }), opts);
}

/**
 * Reads a trace file once for both the analyses and the HTML timeline (godiag trace --html):
 * render the page with renderTimelineHtml(timeline, { summary: timelineSummary(report) }).
 */
export function analyzeTraceFileWithTimeline(path: string, opts: TraceFileOptions = {}): { report: TraceReport; timeline: TimelineData } {
  const tl = new TimelineBuilder();
  const report = analyzeTrace(
    path,
    (visit) =>
      readTraceFile(
        path,
        (ev, tables) => {
          visit(ev, tables);
          tl.event(ev, tables);
        },
        { limits: opts.limits },
      ),
    opts,
  );
  return { report, timeline: tl.finish() };
}
