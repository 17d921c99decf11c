export * from "./combine.js";
export * from "./filter.js";
export * from "./materialize.js";
export * from "./tagfilter.js";
export * from "./view.js";
