// Analyses of execution traces (godiag trace): summary, GC/STW, MMU, goroutine groups,
// user tasks and regions, long runs.
export * from "./exec-stats.js";
export * from "./summarize.js";
export * from "./summary.js";
export * from "./groups.js";
export * from "./mmu.js";
export * from "./tasks.js";
export * from "./longruns.js";
export * from "./report.js";
export * from "./sites.js";
export * from "./assist-work.js";
