export * from "./types.js";
export * from "./normalize.js";
export * from "./open.js";
export { mergeHeaders } from "./rebuild.js";
export * from "./time.js";
export { RemoteStore, runningFile } from "./remote.js";
