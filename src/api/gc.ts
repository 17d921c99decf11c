// GC and memory: gctrace, MemStats, allocation sites and the GOGC/GOMEMLIMIT what-if.

export { analyzeGc, readGcInput, renderGcJson, renderGcText, type GcAnalysisInput, type GcInput, type Goal } from "../gc/index.js";
export { goMemLimitMiB } from "../core/go/index.js";
export { parseManifest } from "../bundle/index.js";
