export * from "./errors.js";
export * from "./gzip.js";
export * from "./read.js";
export * from "./text.js";
export * from "./json.js";
export * from "./log-prefix.js";
export * from "./utf16.js";
