// Go execution traces (runtime/trace, Go 1.22+ format): the event model and the reader.
export * from "./model/event.js";
export * from "./limits.js";
export * from "./read.js";
// The analyses and their renderings (godiag trace), on top of the reader.
export * from "./analyze/index.js";
export { renderTraceText, fmtDur } from "./render/text.js";
export { renderTraceJson, traceReportJson, TRACE_JSON_SCHEMA } from "./render/json.js";
// Profiles from a trace (godiag trace --pprof=MODE).
export * from "./profiles/index.js";
