export * from "./engine.js";
export * from "./render/html.js";
export * from "./render/md.js";
export * from "./render/text.js";
