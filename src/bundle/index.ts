export * from "./manifest.js";
export * from "./read.js";
export * from "./write.js";
