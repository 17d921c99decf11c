// Decoding one batch of a P into events (Go's loadBatch and parseEvent): timestamps are
// deltas from the batch header's, and the goroutine an event happened on is the one the
// P last started (carried from batch to batch of the same P).

import { EventColumns } from "./columns.js";
import type { RawReader } from "./raw.js";
import { checkArgs, u32 } from "./scan.js";
import { V1, V1_DESCS } from "./wire.js";

/** One P's stream of batches, and the events of the batch being merged. */
export class ProcStream {
  /** index among the merge's streams */
  idx = 0;
  nextBatch = 0;
  /** the goroutine running on this P at the end of the last batch read */
  lastG = 0;
  readonly ev: EventColumns;
  head = 0;
  done = false;
  /** the goroutine state the head event waits for, and its version when last checked */
  blockedOn: { ver: number } | null = null;
  blockedVer = 0;

  constructor(
    readonly pid: number,
    readonly batchOffsets: number[],
    ev?: EventColumns,
  ) {
    this.ev = ev ?? new EventColumns(256);
  }
}

/** Interns the messages of UserLog events (they are inline strings in the v1 format). */
export class InlineStrings {
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

/** Read the P's next batch into ps.ev; false when it has none left. */
export function loadBatch(r: RawReader, ps: ProcStream, inline: InlineStrings): boolean {
  if (ps.nextBatch === ps.batchOffsets.length) return false;
  r.seek(ps.batchOffsets[ps.nextBatch++]);
  r.next(); // the batch header
  const a = r.args;
  let lastTs = a[1];
  let lastG = ps.lastG;
  const ev = ps.ev;
  ev.n = 0;
  ps.head = 0;
  while (r.next()) {
    const typ = r.typ;
    if (typ === V1.Batch) break;
    if (typ === V1.String || typ === V1.Stack || typ === V1.Frequency || typ === V1.TimerGoroutine || typ === V1.CPUSample) continue;
    checkArgs(r);
    const desc = V1_DESCS[typ]!;
    const i = ev.push();
    const ts = lastTs + a[0];
    lastTs = ts;
    ev.ts[i] = ts;
    ev.typ[i] = typ;
    ev.p[i] = ps.pid;
    const nNamed = desc.args;
    ev.a0[i] = nNamed > 0 ? a[1] : 0;
    ev.a1[i] = nNamed > 1 ? a[2] : 0;
    ev.a2[i] = nNamed > 2 ? a[3] : 0;
    ev.stk[i] = desc.stack ? u32(a[nNamed + 1]) : 0;
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
        break;
    }
    ev.g[i] = g;
  }
  ps.lastG = lastG;
  return true;
}
