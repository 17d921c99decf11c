export * from "./config.js";
export * from "./discovery.js";
export * from "./duration.js";
export * from "./shard.js";
export * from "./trend.js";
export * from "./watcher.js";
export type { AlertPayload } from "./webhook.js";
