// Moved to core/go (src/ebpf reads the Go version of a binary too); kept for existing imports.
export { formatVersionM, parseModinfo, readBuildInfo, type GoBuildInfo, type GoModule } from "../../core/go/index.js";
