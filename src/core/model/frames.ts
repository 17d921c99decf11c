// The one stack walker: each sample's frames leaf first, inlined calls expanded (one
// frame per line row of a location, callee before caller, as pprof shows them).
// Locations are resolved once; a sample's frames are then a concatenation.

import type { Profile } from "./profile.js";

export interface Frame {
  name: string;
  file: string;
  line: number;
}

export interface StackFramesOptions {
  /**
   * A location with no symbol: "address" gives it a frame named by its address
   * (diagnosis must still see that something was there), "skip" leaves it out
   * (allocation sites report source lines only).
   */
  unsymbolized?: "address" | "skip";
}

export class StackFrames {
  private readonly locFrames: Frame[][];
  private readonly locNames: string[][];

  constructor(
    readonly profile: Profile,
    opts: StackFramesOptions = {},
  ) {
    const { locations, lines, functions } = profile;
    const skip = opts.unsymbolized === "skip";
    this.locFrames = new Array<Frame[]>(locations.length);
    this.locNames = new Array<string[]>(locations.length);
    for (let l = 0; l < locations.length; l++) {
      const fr: Frame[] = [];
      const address = () => ({ name: `0x${locations.address[l]!.toString(16)}`, file: "", line: 0 });
      for (let i = locations.lineStart[l]!; i < locations.lineStart[l + 1]!; i++) {
        const f = lines.func[i]!;
        if (f >= 0) fr.push({ name: profile.str(functions.name[f]!), file: profile.str(functions.filename[f]!), line: lines.line[i]! });
        else if (!skip) fr.push(address());
      }
      if (fr.length === 0 && !skip) fr.push(address());
      this.locFrames[l] = fr;
      this.locNames[l] = fr.map((f) => f.name);
    }
  }

  /** Function names of sample s, leaf first. */
  names(s: number): string[] {
    const { samples } = this.profile;
    const out: string[] = [];
    for (let i = samples.stackStart[s]!; i < samples.stackStart[s + 1]!; i++) {
      for (const f of this.locNames[samples.stack[i]!]!) out.push(f);
    }
    return out;
  }

  /** Frames (name, file, line) of sample s, leaf first. */
  frames(s: number): Frame[] {
    const { samples } = this.profile;
    const out: Frame[] = [];
    for (let i = samples.stackStart[s]!; i < samples.stackStart[s + 1]!; i++) {
      for (const f of this.locFrames[samples.stack[i]!]!) out.push(f);
    }
    return out;
  }
}

/** Index of the first of `types` the profile has as a sample type, or -1. */
export function sampleTypeIndex(p: Profile, ...types: string[]): number {
  for (const t of types) {
    const i = p.sampleTypes.findIndex((st) => st.type === t);
    if (i >= 0) return i;
  }
  return -1;
}

/** Calls fn with each sample's frames (unsymbolized locations skipped) and its values. */
export function forEachStack(p: Profile, fn: (frames: Frame[], value: (typeIndex: number) => number) => void): void {
  const sf = new StackFrames(p, { unsymbolized: "skip" });
  for (let s = 0; s < p.samples.length; s++) fn(sf.frames(s), (t) => p.sampleValue(s, t));
}
