// What the rules see: the bundle's files by kind, with analyses computed once and
// shared (several rules read the same CPU profile's attribution).

import { type Bundle, type BundleFile, type FileKind } from "../bundle/index.js";
import { StackFrames, type Profile } from "../core/model/index.js";

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

export type ProfileKind = "cpu" | "heap" | "allocs" | "block" | "mutex" | "goroutine" | "threadcreate";

export class DiagnoseContext {
  // Keyed by the computing function itself, so two rules asking for the same
  // analysis share it and no two analyses can collide on a name.
  private readonly memo = new Map<(ctx: DiagnoseContext) => unknown, unknown>();
  private readonly profiles = new Map<ProfileKind, ProfileInput | undefined>();

  constructor(readonly bundle: Bundle) {}

  files(kind: FileKind): BundleFile[] {
    return this.bundle.files.filter((f) => f.kind === kind);
  }

  /** The latest decoded profile of a kind (proto only), decoded once. */
  profile(kind: ProfileKind): ProfileInput | undefined {
    if (!this.profiles.has(kind)) this.profiles.set(kind, this.pickProfile(kind));
    return this.profiles.get(kind);
  }

  /** Compute an analysis of this bundle once; later calls with the same function share it. */
  once<T>(compute: (ctx: DiagnoseContext) => T): T {
    if (this.memo.has(compute)) return this.memo.get(compute) as T;
    const v = compute(this);
    this.memo.set(compute, v);
    return v;
  }

  private pickProfile(kind: ProfileKind): ProfileInput | undefined {
    // Prefer a profile over a known window (a delta profile, the CPU profile) to a
    // cumulative one; among equals, the latest.
    const fs = this.files(kind).filter((f) => f.profile !== undefined);
    const windowed = fs.filter((f) => f.seconds !== undefined);
    const file = windowed[windowed.length - 1] ?? fs[fs.length - 1];
    if (!file) return undefined;
    const profile = file.profile!;
    return { file, profile, frames: new StackFrames(profile), seconds: this.secondsFor(file, profile) };
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

