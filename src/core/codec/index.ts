export * from "./decode.js";
export * from "./pprof-proto.js";
export * from "./pprof-write.js";
