// Live services: capture a bundle from /debug/pprof, or run a program and capture it.

export {
  captureBundle,
  checkOnly,
  removeBundle,
  Runner,
  targetRoot,
  type CaptureEvent,
  type CaptureOptions,
  type CaptureProgress,
  type CaptureResult,
  type CaptureSidecar,
} from "../capture/index.js";
