export * from "./gofmt.js";
export * from "./gopkg.js";
export * from "./gotime.js";
export * from "./regexp.js";
export * from "./stacks.js";
export * from "./waitclass.js";
export * from "./syscalls.js";
export * from "./memlimit.js";
