// eBPF probes for Go programs (docs/EBPF.md): reading the target binary
// (binary/), generating and running bpftrace programs (probes/).
export { Elf, type ElfSymbol } from "./binary/elf.js";
export { readPclntab, type GoFunc } from "./binary/pclntab.js";
export { structOffsets } from "./binary/dwarf.js";
export { OFFSET_TABLE, tableOffsets, goMinor, type RuntimeOffsets } from "./binary/offsets.js";
export { WAIT_REASON_TABLE, waitReasonsFromSymtab } from "./binary/waitreasons.js";
export { readGoBinary, findFunc, funcAt, type GoBinary } from "./binary/gobinary.js";
export { retAddresses } from "./binary/rets.js";
export { PROBES, DEFAULT_PROBES, OPT_IN_PROBES, generateScript, type ProbeName } from "./probes/script.js";
export { runProbes, type ProbeOptions, type ProbeOutput } from "./probes/probe.js";
export { ProbeUnavailable, preflight } from "./probes/preflight.js";
export { uprobeEvents } from "./probes/runner.js";
export { renderProbeText } from "./probes/render.js";
export type { ProbeReport, WaitReasonStat, SyscallStat, SlowSyscallStack } from "./probes/results.js";
export type { HistSummary } from "./probes/hist.js";
export { parseJsonPairs } from "./probes/jsonpairs.js";
