// Caps on what the trace reader holds, so a hostile or broken file cannot exhaust memory.

import { DEFAULT_LIMITS, type ReadLimits } from "../core/input/index.js";

export interface TraceLimits extends ReadLimits {
  /**
   * Largest generation, bytes. The reader holds one generation at a time (plus what it has
   * read of the next), so this bounds its memory whatever the file size. Go's runtime
   * starts a new generation about every second, usually a few MB.
   */
  maxGenerationBytes: number;
}

export const DEFAULT_TRACE_LIMITS: TraceLimits = {
  ...DEFAULT_LIMITS,
  maxGenerationBytes: 512 * (1 << 20),
};
