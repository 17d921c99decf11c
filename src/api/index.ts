// The one facade every front end calls (the CLI today; the daemon and the web UI
// next). One file per job: a front end imports the file of the job it does, so a
// command loads only its own code.

export * from "./errors.js";
export * from "./profiles.js";
export * from "./flame.js";
export * from "./goroutines.js";
export * from "./gc.js";
export * from "./bench.js";
export * from "./capture.js";
export * from "./diagnose.js";
export * from "./trace.js";
export * from "./callgraph.js";
export * from "./serve.js";
