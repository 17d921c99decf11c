// The viewer's state: the data, the lanes laid out top to bottom, the visible window
// [t0, t1) in ns and the canvas geometry; x <-> time conversions.

import type { Data, Lane } from "./types.js";

export const LABEL_W = 190;
export const RULER_H = 22;
const BAND_H = 12;
const PROC_H = 20;
const ROW_H = 9;
const GROUP_H = 36;
const GAP = 3;

export class ViewState {
  t0 = 0;
  t1: number;
  width = 800;
  readonly lanes: Lane[] = [];
  readonly height: number;
  firstPaintMs = NaN;
  redraws = 0;

  constructor(readonly data: Data) {
    this.t1 = Math.max(data.meta.durationNs, 1);
    let y = RULER_H;
    const add = (kind: Lane["kind"], label: string, h: number, index = 0) => {
      this.lanes.push({ kind, label, y, h, index });
      y += h + GAP;
    };
    const m = data.meta;
    add("gc", "GC mark phases", BAND_H);
    add("stw", "stop-the-world", BAND_H);
    data.procs.forEach((p, i) => add("proc", `P${p.proc}`, PROC_H, i));
    if (data.tasks.start.length > 0) add("tasks", `tasks (${m.tasks.types.length} types)`, m.tasks.rows * ROW_H);
    if (data.regions.start.length > 0) add("regions", `regions (${m.regions.types.length} types)`, m.regions.rows * ROW_H);
    m.groupLanes.forEach((l, i) => add("group", m.groups[l.group].name || "(no stack)", GROUP_H, i));
    this.height = y + 4;
  }

  get plotW(): number {
    return Math.max(50, this.width - LABEL_W);
  }

  x(t: number): number {
    return LABEL_W + ((t - this.t0) / (this.t1 - this.t0)) * this.plotW;
  }

  t(x: number): number {
    return this.t0 + ((x - LABEL_W) / this.plotW) * (this.t1 - this.t0);
  }

  /** Set the window, clamped to the trace and to at least 1 µs wide. */
  setView(t0: number, t1: number): void {
    const dur = Math.max(this.data.meta.durationNs, 1);
    let w = Math.min(Math.max(t1 - t0, Math.min(1000, dur)), dur);
    if (!(w > 0)) w = dur;
    let a = t0;
    if (a < 0) a = 0;
    if (a + w > dur) a = dur - w;
    this.t0 = a;
    this.t1 = a + w;
  }

  /** Zoom by `factor` (< 1 zooms in) keeping time at x fixed. */
  zoomAt(x: number, factor: number): void {
    const t = this.t(x);
    this.setView(t - (t - this.t0) * factor, t + (this.t1 - t) * factor);
  }

  pan(dxPx: number): void {
    const dt = (dxPx / this.plotW) * (this.t1 - this.t0);
    this.setView(this.t0 + dt, this.t1 + dt);
  }

  laneAt(y: number): Lane | undefined {
    return this.lanes.find((l) => y >= l.y && y < l.y + l.h);
  }
}

export { ROW_H };

/** First index i with arr[i] >= v (arr ascending). */
export function lowerBound(arr: Float64Array, v: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
