// After the merge (Go's parseEventBatches tail and parse in
// $(go env GOROOT)/src/internal/trace/internal/tracev1/parser.go): syscall exits get the
// time the syscall really returned, the stream is re-sorted stably, ticks become
// nanoseconds from the first event, and timer unblocks and syscall exits move to Go's
// fake Ps.

import { TraceFormatError } from "../errors.js";
import type { EventColumns } from "./columns.js";
import { SyscallP, TimerP, V1 } from "./wire.js";

/**
 * Returns the new order of the events when syscall exits moved (k-th event = order[k]),
 * null when they are still in order: passing the order on is cheaper than moving 8 columns.
 */
export function fixTimes(ev: EventColumns, ticksPerSec: number, timerGoids: ReadonlySet<number>): Uint32Array | null {
  const n = ev.n;
  const ts = ev.ts;
  for (let i = 1; i < n; i++) {
    if (ts[i] < ts[i - 1]) throw new TraceFormatError("time stamps out of order", 0);
  }
  // A syscall exit's real time (a2) was taken before the event was written; move it there.
  const lastSysBlock = new Map<number, number>();
  const moved: number[] = [];
  for (let i = 0; i < n; i++) {
    const typ = ev.typ[i];
    if (typ === V1.GoSysBlock || typ === V1.GoInSyscall) lastSysBlock.set(ev.g[i], ts[i]);
    else if (typ === V1.GoSysExit) {
      const real = ev.a2[i];
      if (real === 0) continue;
      const block = lastSysBlock.get(ev.g[i]) ?? 0;
      if (block === 0) throw new TraceFormatError("stray syscall exit", 0);
      if (real < block) throw new TraceFormatError("time stamps out of order", 0);
      if (real !== ts[i]) moved.push(i);
      ts[i] = real;
    }
  }
  const order = moved.length > 0 ? stableOrder(ev, moved) : null;
  if (n > 0) {
    const minTs = ts[order === null ? 0 : order[0]];
    const freq = 1e9 / ticksPerSec;
    const timers = timerGoids.size > 0;
    for (let i = 0; i < n; i++) {
      ts[i] = Math.trunc((ts[i] - minTs) * freq);
      const typ = ev.typ[i];
      if (timers && typ === V1.GoUnblock && timerGoids.has(ev.g[i])) ev.p[i] = TimerP;
      if (typ === V1.GoSysExit) ev.p[i] = SyscallP;
    }
  }
  return order;
}

/**
 * Go's sort.Stable after changing the times of `moved` events: the others are still in
 * order, so a merge of the two by (time, old index) is the stable sort, in O(n + k log k).
 */
function stableOrder(ev: EventColumns, moved: number[]): Uint32Array {
  const n = ev.n;
  const ts = ev.ts;
  moved.sort((a, b) => ts[a] - ts[b] || a - b);
  const isMoved = new Uint8Array(n);
  for (const i of moved) isMoved[i] = 1;
  const perm = new Uint32Array(n);
  let k = 0;
  let m = 0;
  let i = 0;
  for (;;) {
    while (i < n && isMoved[i]) i++;
    if (i === n && m === moved.length) break;
    if (m < moved.length && (i === n || ts[moved[m]] < ts[i] || (ts[moved[m]] === ts[i] && moved[m] < i))) perm[k++] = moved[m++];
    else perm[k++] = i++;
  }
  return perm;
}
