export * from "./analyze/analyze.js";
export * from "./analyze/buckets.js";
export * from "./analyze/cluster.js";
export * from "./analyze/suspects.js";
export * from "./model.js";
export * from "./read/dump.js";
export * from "./render/json.js";
export * from "./render/text.js";
