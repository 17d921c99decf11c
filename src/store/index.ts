export * from "./types.js";
export * from "./normalize.js";
export * from "./duckdb.js";
export { mergeHeaders } from "./rebuild.js";
export * from "./time.js";
