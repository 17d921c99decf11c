// After the merge (Go's parseEventBatches tail and parse in
// $(go env GOROOT)/src/internal/trace/internal/tracev1/parser.go): syscall exits get the
// time the syscall really returned, the stream is re-sorted stably, ticks become
// nanoseconds from the first event, and timer unblocks and syscall exits move to Go's
// fake Ps.

import { TraceFormatError } from "../errors.js";
import type { EventColumns } from "./columns.js";
import { SyscallP, TimerP, V1 } from "./wire.js";

export function fixTimes(ev: EventColumns, ticksPerSec: number, timerGoids: ReadonlySet<number>): void {
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
  if (moved.length > 0) stableResort(ev, moved);
  if (n > 0) {
    const minTs = ts[0];
    const freq = 1e9 / ticksPerSec;
    for (let i = 0; i < n; i++) {
      ts[i] = Math.trunc((ts[i] - minTs) * freq);
      const typ = ev.typ[i];
      if (typ === V1.GoUnblock && timerGoids.has(ev.g[i])) ev.p[i] = TimerP;
      if (typ === V1.GoSysExit) ev.p[i] = SyscallP;
    }
  }
}

/**
 * Go's sort.Stable after changing the times of `moved` events: the others are still in
 * order, so a merge of the two by (time, old index) is the stable sort, in O(n + k log k).
 */
function stableResort(ev: EventColumns, moved: number[]): void {
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
  permute(ev, perm);
}

function permute(ev: EventColumns, perm: Uint32Array): void {
  const n = ev.n;
  const tmp = new Float64Array(n);
  const f64 = (col: Float64Array) => {
    for (let k = 0; k < n; k++) tmp[k] = col[perm[k]];
    col.set(tmp.subarray(0, n));
  };
  f64(ev.ts);
  f64(ev.g);
  f64(ev.a0);
  f64(ev.a1);
  f64(ev.a2);
  const small = (col: Int32Array | Uint32Array | Uint8Array) => {
    for (let k = 0; k < n; k++) tmp[k] = col[perm[k]];
    for (let k = 0; k < n; k++) col[k] = tmp[k];
  };
  small(ev.p);
  small(ev.stk);
  small(ev.typ);
}
