// The first pass over a v1 trace: where each P's batches start, and everything that is not
// a timed event: strings, stacks, the clock frequency, timer goroutines and CPU samples
// (Go's collectBatchesAndCPUSamples plus the table events of its second pass, read here in
// file order; the runtime writes the stack table at the end, so file order is Go's order).

import { EventColumns } from "./columns.js";
import { type RawReader } from "./raw.js";
import { MAX_STACK_FRAMES, MAX_TABLE_ENTRIES, V1, V1_DESCS, argCount } from "./wire.js";

export interface V1Frame {
  pc: number;
  fn: number;
  file: number;
  line: number;
}

export interface V1Scan {
  /** pid -> file offsets of its batch headers, in file order; pids in first-seen order */
  batches: Map<number, number[]>;
  strings: Map<number, string>;
  /** stack id -> PCs (stacks with no frames are left out, as Go does) */
  stacks: Map<number, number[]>;
  /** PC -> frame; the first frame seen for a PC wins (inlined frames share PCs) */
  pcs: Map<number, V1Frame>;
  ticksPerSec: number;
  timerGoids: Set<number>;
  /** CPU samples: ts = the signal handler's time, p, g, stk */
  cpuSamples: EventColumns;
  /** timed events (what the merged stream will hold) */
  timed: number;
}

/** Go's uint32(x) of a value read as an int64-meaning number. */
export function u32(x: number): number {
  if (x >= 0 && x < 4294967296) return x;
  return ((x % 4294967296) + 4294967296) % 4294967296;
}

export function checkArgs(r: RawReader): void {
  const want = argCount(r.typ);
  if (r.typ !== V1.Stack && r.nargs !== want) {
    r.fail(`${V1_DESCS[r.typ]!.name} has wrong number of arguments: want ${want}, got ${r.nargs}`);
  }
}

export function scanV1(r: RawReader): V1Scan {
  const s: V1Scan = {
    batches: new Map(),
    strings: new Map(),
    stacks: new Map(),
    pcs: new Map(),
    ticksPerSec: 0,
    timerGoids: new Set(),
    cpuSamples: new EventColumns(64),
    timed: 0,
  };
  let cur: number[] | undefined;
  const a = r.args;
  while (r.next(false)) {
    const typ = r.typ;
    if (typ === V1.String) {
      if (s.strings.has(r.strId)) r.fail(`string has duplicate id ${r.strId}`);
      if (s.strings.size === MAX_TABLE_ENTRIES) r.fail(`more than ${MAX_TABLE_ENTRIES} strings`);
      s.strings.set(r.strId, r.string());
      continue;
    }
    if (typ === V1.Batch) {
      const pid = a[0];
      if (pid < -1 || pid > 0x7fffffff) r.fail(`processor ID ${pid} is larger than maximum of ${0x7fffffff}`);
      cur = s.batches.get(pid);
      if (cur === undefined) s.batches.set(pid, (cur = []));
      cur.push(r.offset);
      continue;
    }
    if (cur === undefined) r.fail(`read event ${typ} before the first batch`);
    switch (typ) {
      case V1.Frequency:
        checkArgs(r);
        s.ticksPerSec = a[0];
        // Go: the most likely cause is tick skew between CPUs.
        if (s.ticksPerSec <= 0) r.fail("time stamps out of order (non-positive clock frequency)");
        break;
      case V1.TimerGoroutine:
        checkArgs(r);
        s.timerGoids.add(a[0]);
        break;
      case V1.Stack:
        readStack(r, s);
        break;
      case V1.CPUSample: {
        if (r.nargs !== 5) r.fail(`CPU sample has wrong number of arguments: want 5, got ${r.nargs}`);
        const cs = s.cpuSamples;
        const i = cs.push();
        cs.ts[i] = a[1];
        cs.p[i] = a[2] | 0; // Go: int32(p); -1 when the sample had no P
        cs.g[i] = a[3];
        cs.typ[i] = V1.CPUSample;
        cs.stk[i] = u32(a[4]);
        cs.a0[i] = 0;
        cs.a1[i] = 0;
        cs.a2[i] = 0;
        break;
      }
      default:
        s.timed++;
    }
  }
  return s;
}

function readStack(r: RawReader, s: V1Scan): void {
  const a = r.args;
  if (r.nargs < 2) r.fail(`EvStack has wrong number of arguments: want at least 2, got ${r.nargs}`);
  const size = a[1];
  if (size < 0 || size > MAX_STACK_FRAMES) r.fail(`EvStack has bad number of frames: ${size}`);
  if (r.nargs !== 2 + 4 * size) r.fail(`EvStack has wrong number of arguments: want ${2 + 4 * size}, got ${r.nargs}`);
  const id = u32(a[0]);
  if (id === 0 || size === 0) return;
  if (s.stacks.size === MAX_TABLE_ENTRIES || s.pcs.size + size > MAX_TABLE_ENTRIES) r.fail(`more than ${MAX_TABLE_ENTRIES} stacks or frames`);
  const pcs: number[] = new Array(size);
  for (let i = 0; i < size; i++) {
    const pc = a[2 + i * 4];
    pcs[i] = pc;
    if (!s.pcs.has(pc)) s.pcs.set(pc, { pc, fn: a[3 + i * 4], file: a[4 + i * 4], line: a[5 + i * 4] });
  }
  s.stacks.set(id, pcs);
}

