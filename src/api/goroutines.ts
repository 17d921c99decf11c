// Goroutine dumps: read any dump format, bucket, diff two snapshots, render.

export {
  analyzeDiff,
  analyzeDump,
  parseGoroutineData,
  readGoroutineFile,
  renderDiffJson,
  renderDiffText,
  renderSingleJson,
  renderSingleText,
  type AnalyzeOptions,
  type DiffTiming,
  type GoroutineDump,
  type TextOptions,
} from "../goroutines/index.js";
export { orderSnapshotFiles, parseManifest, uniqueMembers } from "../bundle/index.js";
export { DEFAULT_FETCH_LIMITS, fetchCapped, FetchError } from "../capture/index.js";
