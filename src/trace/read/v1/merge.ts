// Merging the Ps' batches into one stream (Go's parseEventBatches and order.go in
// $(go env GOROOT)/src/internal/trace/internal/tracev1/): events of one P are in order;
// across Ps, the next event is the earliest of those whose goroutine is in the state the
// event needs (sequence numbers order a goroutine's start/unblock/syscall-exit across Ps).
// The frontier heap follows Go's container/heap steps; which of several events with equal
// times comes first depends on the order Ps are looked at, which in Go is a map's (random),
// here the order Ps first appear in the file, waiting Ps rejoining when they are woken.

import type { EventColumns } from "./columns.js";
import type { Decoded } from "./decode.js";
import { V1EventError } from "./errors.js";
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
  /** Ps whose next event waits for this state to change; they are looked at again when it does */
  waiters: ProcStream[] | null;
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
  // Goroutine ids are small counters: an array for them, a map for the rest.
  private readonly dense: (GState | undefined)[] = [];
  private readonly sparse = new Map<number, GState>();
  private readonly gc: GState = { seq: 0, status: DEAD, waiters: null };

  /** The state a transition applies to (created as Go's zero state when new). */
  of(t: Transition): GState {
    if (t.on === ORDERED_GC) return this.gc;
    const g = t.g;
    let s: GState | undefined;
    if (g >= 0 && g < DENSE_IDS) {
      s = this.dense[g];
      if (s === undefined) this.dense[g] = s = { seq: 0, status: DEAD, waiters: null };
    } else {
      s = this.sparse.get(g);
      if (s === undefined) this.sparse.set(g, (s = { seq: 0, status: DEAD, waiters: null }));
    }
    return s;
  }
}

const DENSE_IDS = 1 << 20;

function ready(t: Transition, c: GState): boolean {
  return (t.initSeq === NOSEQ || t.initSeq === c.seq) && t.initStatus === c.status;
}

/** Apply the transition; the Ps that waited for this state are candidates again. */
function apply(t: Transition, c: GState, available: ProcStream[]): void {
  c.seq = t.nextSeq === NOSEQ ? c.seq : t.nextSeq === SEQINC ? c.seq + 1 : t.nextSeq;
  c.status = t.nextStatus;
  if (c.waiters !== null) {
    for (const p of c.waiters) available.push(p);
    c.waiters = null;
  }
}

/** One P's events: ranges of the store (one per batch), walked in order. */
class ProcStream {
  /** the next event (the frontier's while the P is in it) */
  head = 0;
  end = 0;
  private next = 0;
  done = false;
  /** the head's transition (computed when it joins the frontier, applied when it leaves) */
  readonly t = new Transition();
  state: GState | null = null;

  constructor(private readonly ranges: readonly number[]) {}

  /** Make head an event; false when the P has none left. */
  fill(): boolean {
    while (this.head === this.end) {
      if (this.next === this.ranges.length) return false;
      this.head = this.ranges[this.next++];
      this.end = this.ranges[this.next++];
    }
    return true;
  }
}

// The frontier: at most one event per P (its head), a binary heap by timestamp.
function heapPush(h: ProcStream[], ts: Float64Array, x: ProcStream): void {
  h.push(x);
  let j = h.length - 1;
  for (;;) {
    const i = Math.trunc((j - 1) / 2);
    if (i === j || !(ts[h[j].head] < ts[h[i].head])) break;
    const t = h[i];
    h[i] = h[j];
    h[j] = t;
    j = i;
  }
}

function heapPop(h: ProcStream[], ts: Float64Array): ProcStream {
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
    if (j2 < n && ts[h[j2].head] < ts[h[j1].head]) j = j2;
    if (!(ts[h[j].head] < ts[h[i].head])) break;
    t = h[i];
    h[i] = h[j];
    h[j] = t;
    i = j;
  }
  return h.pop()!;
}

/**
 * Merge the Ps' events into one stream: returns the store's indices in merged order
 * (timestamps still in ticks). "Local" event types become their plain ones.
 */
export function mergeBatches(d: Decoded): Uint32Array {
  const ev: EventColumns = d.ev;
  const ts = ev.ts;
  const all: ProcStream[] = [];
  for (const r of d.ranges.values()) all.push(new ProcStream(r));
  // CPU samples: their own stream, already in the order of the signal handler's times.
  all.push(new ProcStream(d.samples));
  const available = [...all];
  const frontier: ProcStream[] = [];
  const states = new States();
  const order = new Uint32Array(ev.n);
  let k = 0;
  for (;;) {
    for (let i = 0; i < available.length; i++) {
      const ps = available[i];
      if (!ps.fill()) {
        ps.done = true;
        available[i] = available[available.length - 1];
        available.pop();
        i--;
        continue;
      }
      const t = ps.t;
      t.of(ev, ps.head);
      let c: GState | null = null;
      if (t.on !== UNORDERED) {
        c = states.of(t);
        if (!ready(t, c)) {
          // Blocked: set aside until the goroutine's state changes (Go looks at every
          // blocked P after each event, which costs P x events on hostile input).
          (c.waiters ??= []).push(ps);
          available[i] = available[available.length - 1];
          available.pop();
          i--;
          continue;
        }
      }
      ps.state = c;
      available[i] = available[available.length - 1];
      available.pop();
      heapPush(frontier, ts, ps);
      i--;
    }
    if (frontier.length === 0) {
      if (all.some((p) => !p.done)) {
        const stuck = all.find((p) => !p.done)!;
        throw new V1EventError("no consistent ordering of events possible (this event can never happen)", stuck.head);
      }
      return order;
    }
    const ps = heapPop(frontier, ts);
    const i = ps.head++;
    order[k++] = i;
    // "Local" events only served the ordering.
    const typ = ev.typ[i];
    if (typ === V1.GoStartLocal) ev.typ[i] = V1.GoStart;
    else if (typ === V1.GoUnblockLocal) ev.typ[i] = V1.GoUnblock;
    else if (typ === V1.GoSysExitLocal) ev.typ[i] = V1.GoSysExit;
    const c = ps.state;
    if (c !== null) {
      if (!ready(ps.t, c)) throw new V1EventError("encountered impossible goroutine state transition", i);
      apply(ps.t, c, available);
    }
    available.push(ps);
  }
}
