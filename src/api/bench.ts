// Benchmarks: benchstat-exact comparison, gates, latency percentiles, and the GC
// pause reduction between two gctrace logs (the GC domain's numbers, used here).

export {
  BenchstatUsageError,
  DEFAULT_BENCHSTAT,
  GateSyntaxError,
  benchstatJSON,
  checkGates,
  compareLatency,
  parseGate,
  parseLatency,
  renderBenchstatCSV,
  renderBenchstatMarkdown,
  renderBenchstatText,
  runBenchstat,
  seedRatios,
  signedPct,
  summarizeLatency,
  type Estimate,
  type GateReport,
  type LatencySummary,
} from "../bench/index.js";
export { parseGcTrace, pauseReduction, type PauseStats } from "../gc/index.js";
