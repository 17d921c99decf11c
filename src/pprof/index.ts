export * from "./flame/index.js";
export * from "./report/config.js";
export * from "./report/folded.js";
export * from "./report/render.js";
export * from "./report/report.js";
export * from "./svg/index.js";
export { formatList } from "./report/list.js";
export type { SourceGuard } from "./report/source-reader.js";
