// How many goroutines wait in each class, and for how long (the runtime prints
// the wait in whole minutes, only from one minute on).

import { type GoroutineDump, funcNames } from "../model.js";
import { classifyGoroutine, WAIT_CLASSES, type WaitClass } from "../../core/go/index.js";

export interface ClassCount {
  cls: WaitClass;
  count: number;
}

export interface WaitBin {
  /** inclusive lower bound, minutes */
  from: number;
  /** exclusive upper bound, minutes; null = open */
  to: number | null;
  label: string;
  count: number;
}

/** Classes in WAIT_CLASSES order, only those present. */
export function classHistogram(d: GoroutineDump): ClassCount[] {
  const m = new Map<WaitClass, number>();
  for (const g of d.goroutines) {
    const c = classifyGoroutine(g.state, funcNames(g)).cls;
    m.set(c, (m.get(c) ?? 0) + g.count);
  }
  return WAIT_CLASSES.filter((c) => m.has(c)).map((cls) => ({ cls, count: m.get(cls)! }));
}

const BINS: Array<[number, number | null, string]> = [
  [0, 1, "< 1 min"],
  [1, 5, "1-4 min"],
  [5, 15, "5-14 min"],
  [15, 60, "15-59 min"],
  [60, 240, "1-4 h"],
  [240, null, ">= 4 h"],
];

/** Goroutines per wait-minute bin (all bins, zero counts included). */
export function waitHistogram(d: GoroutineDump): WaitBin[] {
  const bins: WaitBin[] = BINS.map(([from, to, label]) => ({ from, to, label, count: 0 }));
  for (const g of d.goroutines) {
    const w = g.waitMinutes;
    for (const b of bins) {
      if (w >= b.from && (b.to === null || w < b.to)) {
        b.count += g.count;
        break;
      }
    }
  }
  return bins;
}
