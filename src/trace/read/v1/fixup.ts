// After the merge (Go's parseEventBatches tail and parse in
// $(go env GOROOT)/src/internal/trace/internal/tracev1/parser.go): syscall exits get the
// time the syscall really returned, the stream is re-sorted stably, ticks become
// nanoseconds from the first event, and timer unblocks and syscall exits move to Go's
// fake Ps.

import { V1EventError } from "./errors.js";
import type { EventColumns } from "./columns.js";
import { SyscallP, TimerP, V1 } from "./wire.js";

/**
 * order: the store's indices in merged order. Returns the final order (the same array
 * when no syscall exit moved); the k-th event of the trace is order[k].
 */
export function fixTimes(ev: EventColumns, order: Uint32Array, ticksPerSec: number, timerGoids: ReadonlySet<number>): Uint32Array {
  const n = order.length;
  const ts = ev.ts;
  for (let k = 1; k < n; k++) {
    if (ts[order[k]] < ts[order[k - 1]]) throw new V1EventError("time stamps out of order", order[k]);
  }
  // A syscall exit's real time (a2) was taken before the event was written; move it there.
  const lastSysBlock = new Map<number, number>();
  const moved: number[] = []; // positions in order
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const typ = ev.typ[i];
    if (typ === V1.GoSysBlock || typ === V1.GoInSyscall) lastSysBlock.set(ev.g[i], ts[i]);
    else if (typ === V1.GoSysExit) {
      const real = ev.a2[i];
      if (real === 0) continue;
      const block = lastSysBlock.get(ev.g[i]) ?? 0;
      if (block === 0) throw new V1EventError("stray syscall exit", i);
      if (real < block) throw new V1EventError("time stamps out of order", i);
      if (real !== ts[i]) moved.push(k);
      ts[i] = real;
    }
  }
  const final = moved.length > 0 ? stableOrder(ts, order, moved) : order;
  if (n > 0) {
    const minTs = ts[final[0]];
    const freq = 1e9 / ticksPerSec;
    const timers = timerGoids.size > 0;
    for (let i = 0; i < ev.n; i++) {
      ts[i] = Math.trunc((ts[i] - minTs) * freq);
      const typ = ev.typ[i];
      if (timers && typ === V1.GoUnblock && timerGoids.has(ev.g[i])) ev.p[i] = TimerP;
      if (typ === V1.GoSysExit) ev.p[i] = SyscallP;
    }
  }
  return final;
}

/**
 * Go's sort.Stable after changing the times of the events at positions `moved`: the
 * others are still in order, so a merge of the two by (time, position) is the stable
 * sort, in O(n + k log k).
 */
function stableOrder(ts: Float64Array, order: Uint32Array, moved: number[]): Uint32Array {
  const n = order.length;
  const at = (k: number) => ts[order[k]];
  moved.sort((a, b) => at(a) - at(b) || a - b);
  const isMoved = new Uint8Array(n);
  for (const k of moved) isMoved[k] = 1;
  const out = new Uint32Array(n);
  let o = 0;
  let m = 0;
  let k = 0;
  for (;;) {
    while (k < n && isMoved[k]) k++;
    if (k === n && m === moved.length) break;
    if (m < moved.length && (k === n || at(moved[m]) < at(k) || (at(moved[m]) === at(k) && moved[m] < k))) out[o++] = order[moved[m++]];
    else out[o++] = order[k++];
  }
  return out;
}
