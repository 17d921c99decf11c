// Go execution traces (runtime/trace; Go 1.22+ format, and Go 1.11–1.21 converted to the same events): the event model and the reader.
export * from "./model/event.js";
export * from "./limits.js";
export * from "./read.js";
// The analyses and their renderings (godiag trace), on top of the reader.
export * from "./analyze/index.js";
export { renderTraceText, fmtDur } from "./render/text.js";
export { renderTraceJson, traceReportJson, TRACE_JSON_SCHEMA } from "./render/json.js";
// Profiles from a trace (godiag trace --pprof=MODE).
export * from "./profiles/index.js";
// The HTML timeline (godiag trace --html), built in the same pass as the analyses.
export * from "./timeline/index.js";
