// Caps on what the trace reader holds, so a hostile or broken file cannot exhaust memory.

import { DEFAULT_LIMITS, type ReadLimits } from "../core/input/index.js";

export interface TraceLimits extends ReadLimits {
  /**
   * Largest generation, bytes. The reader holds one generation at a time (plus what it has
   * read of the next), so this bounds its memory whatever the file size. Go's runtime
   * starts a new generation about every second, usually a few MB.
   */
  maxGenerationBytes: number;
  /**
   * Largest Go 1.11–1.21 trace, bytes. That format has no generations: the reader holds
   * the whole trace plus ~45 bytes per event (measured: peak RSS ~19x the file) while it
   * orders it.
   */
  maxV1TraceBytes: number;
}

export const DEFAULT_TRACE_LIMITS: TraceLimits = {
  ...DEFAULT_LIMITS,
  maxGenerationBytes: 512 * (1 << 20),
  maxV1TraceBytes: 128 * (1 << 20),
};
