// Continuous mode: load a watch configuration and run the watcher (godiag watch).

export { Discovery, loadWatchConfig, parseWatchConfig, Watcher, storeFile, runningFile, hashmod, type WatchConfig, type WatchOptions, type AlertPayload } from "../watch/index.js";
