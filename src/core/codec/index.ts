export * from "./decode.js";
export * from "./pprof-proto.js";
export * from "./pprof-write.js";
export { symbolizeFromComments } from "./legacy/legacy.js";
