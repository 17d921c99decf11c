// A mutable working view of a Profile, for the report pipeline.
//
// pprof's driver edits its profile in place as it goes: filters drop samples,
// cut stacks and remove lines from locations; tagshow/taghide drop labels;
// -noinlines and the granularity blank out names, lines and addresses. We keep
// the decoded Profile untouched and record those edits here, as flat arrays that
// point back into the profile's tables. The source profile can therefore be
// reported several times (e.g. once per report in the differential tests).

import type { Profile } from "../model/index.js";

/** Which attributes survive aggregation (pprof's Profile.Aggregate flags). */
export interface Granularity {
  inlineFrame: boolean;
  function: boolean;
  filename: boolean;
  linenumber: boolean;
  columnnumber: boolean;
  address: boolean;
}

export const KEEP_ALL: Granularity = {
  inlineFrame: true,
  function: true,
  filename: true,
  linenumber: true,
  columnnumber: true,
  address: true,
};

export class ProfileView {
  readonly p: Profile;
  /** sample type whose values the report uses */
  valueIndex: number;
  /** Selected samples, as rows of p.samples, in profile order. */
  sampleRow: Uint32Array;
  /** Stack of selected sample i: stack[stackStart[i] .. stackStart[i+1]), location rows, leaf first. */
  stackStart: Uint32Array;
  stack: Uint32Array;
  /** Lines of location l: locLines[locLineStart[l] .. locLineStart[l+1]), rows of p.lines, innermost first. */
  locLineStart: Uint32Array;
  locLines: Uint32Array;
  /** Label rows removed by tagshow/taghide/RemoveLabel (1 = hidden), or null when none. */
  labelHidden: Uint8Array | null = null;
  /** Attributes cleared by aggregation; applied when nodes are keyed. */
  granularity: Granularity = KEEP_ALL;

  constructor(p: Profile, valueIndex: number) {
    this.p = p;
    this.valueIndex = valueIndex;
    const n = p.samples.length;
    this.sampleRow = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.sampleRow[i] = i;
    this.stackStart = p.samples.stackStart;
    this.stack = p.samples.stack;
    // Identity line mapping: location l owns lines lineStart[l]..lineStart[l+1).
    this.locLineStart = p.locations.lineStart;
    const lines = new Uint32Array(p.lines.length);
    for (let i = 0; i < lines.length; i++) lines[i] = i;
    this.locLines = lines;
  }

  get sampleCount(): number {
    return this.sampleRow.length;
  }

  /** The selected value of selected sample i. */
  value(i: number): number {
    const p = this.p;
    return p.samples.values[this.sampleRow[i] * p.sampleTypes.length + this.valueIndex];
  }

  /** Any value of selected sample i, by sample type index. */
  valueAt(i: number, typeIndex: number): number {
    const p = this.p;
    return p.samples.values[this.sampleRow[i] * p.sampleTypes.length + typeIndex];
  }

  /** Replace the sample selection and stacks (arrays are adopted, not copied). */
  setSamples(sampleRow: Uint32Array, stackStart: Uint32Array, stack: Uint32Array): void {
    this.sampleRow = sampleRow;
    this.stackStart = stackStart;
    this.stack = stack;
  }

  /** Replace every location's line list (arrays are adopted). */
  setLocationLines(locLineStart: Uint32Array, locLines: Uint32Array): void {
    this.locLineStart = locLineStart;
    this.locLines = locLines;
  }

  /** Visit the visible labels of selected sample i. */
  forEachLabel(i: number, fn: (labelRow: number) => void): void {
    const row = this.sampleRow[i];
    const ls = this.p.samples.labelStart;
    const hidden = this.labelHidden;
    for (let r = ls[row]; r < ls[row + 1]; r++) {
      if (hidden === null || hidden[r] === 0) fn(r);
    }
  }

  hideLabel(labelRow: number): void {
    if (this.labelHidden === null) this.labelHidden = new Uint8Array(this.p.labels.length);
    this.labelHidden[labelRow] = 1;
  }
}

/**
 * Rewrite each location's lines with `pick`, which receives the current line rows of a
 * location and returns the ones to keep (or the same array when nothing changes).
 */
export function rewriteLocationLines(
  view: ProfileView,
  pick: (loc: number, lines: Uint32Array) => Uint32Array,
): void {
  const nLoc = view.p.locations.length;
  const start = new Uint32Array(nLoc + 1);
  const out: number[] = [];
  let changed = false;
  for (let l = 0; l < nLoc; l++) {
    const cur = view.locLines.subarray(view.locLineStart[l], view.locLineStart[l + 1]);
    const kept = pick(l, cur);
    if (kept !== cur) changed = true;
    start[l] = out.length;
    for (let k = 0; k < kept.length; k++) out.push(kept[k]);
  }
  start[nLoc] = out.length;
  if (changed) view.setLocationLines(start, Uint32Array.from(out));
}

/**
 * Rebuild the sample selection: `edit` receives each selected sample's stack and returns
 * the stack to keep, or null to drop the sample.
 */
export function rewriteSamples(
  view: ProfileView,
  edit: (i: number, stack: Uint32Array) => Uint32Array | null,
): void {
  const n = view.sampleCount;
  const rows: number[] = [];
  const starts: number[] = [0];
  let stack = new Uint32Array(view.stack.length);
  let used = 0;
  for (let i = 0; i < n; i++) {
    const cur = view.stack.subarray(view.stackStart[i], view.stackStart[i + 1]);
    const kept = edit(i, cur);
    if (kept === null) continue;
    if (used + kept.length > stack.length) {
      const bigger = new Uint32Array(Math.max(stack.length * 2, used + kept.length));
      bigger.set(stack.subarray(0, used));
      stack = bigger;
    }
    stack.set(kept, used);
    used += kept.length;
    rows.push(view.sampleRow[i]);
    starts.push(used);
  }
  view.setSamples(Uint32Array.from(rows), Uint32Array.from(starts), stack.subarray(0, used));
}
