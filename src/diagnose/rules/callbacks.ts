// A function literal is compiled as its enclosing function's F.funcN (F.funcN.M when
// nested; cmd/compile's closure naming). When the library calls it back while F is
// still on the stack (sort.Slice's less, slices.SortFunc's cmp, strings.Map's mapping,
// a filepath.Walk visitor), its instructions are F's own loop reaching the library
// and back: the comparison F wrote runs as many times as F asked the library to
// compare. Attributing those samples to the closure splits one hot spot in two (the
// closure's own instructions, F's "library work"); folded into F, F's share and own
// instructions are what `pprof -cum` shows for F. A closure running as its own
// goroutine (go func() {...}()) has no F below it and stays itself.
// (godiag corpus round 6: topsellers, a sort.Slice of the catalogue per request.)

import { attributeToUserCode, CodeOrigins, type Attribution } from "../../core/go/index.js";
import type { StackFrames } from "../../core/model/index.js";

const CLOSURE_SUFFIX = /\.(func\d+|\d+)$/;

/** F for F.funcN / F.funcN.M, or undefined when fn is not a closure. */
export function enclosingFunction(fn: string): string | undefined {
  if (!/\.func\d+(\.\d+)*$/.test(fn)) return undefined;
  let f = fn;
  while (CLOSURE_SUFFIX.test(f)) f = f.replace(CLOSURE_SUFFIX, "");
  return f === fn || f === "" ? undefined : f;
}

/** The function a sample at frames[i] is charged to: its enclosing function when that calls it back. */
export function chargedTo(frames: readonly string[], i: number): string {
  const fn = frames[i]!;
  const outer = enclosingFunction(fn);
  if (outer !== undefined && frames.indexOf(outer, i + 1) > i) return outer;
  return fn;
}

/** attributeToUserCode with callbacks folded into their enclosing function. */
export function attributeFolded(
  sf: StackFrames,
  typeIndex: number,
  select?: (frames: string[]) => boolean,
  origins: CodeOrigins = CodeOrigins.fromProfile(sf.profile),
): Attribution {
  return attributeToUserCode(sf, typeIndex, select, origins, chargedTo);
}

/**
 * A user function's own instructions (cpu.ts's self time: the leaf user frame, past
 * the compare/copy routines its loops call) with callbacks folded likewise.
 */
export function selfFolded(sf: StackFrames, typeIndex: number, loopLeaves: RegExp, isUser: (fn: string) => boolean): Map<string, number> {
  const p = sf.profile;
  const out = new Map<string, number>();
  for (let s = 0; s < p.samples.length; s++) {
    const v = p.sampleValue(s, typeIndex);
    if (v === 0) continue;
    const fr = sf.names(s);
    let i = 0;
    while (i < fr.length && loopLeaves.test(fr[i]!)) i++;
    if (i >= fr.length || !isUser(fr[i]!)) continue;
    const fn = chargedTo(fr, i);
    out.set(fn, (out.get(fn) ?? 0) + v);
  }
  return out;
}
