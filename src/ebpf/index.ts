// eBPF probes for Go programs (docs/EBPF.md): reading the target binary
// (binary/), generating and running bpftrace programs (probes/).
export { Elf, type ElfSymbol } from "./binary/elf.js";
export { readPclntab, type GoFunc } from "./binary/pclntab.js";
export { structOffsets } from "./binary/dwarf.js";
export { OFFSET_TABLE, tableOffsets, goMinor, type RuntimeOffsets } from "./binary/offsets.js";
export { WAIT_REASON_TABLE, waitReasonsFromSymtab } from "./binary/waitreasons.js";
export { readGoBinary, findFunc, funcAt, type GoBinary } from "./binary/gobinary.js";
export { retAddresses } from "./binary/rets.js";
