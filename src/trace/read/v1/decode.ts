// The second pass over a v1 trace: every timed event decoded, in file order, into one
// column store sized by the scan's count (Go's loadBatch and parseEvent, for all batches
// at once). Timestamps are deltas from their batch header's; the goroutine an event
// happened on is the one its P last started (carried from batch to batch of the same P).
// Each P's events become ranges of the store, one per batch, which the merge walks.

import { EventColumns } from "./columns.js";
import { UNTIMED, type RawReader } from "./raw.js";
import { checkArgs, u32, type V1Scan } from "./scan.js";
import { ARG_COUNT, HAS_STACK, MAX_TABLE_ENTRIES, NAMED_ARGS, V1 } from "./wire.js";

export interface Decoded {
  ev: EventColumns;
  /** pid -> [start, end) event-index pairs, one per batch, in file order */
  ranges: Map<number, number[]>;
  /** the CPU samples: one range at the end of the store, sorted by time */
  samples: [number, number];
  /** UserLog messages by the index their events hold in a2 */
  inline: string[];
}

/** Interns the messages of UserLog events (inline strings in the v1 format). */
class InlineStrings {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

export function decodeAll(r: RawReader, scan: V1Scan): Decoded {
  const ev = new EventColumns(Math.max(16, scan.timed + scan.cpuSamples.n));
  const ranges = new Map<number, number[]>();
  const lastGs = new Map<number, number>();
  const inline = new InlineStrings();
  const a = r.args;
  let pid = 0;
  let lastG = 0;
  let lastTs = 0;
  let cur: number[] | null = null;
  r.seek(0);
  while (r.next()) {
    const typ = r.typ;
    if (typ === V1.Batch) {
      if (cur !== null) {
        cur.push(ev.n);
        lastGs.set(pid, lastG);
      }
      pid = a[0];
      lastG = lastGs.get(pid) ?? 0;
      lastTs = a[1];
      cur = ranges.get(pid) ?? [];
      ranges.set(pid, cur);
      cur.push(ev.n);
      continue;
    }
    if (UNTIMED[typ] === 1) continue;
    if (r.nargs !== ARG_COUNT[typ]) checkArgs(r);
    const i = ev.push();
    const ts = lastTs + a[0];
    lastTs = ts;
    ev.ts[i] = ts;
    ev.typ[i] = typ;
    ev.p[i] = pid;
    const nNamed = NAMED_ARGS[typ];
    ev.a0[i] = nNamed > 0 ? a[1] : 0;
    ev.a1[i] = nNamed > 1 ? a[2] : 0;
    ev.a2[i] = nNamed > 2 ? a[3] : 0;
    ev.stk[i] = HAS_STACK[typ] === 1 ? u32(a[nNamed + 1]) : 0;
    let g = lastG;
    switch (typ) {
      case V1.GoStart:
      case V1.GoStartLocal:
      case V1.GoStartLabel:
        lastG = a[1];
        g = lastG;
        break;
      case V1.GoEnd:
      case V1.GoStop:
      case V1.GoSched:
      case V1.GoPreempt:
      case V1.GoSleep:
      case V1.GoBlock:
      case V1.GoBlockSend:
      case V1.GoBlockRecv:
      case V1.GoBlockSelect:
      case V1.GoBlockSync:
      case V1.GoBlockCond:
      case V1.GoBlockNet:
      case V1.GoSysBlock:
      case V1.GoBlockGC:
        lastG = 0;
        break;
      case V1.GoSysExit:
      case V1.GoWaiting:
      case V1.GoInSyscall:
        g = a[1];
        break;
      case V1.UserLog:
        ev.a2[i] = inline.id(r.string());
        if (inline.list.length > MAX_TABLE_ENTRIES) r.fail(`more than ${MAX_TABLE_ENTRIES} distinct log messages`);
        break;
    }
    ev.g[i] = g;
  }
  if (cur !== null) cur.push(ev.n);
  // CPU samples were written by a worker after the fact: ordered by the signal handler's time.
  const cs = scan.cpuSamples;
  const start = ev.n;
  const order = Array.from({ length: cs.n }, (_, i) => i).sort((x, y) => cs.ts[x] - cs.ts[y] || x - y);
  for (const i of order) ev.copyFrom(cs, i);
  return { ev, ranges, samples: [start, ev.n], inline: inline.list };
}
