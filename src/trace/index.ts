// Go execution traces (runtime/trace, Go 1.22+ format): the event model and the reader.
export * from "./model/event.js";
export * from "./limits.js";
export * from "./read.js";
