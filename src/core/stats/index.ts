export * from "./dist.js";
