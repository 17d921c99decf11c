export * from "./manifest.js";
export * from "./order.js";
export * from "./read.js";
export * from "./write.js";
export * from "./paths.js";
