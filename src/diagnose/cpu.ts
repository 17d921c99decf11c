// The CPU profile as the rules read it, computed once per diagnosis: which sample
// value is CPU time, and that time attributed to the innermost user frame — all of
// it, and the part spent in system calls (cpu-hotspot, syscall-heavy and
// mutex-contention all ask for the same attribution).

import { attributeToUserCode, isSyscallFrame, originOf, type Attribution, type CodeOrigins } from "../core/go/index.js";
import { sampleTypeIndex, type Profile } from "../core/model/index.js";
import type { DiagnoseContext, ProfileInput } from "./context.js";

export interface CpuAnalysis {
  input: ProfileInput;
  /** index of the cpu/nanoseconds value (the last value when there is none) */
  typeIndex: number;
  /** all CPU time, by innermost user function */
  all: Attribution;
  /** CPU time spent in system calls, by the user function that made them */
  syscalls: Attribution;
  /**
   * CPU time spent in a user function's own instructions: samples whose leaf is the
   * function itself (inlined user callees included), or one of the compare/copy
   * routines the compiler emits as calls for its loops (memeqbody, cmpbody,
   * memmove...), or runtime.asyncPreempt interrupting it. Library work it calls (encoding/json, crypto, sort) is not its own.
   */
  self: Map<string, number>;
  /** which packages are dependencies (ctx.origins()): "user" above means the user's own module */
  origins: CodeOrigins;
}

// Runtime routines that are a user loop's own instructions, called as functions;
// and runtime.asyncPreempt, which the preemption signal injects into a running loop
// (runtime/preempt.go): a sample there is the interrupted function's time.
export const LOOP_LEAVES = /^(memeqbody|cmpbody|countbody|indexbytebody|runtime\.(memequal(\d+)?|cmpstring|memmove|memclrNoHeapPointers|strequal|efaceeq|ifaceeq|asyncPreempt)|internal\/bytealg\.\w+)$/;

function selfTime(input: ProfileInput, typeIndex: number, origins: CodeOrigins): Map<string, number> {
  const p = input.profile;
  const out = new Map<string, number>();
  for (let s = 0; s < p.samples.length; s++) {
    const v = p.sampleValue(s, typeIndex);
    if (v === 0) continue;
    const fr = input.frames.names(s);
    let i = 0;
    while (i < fr.length && LOOP_LEAVES.test(fr[i]!)) i++;
    const fn = fr[i];
    if (fn !== undefined && originOf(fn, origins) === "user") out.set(fn, (out.get(fn) ?? 0) + v);
  }
  return out;
}

export function cpuTypeIndex(p: Profile): number {
  const i = sampleTypeIndex(p, "cpu");
  return i >= 0 ? i : p.sampleTypes.length - 1;
}

/** The bundle's CPU profile analysis, or undefined without a CPU profile. */
export function cpuAnalysis(ctx: DiagnoseContext): CpuAnalysis | undefined {
  return ctx.once(computeCpu);
}

function computeCpu(ctx: DiagnoseContext): CpuAnalysis | undefined {
  const input = ctx.profile("cpu");
  if (!input) return undefined;
  const typeIndex = cpuTypeIndex(input.profile);
  const origins = ctx.origins();
  return {
    input,
    typeIndex,
    all: attributeToUserCode(input.frames, typeIndex, undefined, origins),
    syscalls: attributeToUserCode(input.frames, typeIndex, (fr) => fr.some(isSyscallFrame), origins),
    self: selfTime(input, typeIndex, origins),
    origins,
  };
}
