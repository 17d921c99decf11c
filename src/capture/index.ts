export * from "./capture.js";
export * from "./plan.js";
export * from "./run.js";
export * from "./sources/http.js";
export { findListeningPid } from "./sources/proc.js";
