export * from "./dist.js";
export * from "./order-stats.js";
