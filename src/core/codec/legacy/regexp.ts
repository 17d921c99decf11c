// Regular expressions for the legacy readers: pprof's own fixed patterns.
//
// The patterns are trusted (written here, not typed by users), but the lines
// are not: pprof's patterns (e.g. `(\d+) *(\d+) @...`, unanchored) make V8's
// backtracking engine quadratic or worse on long lines (16 ms for a 4 KiB
// /proc/self/maps line, tens of seconds for 64 KiB), where Go's engine is linear.
// So GuardedRegExp runs a pattern on V8 for ordinary lines, where V8 is ~35x
// faster than re2js (0.10-0.12 us against 3.8-4.6 us a line, measured by
// bench/regexp.mjs; docs/PERFORMANCE.md, "Regular expressions"), and on re2js
// (Go's regexp: linear time, leftmost-first submatches like V8's and Go's) for
// lines longer than NATIVE_MAX. re2js replaced a hand-written linear matcher
// (a bit-state backtracker) that took 12-26 ms on a 64 KiB line; re2js takes
// 0.001-0.2 ms there, and the same 1-5 us on short lines.
// Patterns given to LinearRegExp use Go's syntax; the input is latin1, so no
// char is above 0xff.

import type { RE2JS } from "re2js";
import { re2js } from "../../go/index.js";

/** A compiled Go pattern on re2js. exec() mirrors RegExp.exec: [whole, group1, ...] (undefined for unset groups) or null. */
export class LinearRegExp {
  private readonly re: RE2JS;

  constructor(readonly source: string) {
    this.re = re2js().RE2JS.compile(source);
  }

  test(s: string): boolean {
    return this.re.test(s);
  }

  exec(s: string): (string | undefined)[] | null {
    const m = this.re.exec(s) as (string | undefined)[] | null;
    return m === null ? null : Array.from(m);
  }
}

/**
 * Leftmost match of a pattern whose match can only start at a run of
 * `inRun` chars and whose outcome is the same from every position of one run
 * (the run is consumed greedily and what follows decides). Then trying the
 * sticky regex once per run — at its start, or one char earlier when
 * `lead` accepts that char (an optional prefix like `-?`) — finds the same
 * match as the unanchored regex, in linear time.
 */
export function execAtRunStarts(
  sticky: RegExp,
  s: string,
  inRun: (c: number) => boolean,
  lead?: (c: number) => boolean,
): RegExpExecArray | null {
  const n = s.length;
  let i = 0;
  while (i < n) {
    if (!inRun(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i > 0 && lead !== undefined && lead(s.charCodeAt(i - 1)) ? i - 1 : i;
    sticky.lastIndex = start;
    const m = sticky.exec(s);
    if (m !== null) return m;
    while (i < n && inRun(s.charCodeAt(i))) i++;
  }
  return null;
}

/** Lines up to this length use V8's regexp (worst case stays ~1 ms); longer ones re2js. */
const NATIVE_MAX = 1024;

/** The same pattern as a native RegExp and a LinearRegExp; exec picks by input length. */
export class GuardedRegExp {
  private readonly native: RegExp;
  private readonly linearSource: string;
  /** compiled on the first long line: re2js is not even loaded for ordinary profiles */
  private linear: LinearRegExp | null = null;
  constructor(native: RegExp, linearSource: string) {
    this.native = native;
    this.linearSource = linearSource;
  }
  exec(s: string): (string | undefined)[] | null {
    if (s.length <= NATIVE_MAX) return this.native.exec(s);
    return (this.linear ??= new LinearRegExp(this.linearSource)).exec(s);
  }
  test(s: string): boolean {
    return this.exec(s) !== null;
  }
}

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
