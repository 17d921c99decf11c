export * from "./kinds.js";
export * from "./sniff.js";
