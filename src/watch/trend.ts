// Is a series growing steadily? A least-squares line over the last N window
// values: the slope (per minute) says how fast, r² says how steadily (a leak grows
// in a line; a busy hour goes up and comes back). Both must pass for an alert.

import { slope } from "../core/stats/index.js";

export interface Fit {
  /** units per minute */
  perMinute: number;
  r2: number;
  first: number;
  last: number;
  points: number;
}

export function fitTrend(timesMs: readonly number[], values: readonly number[]): Fit {
  const n = Math.min(timesMs.length, values.length);
  const xs = timesMs.slice(0, n).map((t) => t / 60_000);
  const ys = values.slice(0, n);
  const b = slope(xs, ys);
  const mx = xs.reduce((a, x) => a + x, 0) / Math.max(1, n);
  const my = ys.reduce((a, y) => a + y, 0) / Math.max(1, n);
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const fit = my + b * (xs[i]! - mx);
    ssRes += (ys[i]! - fit) ** 2;
    ssTot += (ys[i]! - my) ** 2;
  }
  return { perMinute: b, r2: ssTot === 0 ? 0 : 1 - ssRes / ssTot, first: ys[0] ?? 0, last: ys[n - 1] ?? 0, points: n };
}

/** Steady growth: enough windows, fast enough, close to a line, and up overall. */
export function growing(f: Fit, windows: number, minPerMinute: number, minR2 = 0.8): boolean {
  return f.points >= windows && f.perMinute >= minPerMinute && f.r2 >= minR2 && f.last > f.first;
}
