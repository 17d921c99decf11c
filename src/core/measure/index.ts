export * from "./units.js";
