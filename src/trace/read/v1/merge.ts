// Merging the Ps' batches into one stream (Go's parseEventBatches and order.go in
// $(go env GOROOT)/src/internal/trace/internal/tracev1/): events of one P are in order;
// across Ps, the next event is the earliest of those whose goroutine is in the state the
// event needs (sequence numbers order a goroutine's start/unblock/syscall-exit across Ps).
// The frontier heap follows Go's container/heap steps so equal timestamps come out as
// Go's would for the same P order (Go's own P order is a map's, i.e. random).

import { EventColumns } from "./columns.js";
import { type InlineStrings, ProcStream, loadBatch } from "./batch.js";
import type { RawReader } from "./raw.js";
import type { V1Scan } from "./scan.js";
import { V1 } from "./wire.js";

const DEAD = 0;
const RUNNABLE = 1;
const RUNNING = 2;
const WAITING = 3;
/** no ordering requirement on the sequence number / the next one is current + 1 */
const NOSEQ = -1;
const SEQINC = -2;
/** events with no ordering constraint; GC starts, ordered by their own sequence */
const UNORDERED = 0;
const ORDERED_G = 1;
const ORDERED_GC = 2;

interface GState {
  seq: number;
  status: number;
  /** bumped on every change: a P blocked on this state need not look again until it moves */
  ver: number;
}

/** The transition an event makes (Go's stateTransition), in reused fields. */
class Transition {
  on = UNORDERED;
  g = 0;
  initSeq = 0;
  initStatus = 0;
  nextSeq = 0;
  nextStatus = 0;

  of(ev: EventColumns, i: number): void {
    const typ = ev.typ[i];
    this.on = ORDERED_G;
    switch (typ) {
      case V1.GoCreate:
        return this.set(ev.a0[i], 0, DEAD, 1, RUNNABLE);
      case V1.GoWaiting:
      case V1.GoInSyscall:
        return this.set(ev.g[i], 1, RUNNABLE, 2, WAITING);
      case V1.GoStart:
      case V1.GoStartLabel:
        return this.set(ev.g[i], ev.a1[i], RUNNABLE, ev.a1[i] + 1, RUNNING);
      case V1.GoStartLocal:
        // Emitted on the P of the GoCreate/GoUnblock that preceded it: ready at once.
        return this.set(ev.g[i], NOSEQ, RUNNABLE, SEQINC, RUNNING);
      case V1.GoBlock:
      case V1.GoBlockSend:
      case V1.GoBlockRecv:
      case V1.GoBlockSelect:
      case V1.GoBlockSync:
      case V1.GoBlockCond:
      case V1.GoBlockNet:
      case V1.GoSleep:
      case V1.GoSysBlock:
      case V1.GoBlockGC:
        return this.set(ev.g[i], NOSEQ, RUNNING, NOSEQ, WAITING);
      case V1.GoSched:
      case V1.GoPreempt:
        return this.set(ev.g[i], NOSEQ, RUNNING, NOSEQ, RUNNABLE);
      case V1.GoUnblock:
      case V1.GoSysExit:
        return this.set(ev.a0[i], ev.a1[i], WAITING, ev.a1[i] + 1, RUNNABLE);
      case V1.GoUnblockLocal:
      case V1.GoSysExitLocal:
        return this.set(ev.a0[i], NOSEQ, WAITING, SEQINC, RUNNABLE);
      case V1.GCStart:
        this.set(0, ev.a0[i], DEAD, ev.a0[i] + 1, DEAD);
        this.on = ORDERED_GC;
        return;
      default:
        this.on = UNORDERED;
    }
  }

  private set(g: number, initSeq: number, initStatus: number, nextSeq: number, nextStatus: number): void {
    this.g = g;
    this.initSeq = initSeq;
    this.initStatus = initStatus;
    this.nextSeq = nextSeq;
    this.nextStatus = nextStatus;
  }
}

/** Goroutine states while merging, plus the GC's own sequence. */
class States {
  private readonly gs = new Map<number, GState>();
  private readonly gc: GState = { seq: 0, status: DEAD, ver: 0 };

  /** The state a transition applies to (created as Go's zero state when new). */
  of(t: Transition): GState {
    if (t.on === ORDERED_GC) return this.gc;
    let s = this.gs.get(t.g);
    if (s === undefined) this.gs.set(t.g, (s = { seq: 0, status: DEAD, ver: 0 }));
    return s;
  }
}

function ready(t: Transition, c: GState): boolean {
  return (t.initSeq === NOSEQ || t.initSeq === c.seq) && t.initStatus === c.status;
}

function apply(t: Transition, c: GState): void {
  c.seq = t.nextSeq === NOSEQ ? c.seq : t.nextSeq === SEQINC ? c.seq + 1 : t.nextSeq;
  c.status = t.nextStatus;
  c.ver++;
}

// The frontier: at most one event per P (its stream's head), a binary heap by timestamp.
function headTs(p: ProcStream): number {
  return p.ev.ts[p.head];
}

function heapPush(h: ProcStream[], x: ProcStream): void {
  h.push(x);
  let j = h.length - 1;
  for (;;) {
    const i = Math.trunc((j - 1) / 2);
    if (i === j || !(headTs(h[j]) < headTs(h[i]))) break;
    const t = h[i];
    h[i] = h[j];
    h[j] = t;
    j = i;
  }
}

function heapPop(h: ProcStream[]): ProcStream {
  const n = h.length - 1;
  let t = h[0];
  h[0] = h[n];
  h[n] = t;
  let i = 0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && headTs(h[j2]) < headTs(h[j1])) j = j2;
    if (!(headTs(h[j]) < headTs(h[i]))) break;
    t = h[i];
    h[i] = h[j];
    h[j] = t;
    i = j;
  }
  return h.pop()!;
}

/** Merge all batches into one ordered stream (timestamps still in ticks). */
export function mergeBatches(r: RawReader, scan: V1Scan, inline: InlineStrings, out: EventColumns): void {
  const all: ProcStream[] = [];
  for (const [pid, offs] of scan.batches) all.push(new ProcStream(pid, offs));
  // CPU samples: their own stream, in the order of the signal handler's timestamps.
  all.push(sortedSamples(scan.cpuSamples));
  const available = [...all];
  const frontier: ProcStream[] = [];
  const states = new States();
  // Each P's head transition, computed when it joins the frontier and applied when it
  // leaves (Go computes it twice; the event and the goroutine's state object are the same).
  const trans = all.map(() => new Transition());
  const stateOf: (GState | null)[] = all.map(() => null);
  all.forEach((p, i) => (p.idx = i));
  for (;;) {
    for (let i = 0; i < available.length; i++) {
      const ps = available[i];
      let exhausted = false;
      while (ps.head === ps.ev.n) {
        if (!loadBatch(r, ps, inline)) {
          exhausted = true;
          break;
        }
      }
      if (exhausted) {
        ps.done = true;
        available[i] = available[available.length - 1];
        available.pop();
        i--;
        continue;
      }
      // A P whose next event waits for a goroutine state that has not moved stays blocked.
      const b = ps.blockedOn;
      if (b !== null && b.ver === ps.blockedVer) continue;
      const t = trans[ps.idx];
      t.of(ps.ev, ps.head);
      let c: GState | null = null;
      if (t.on !== UNORDERED) {
        c = states.of(t);
        if (!ready(t, c)) {
          ps.blockedOn = c;
          ps.blockedVer = c.ver;
          continue;
        }
      }
      ps.blockedOn = null;
      stateOf[ps.idx] = c;
      available[i] = available[available.length - 1];
      available.pop();
      heapPush(frontier, ps);
      i--;
    }
    if (frontier.length === 0) {
      if (all.some((p) => !p.done)) throw r.fail("no consistent ordering of events possible");
      return;
    }
    const ps = heapPop(frontier);
    const ev = ps.ev;
    const i = ps.head++;
    out.copyFrom(ev, i);
    // "Local" events only served the ordering.
    const typ = ev.typ[i];
    if (typ === V1.GoStartLocal) out.typ[out.n - 1] = V1.GoStart;
    else if (typ === V1.GoUnblockLocal) out.typ[out.n - 1] = V1.GoUnblock;
    else if (typ === V1.GoSysExitLocal) out.typ[out.n - 1] = V1.GoSysExit;
    const c = stateOf[ps.idx];
    if (c !== null) {
      const t = trans[ps.idx];
      if (!ready(t, c)) r.fail("encountered impossible goroutine state transition");
      apply(t, c);
    }
    available.push(ps);
  }
}

/** The CPU samples as a stream with no batches to load, stably sorted by time. */
function sortedSamples(cs: EventColumns): ProcStream {
  const order = Array.from({ length: cs.n }, (_, i) => i).sort((a, b) => cs.ts[a] - cs.ts[b] || a - b);
  const ev = new EventColumns(Math.max(1, cs.n));
  for (const i of order) ev.copyFrom(cs, i);
  return new ProcStream(-2, [], ev);
}
