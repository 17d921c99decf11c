// The answers of godiag serve's views as they cross the wire: types only, no imports,
// so the browser client (built without Node's types) reads the same declarations the
// server writes.

export interface TopRow {
  name: string;
  flat: string;
  flatPct: string;
  sumPct: string;
  cum: string;
  cumPct: string;
  /** raw values (diff: negative = shrank) */
  flatValue: number;
  cumValue: number;
}

export interface TopView {
  labels: string[];
  rows: TopRow[];
  /** rows left out (the browser receives what it draws) */
  more: number;
  warnings: string[];
}

export interface GcSeries {
  file: string;
  /** per cycle: seconds since start, STW pause (ms), heap at start/end, live heap, goal (MB), GC CPU % since start */
  atSec: number[];
  pauseMs: number[];
  heapStartMB: number[];
  heapEndMB: number[];
  liveMB: number[];
  goalMB: number[];
  cpuPercent: number[];
}
