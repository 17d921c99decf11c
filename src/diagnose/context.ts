// What the rules see: the bundle's files by kind, with analyses computed once and
// shared (several rules read the same CPU profile's attribution).

import type { Bundle, BundleFile } from "../bundle/read.js";
import type { FileKind } from "../bundle/manifest.js";
import { StackFrames } from "../core/go/stacks.js";
import type { Profile } from "../core/model/profile.js";

export interface ProfileInput {
  file: BundleFile;
  profile: Profile;
  frames: StackFrames;
  /**
   * Seconds of wall time the profile's values accumulated over, when known:
   * the CPU profile's duration, a delta profile's ?seconds=N, or (for cumulative
   * block/mutex profiles from a capture of a just-started process) the process'
   * run time. undefined when we cannot tell; rules then use relative thresholds.
   */
  seconds?: number;
}

export class DiagnoseContext {
  private readonly memo = new Map<string, unknown>();

  constructor(readonly bundle: Bundle) {}

  files(kind: FileKind): BundleFile[] {
    return this.bundle.files.filter((f) => f.kind === kind);
  }

  /** The latest decoded profile of a kind (proto only). */
  profile(kind: "cpu" | "heap" | "allocs" | "block" | "mutex" | "goroutine" | "threadcreate"): ProfileInput | undefined {
    return this.cached(`profile:${kind}`, () => {
      // Prefer a profile over a known window (a delta profile, the CPU profile) to a
      // cumulative one; among equals, the latest.
      const fs = this.files(kind).filter((f) => f.profile !== undefined);
      const windowed = fs.filter((f) => f.seconds !== undefined);
      const file = windowed[windowed.length - 1] ?? fs[fs.length - 1];
      if (!file) return undefined;
      const profile = file.profile!;
      return { file, profile, frames: new StackFrames(profile), seconds: this.secondsFor(file, profile) };
    });
  }

  /** Memoise an analysis by key for the life of this diagnosis. */
  cached<T>(key: string, compute: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const v = compute();
    this.memo.set(key, v);
    return v;
  }

  private secondsFor(file: BundleFile, profile: Profile): number | undefined {
    if (profile.durationNanos > 0) return profile.durationNanos / 1e9;
    if (file.seconds !== undefined) return file.seconds;
    // A cumulative profile of a process the capture itself started covers the
    // process' life, which the manifest's CPU profile window spans (our workloads,
    // `godiag run`). Only trust that when the manifest says the target was started
    // by the capture.
    if (this.bundle.manifest?.env?.["startedByCapture"] === "true") {
      const cpu = this.files("cpu")[0];
      return cpu?.seconds;
    }
    return undefined;
  }
}
