// HTML (and XML) text helpers shared by every page and SVG writer.

export { escapeHtml } from "./escape.js";
export { offlinePage } from "./page.js";
export { inflateBase64Gzip } from "./inflate.js";
