// The CPU profile as the rules read it, computed once per diagnosis: which sample
// value is CPU time, and that time attributed to the innermost user frame — all of
// it, and the part spent in system calls (cpu-hotspot, syscall-heavy and
// mutex-contention all ask for the same attribution).

import { attributeToUserCode, isSyscallFrame, type Attribution } from "../core/go/index.js";
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
  return {
    input,
    typeIndex,
    all: attributeToUserCode(input.frames, typeIndex),
    syscalls: attributeToUserCode(input.frames, typeIndex, (fr) => fr.some(isSyscallFrame)),
  };
}
