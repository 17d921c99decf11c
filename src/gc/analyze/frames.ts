// Stack frames of a profile sample, leaf first, with inlined calls expanded (as
// pprof shows them): one {name, file, line} per line row of each location.

import { ProfileView } from "../../core/transform/index.js";
import type { Profile } from "../../core/model/index.js";

export interface Frame {
  name: string;
  file: string;
  line: number;
}

/** Calls fn(frames, valueOf) for each sample of p, through the engine's ProfileView. */
export function forEachStack(p: Profile, fn: (frames: Frame[], value: (typeIndex: number) => number) => void): void {
  const view = new ProfileView(p, Math.max(0, p.sampleTypes.length - 1));
  const names = new Map<number, Frame[]>();
  const locFrames = (loc: number): Frame[] => {
    let fr = names.get(loc);
    if (fr) return fr;
    fr = [];
    for (let k = view.locLineStart[loc]; k < view.locLineStart[loc + 1]; k++) {
      const ln = view.locLines[k];
      const f = p.lines.func[ln];
      if (f < 0) continue;
      fr.push({ name: p.str(p.functions.name[f]), file: p.str(p.functions.filename[f]), line: p.lines.line[ln] });
    }
    names.set(loc, fr);
    return fr;
  };
  for (let i = 0; i < view.sampleCount; i++) {
    const frames: Frame[] = [];
    for (let s = view.stackStart[i]; s < view.stackStart[i + 1]; s++) frames.push(...locFrames(view.stack[s]));
    fn(frames, (t) => view.valueAt(i, t));
  }
}

/** Index of a sample type by name, or -1. */
export function sampleTypeIndex(p: Profile, ...types: string[]): number {
  for (const t of types) {
    const i = p.sampleTypes.findIndex((st) => st.type === t);
    if (i >= 0) return i;
  }
  return -1;
}
