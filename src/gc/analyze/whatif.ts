// What-if: predict GC frequency, GC CPU and peak heap for other GOGC / GOMEMLIMIT
// settings from what one run showed (live heap, allocation rate, mark cost).
// The model (docs/GC.md) is the runtime pacer's goal (runtime/mgcpacer.go commit,
// heapGoalInternal, memoryLimitHeapGoal) in steady state:
//   goal(GOGC)  = max(live + (live + stacks + globals) × GOGC/100, 4 MiB × GOGC/100)
//   goal(limit) = (GOMEMLIMIT − non-heap memory) × (1 − 3 %)
//   goal        = min(goal(GOGC), goal(limit))
//   GC/s        = allocRate / (goal − live)           (each cycle's runway is goal − live)
//   GC CPU      = GC/s × CPU per cycle / GOMAXPROCS   (CPU per cycle ∝ scanned bytes)
//   peak heap   = goal × observed overshoot (heap at GC end / goal)
// When goal − live is under 5 % of live the heap sits at the limit: the GC runs
// continuously and the runtime's GC CPU limiter caps it at 50 %.

export interface WhatIfInput {
  liveMB: number;
  /** scannable stacks + globals, MB */
  extraScanMB: number;
  allocRateMBps: number;
  procs: number;
  /** GC CPU per cycle (excl. idle marking) per MB scanned, ms/MB */
  cpuMsPerScanMB: number;
  /** fixed GC CPU per cycle (STW phases), ms */
  cpuMsFixed: number;
  /** median heapEnd / goal (≥ 1) */
  overshoot: number;
  /** observed median concurrent mark wall time, ms (sets the cycle length when GC runs continuously) */
  markMs: number;
  /** memory the runtime maps besides the heap (stacks, metadata...), MB */
  nonHeapMB: number;
  currentGogc: number;
  currentLimitMB?: number;
}

export interface Scenario {
  gogc: number | "off";
  limitMB?: number;
  goalMB: number;
  gcPerSec: number;
  gcCpuPercent: number;
  peakHeapMB: number;
  /** the memory limit, not GOGC, sets the goal */
  limitBound: boolean;
  /** heap stuck at the limit: continuous GC, CPU capped by the limiter */
  thrash: boolean;
}

export const GOGC_GRID = [25, 50, 100, 150, 200, 300, 400, 800];
const MIN_HEAP_MB = 4;
const LIMIT_HEADROOM = 0.03;
const LIMITER_CAP = 50;

export function predict(inp: WhatIfInput, gogc: number | "off", limitMB?: number): Scenario {
  const scan = inp.liveMB + inp.extraScanMB;
  let goal = gogc === "off" ? Infinity : Math.max(inp.liveMB + (scan * gogc) / 100, (MIN_HEAP_MB * gogc) / 100);
  let limitBound = false;
  if (limitMB !== undefined) {
    const lg = (limitMB - inp.nonHeapMB) * (1 - LIMIT_HEADROOM);
    if (lg < goal) {
      goal = lg;
      limitBound = true;
    }
  }
  const runway = goal - inp.liveMB;
  const cpuPerCycle = inp.cpuMsFixed + inp.cpuMsPerScanMB * scan;
  if (!Number.isFinite(goal)) {
    return { gogc, limitMB, goalMB: Infinity, gcPerSec: 0, gcCpuPercent: 0, peakHeapMB: Infinity, limitBound, thrash: false };
  }
  if (runway <= 0.05 * inp.liveMB) {
    // Continuous GC: a cycle starts as soon as the last ends, so a cycle lasts about
    // one mark phase (the observed one, else the mark CPU on the 25 % of P that
    // background workers get); the limiter caps GC CPU at 50 %.
    const cycleSec = (inp.markMs > 0 ? inp.markMs : cpuPerCycle / Math.max(1, inp.procs * 0.25)) / 1000;
    return {
      gogc,
      limitMB,
      goalMB: goal,
      gcPerSec: cycleSec > 0 ? 1 / cycleSec : Infinity,
      gcCpuPercent: LIMITER_CAP,
      peakHeapMB: Math.max(inp.liveMB, goal) * inp.overshoot,
      limitBound,
      thrash: true,
    };
  }
  const gcPerSec = inp.allocRateMBps / runway;
  const gcCpuPercent = Math.min(limitBound ? LIMITER_CAP : 100, (100 * gcPerSec * cpuPerCycle) / (1000 * inp.procs));
  return { gogc, limitMB, goalMB: goal, gcPerSec, gcCpuPercent, peakHeapMB: goal * inp.overshoot, limitBound, thrash: false };
}

export type Goal = "latency" | "memory" | "throughput";

export interface Recommendation {
  goal: Goal;
  gogc: number | "off";
  limitMB?: number;
  scenario: Scenario;
  why: string;
}

/**
 * Pick settings for a goal. throughput: least GC CPU whose peak fits the budget;
 * memory: smallest peak with GC CPU ≤ 10 %; latency: GC CPU ≤ 5 % (fewer cycles
 * and assists) with the smallest peak that fits the budget. A budget also becomes
 * GOMEMLIMIT (90 % of it) as a safety net, never as the working point.
 */
export function recommend(inp: WhatIfInput, goal: Goal, budgetMB?: number): Recommendation {
  const limit = budgetMB !== undefined ? budgetMB * 0.9 : inp.currentLimitMB;
  const all = GOGC_GRID.map((g) => predict(inp, g, limit));
  // The limit is a safety net: a setting whose goal the limit sets is not a working point.
  const fits = all.filter((s) => !s.thrash && !s.limitBound && (budgetMB === undefined || s.peakHeapMB + inp.nonHeapMB <= budgetMB * 0.9));
  const pool = fits.length > 0 ? fits : all.filter((s) => !s.thrash);
  if (pool.length === 0) {
    const s = all[all.length - 1];
    return {
      goal,
      gogc: inp.currentGogc,
      limitMB: limit,
      scenario: s,
      why: `the live heap (${inp.liveMB.toFixed(0)} MB) does not fit the memory limit at any GOGC: raise the limit above ${Math.ceil(inp.liveMB * 1.5 + inp.nonHeapMB)} MB or shrink the live heap`,
    };
  }
  let pick: Scenario;
  let why: string;
  if (goal === "throughput") {
    pick = pool.reduce((a, b) => (b.gcCpuPercent < a.gcCpuPercent ? b : a));
    why = "least GC CPU" + (budgetMB !== undefined ? " whose peak heap fits 90 % of the budget" : "");
  } else if (goal === "memory") {
    const ok = pool.filter((s) => s.gcCpuPercent <= 10);
    pick = (ok.length > 0 ? ok : pool).reduce((a, b) => (b.peakHeapMB < a.peakHeapMB ? b : a));
    why = ok.length > 0 ? "smallest peak heap with GC CPU ≤ 10 %" : "smallest peak heap (no setting keeps GC CPU ≤ 10 %)";
  } else {
    const ok = pool.filter((s) => s.gcCpuPercent <= 5);
    pick = ok.length > 0 ? ok.reduce((a, b) => (b.peakHeapMB < a.peakHeapMB ? b : a)) : pool.reduce((a, b) => (b.gcPerSec < a.gcPerSec ? b : a));
    why = ok.length > 0 ? "fewest assists: GC CPU ≤ 5 % at the smallest peak heap" : "fewest GC cycles (no setting keeps GC CPU ≤ 5 %)";
  }
  return { goal, gogc: pick.gogc, limitMB: limit, scenario: pick, why };
}
