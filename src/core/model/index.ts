export * from "./builder.js";
export * from "./columns.js";
export * from "./profile.js";
export * from "./strings.js";
export * from "./frames.js";
