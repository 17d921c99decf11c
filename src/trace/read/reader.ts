// The generation loop: for each generation, merge the threads' batches by timestamp and
// let the ordering state machine pick the next event that can happen, as Go's reader does
// ($(go env GOROOT)/src/internal/trace/reader.go, batchcursor.go). Each accepted event
// goes to the visitor at once; nothing but the current generation is kept.

import { EventKind, type TraceVisitor } from "../model/event.js";
import { EV_SYNC, Ev, SPECS, STACK_SLOT_1, STACK_SLOT_2, STRING_SLOT_1, STRING_SLOT_2, TIMED_ARGS } from "../wire/spec.js";
import { ByteCursor } from "./bytes.js";
import { TraceFormatError } from "./errors.js";
import { EventRecord, type EventContext } from "./event-impl.js";
import type { Batch, Generation } from "./generation.js";
import { Ordering, type MState } from "./order.js";
import type { StackTables } from "./tables.js";

/**
 * The decoding position of arg(): module state, so arg() stays a small inlinable function
 * (a property, not a top-level let, which V8 checks for its temporal dead zone on each use).
 */
const cur = { pos: 0 };
const slowCursor = new ByteCursor(new Uint8Array(0), 0, 0);

/**
 * One uvarint argument at cur.pos; up to three bytes (values below 2^21: ids, sequence
 * numbers, nanosecond deltas up to 2 ms) inline.
 */
function arg(buf: Uint8Array, end: number, offset: number): number {
  const p = cur.pos;
  if (p + 2 < end) {
    const b0 = buf[p];
    if (b0 < 0x80) {
      cur.pos = p + 1;
      return b0;
    }
    const b1 = buf[p + 1];
    if (b1 < 0x80) {
      cur.pos = p + 2;
      return (b0 & 0x7f) | (b1 << 7);
    }
    const b2 = buf[p + 2];
    if (b2 < 0x80) {
      cur.pos = p + 3;
      return (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
    }
  }
  const c = slowCursor;
  c.reset(buf, p, end);
  const v = c.uvarint();
  if (c.bad) throw new TraceFormatError("found invalid uvarint", offset);
  cur.pos = c.pos;
  return v;
}

/** Reads one thread's batches of a generation, one event at a time (Go's batchCursor). */
class BatchCursor {
  idx = 0;
  pos = 0;
  lastTs = -0; // a double from the start (see EventRecord)
  readonly ev = new EventRecord();
  /** the ordering's state of this thread */
  ms: MState | null = null;

  /** end of the current batch's data (the next batch is looked at only when pos reaches it) */
  private end = 0;

  constructor(
    readonly m: number,
    private readonly batches: Batch[],
    private readonly g: Generation,
  ) {
    this.pos = batches.length > 0 ? batches[0].start : 0;
    this.end = batches.length > 0 ? batches[0].end : 0;
  }

  /** Decode the next event into ev; false when the thread has no more. */
  next(): boolean {
    const batches = this.batches;
    if (this.pos === this.end) {
      while (this.idx < batches.length && batches[this.idx].end === this.pos) {
        this.idx++;
        this.pos = this.idx < batches.length ? batches[this.idx].start : 0;
        this.end = this.idx < batches.length ? batches[this.idx].end : 0;
        this.lastTs = 0;
      }
      if (this.idx === batches.length) return false;
    }
    const b = batches[this.idx];
    const g = this.g;
    if (this.lastTs === 0) this.lastTs = g.mul(b.time);
    const buf = g.buf;
    const ev = this.ev;
    const at = this.pos;
    const typ = buf[at];
    ev.offset = g.base + at;
    const nargs = TIMED_ARGS[typ];
    if (nargs < 0) {
      const detail = SPECS[typ] === undefined && typ > Ev.GoroutineStackFree ? `found invalid event type: ${typ}` : `found event without a timestamp: type=${typ}`;
      throw new TraceFormatError(detail, ev.offset);
    }
    ev.wireType = typ;
    // Straight-line decoding of the arguments the event type has: this runs once per event.
    const end = b.end;
    cur.pos = at + 1;
    const dt = arg(buf, end, ev.offset);
    if (nargs > 0) ev.a0 = arg(buf, end, ev.offset);
    if (nargs > 1) ev.a1 = arg(buf, end, ev.offset);
    if (nargs > 2) ev.a2 = arg(buf, end, ev.offset);
    if (nargs > 3) ev.a3 = arg(buf, end, ev.offset);
    ev.time = g.mul(dt) + this.lastTs;
    this.lastTs = ev.time;
    this.pos = cur.pos;
    return true;
  }
}

// The frontier is a binary heap of cursors by their next event's time; these follow Go's
// heap operations step for step, so events with equal times come out in Go's order.

function siftUp(h: BatchCursor[], i: number): number {
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!(h[p].ev.time > h[i].ev.time)) break;
    const t = h[p];
    h[p] = h[i];
    h[i] = t;
    i = p;
  }
  return i;
}

function min3(h: BatchCursor[], i0: number, i1: number, i2: number): number {
  let idx = i0;
  let t = i0 < h.length ? h[i0].ev.time : Infinity;
  if (i1 < h.length && h[i1].ev.time < t) {
    t = h[i1].ev.time;
    idx = i1;
  }
  if (i2 < h.length && h[i2].ev.time < t) idx = i2;
  return idx;
}

function siftDown(h: BatchCursor[], i: number): void {
  for (;;) {
    const m = min3(h, i, 2 * i + 1, 2 * i + 2);
    if (m === i) return;
    const t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

function heapUpdate(h: BatchCursor[], i: number): void {
  if (siftUp(h, i) !== i) return;
  siftDown(h, i);
}

function heapRemove(h: BatchCursor[], i: number): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    const t = h[p];
    h[p] = h[i];
    h[i] = t;
    i = p;
  }
  const last = h.length - 1;
  const t = h[0];
  h[0] = h[last];
  h[last] = t;
  h.pop();
  siftDown(h, 0);
}

/** Stable insertion sort by time (Go's pdqsort sorts short slices by insertion too). */
function sortByTime(h: BatchCursor[]): void {
  for (let i = 1; i < h.length; i++) {
    const x = h[i];
    let j = i - 1;
    while (j >= 0 && h[j].ev.time > x.ev.time) {
      h[j + 1] = h[j];
      j--;
    }
    h[j + 1] = x;
  }
}

function argAt(e: EventRecord, i: number): number {
  return i === 0 ? e.a0 : i === 1 ? e.a1 : i === 2 ? e.a2 : e.a3;
}

/**
 * Generation-level context of events: resolves the generation's stack ids trace-wide,
 * memoised (in a dense array when the ids are dense, as the runtime writes them).
 */
class GenContext implements EventContext {
  private readonly dense: Int32Array | null = null;
  private readonly sparse = new Map<number, number>();
  constructor(
    readonly gen: Generation | null,
    private readonly tables: StackTables,
  ) {
    if (gen !== null && gen.maxStackId < 4 * gen.stacks.size + 1024) this.dense = new Int32Array(gen.maxStackId + 1);
  }

  /** The trace-wide id of a stack id of this generation; -1 if the generation has no such stack. */
  stack(id: number): number {
    if (id === 0) return 0;
    const d = this.dense;
    if (d !== null && id > 0 && id < d.length) {
      const v = d[id];
      if (v !== 0) return v;
      return (d[id] = this.resolve(id));
    }
    let gid = this.sparse.get(id);
    if (gid === undefined) this.sparse.set(id, (gid = this.resolve(id)));
    return gid;
  }

  private resolve(id: number): number {
    if (this.gen === null || !this.gen.stacks.has(id)) return -1;
    return this.tables.intern(this.gen, id);
  }
}

export class EventEmitter {
  readonly order = new Ordering();
  private lastTs = -0; // a double from the start (see EventRecord)
  private syncs = 0;
  events = 0;
  private readonly syncRec = new EventRecord();
  private readonly sampleRec = new EventRecord();

  constructor(
    private readonly visit: TraceVisitor,
    private readonly tables: StackTables,
  ) {}

  /** Hand one event to the visitor: check its table ids, make time strictly increasing. */
  private deliver(e: EventRecord): void {
    const typ = e.wireType;
    if (typ !== EV_SYNC) {
      const ctx = e.ctx as GenContext;
      // Go's validateTableIDs: every stack and string id the event names must exist.
      let slot = STRING_SLOT_1[typ];
      if (slot >= 0) {
        this.checkString(e, ctx, argAt(e, slot));
        slot = STRING_SLOT_2[typ];
        if (slot >= 0) this.checkString(e, ctx, argAt(e, slot));
      }
      let stack = 0;
      slot = typ === Ev.CPUSample ? 0 : STACK_SLOT_1[typ];
      if (slot >= 0) {
        stack = ctx.stack(argAt(e, slot));
        if (stack < 0) this.badStack(e, argAt(e, slot));
        slot = STACK_SLOT_2[typ];
        if (slot >= 0 && ctx.stack(argAt(e, slot)) < 0) this.badStack(e, argAt(e, slot));
      }
      e.stack = stack;
    } else {
      e.stack = 0;
    }
    // Go's reader: times strictly increase across the whole trace.
    if (e.time <= this.lastTs) e.time = this.lastTs + 1;
    this.lastTs = e.time;
    this.events++;
    this.visit(e, this.tables);
  }

  private checkString(e: EventRecord, ctx: GenContext, id: number): void {
    if (id !== 0 && ctx.gen!.getString(id) === undefined) {
      throw new TraceFormatError(`found invalid string ID ${id} for event ${SPECS[e.wireType]!.name}`, e.offset);
    }
  }

  private badStack(e: EventRecord, id: number): never {
    throw new TraceFormatError(`found invalid stack ID ${id} for event ${SPECS[e.wireType]!.name}`, e.offset);
  }

  private sync(ctx: GenContext, time: number): void {
    const r = this.syncRec;
    r.wireType = EV_SYNC;
    r.kind = EventKind.Sync;
    r.time = time;
    r.goroutine = -1;
    r.proc = -1;
    r.thread = -1;
    r.a0 = ++this.syncs;
    r.offset = 0;
    r.ctx = ctx;
    this.deliver(r);
  }

  /** The Sync that ends the trace (Go emits one after the last generation). */
  finish(): void {
    this.sync(new GenContext(null, this.tables), this.lastTs);
  }

  /** Emit all events of one generation in Go's order. */
  generation(g: Generation): void {
    const ctx = new GenContext(g, this.tables);
    this.sync(ctx, g.mul(g.minTs));
    const frontier: BatchCursor[] = [];
    for (const m of g.ms) {
      const bc = new BatchCursor(m, g.batches.get(m)!, g);
      bc.ev.ctx = ctx;
      bc.ms = this.order.thread(m);
      if (!bc.next()) continue;
      frontier.push(bc);
      siftUp(frontier, frontier.length - 1);
    }
    const samples = g.cpuSamples;
    let si = 0;
    const gen = g.gen;
    for (;;) {
      if (frontier.length === 0 && si === samples.length) {
        g.release();
        return;
      }
      if (si < samples.length && (frontier.length === 0 || samples[si].time < frontier[0].ev.time)) {
        this.deliverSample(samples[si++], ctx);
        continue;
      }
      if (!this.tryAdvance(frontier, 0, ctx, gen)) {
        sortByTime(frontier);
        let ok = false;
        for (let i = 1; i < frontier.length; i++) {
          if (this.tryAdvance(frontier, i, ctx, gen)) {
            ok = true;
            break;
          }
        }
        if (!ok) throw new TraceFormatError(`broken trace: failed to advance: no thread's next event can happen (gen=${g.gen})`, frontier[0].ev.offset);
      }
    }
  }

  /** Advance the i-th cursor's event if the ordering accepts it; deliver what it produced. */
  private tryAdvance(frontier: BatchCursor[], i: number, ctx: GenContext, gen: number): boolean {
    const bc = frontier[i];
    const order = this.order;
    if (!order.advance(bc.ev, ctx, bc.m, bc.ms, gen)) return false;
    // Deliver now, before the cursor decodes its next event into the same record.
    const out = order.out;
    for (let k = 0; k < order.outLen; k++) this.deliver(out[k]);
    if (bc.next()) heapUpdate(frontier, i);
    else heapRemove(frontier, i);
    return true;
  }

  private deliverSample(s: Generation["cpuSamples"][number], ctx: GenContext): void {
    const r = this.sampleRec;
    r.wireType = Ev.CPUSample;
    r.kind = EventKind.StackSample;
    r.time = s.time;
    r.goroutine = s.g;
    r.proc = s.p;
    r.thread = s.m;
    r.a0 = s.stack;
    r.offset = 0;
    r.ctx = ctx;
    this.deliver(r);
  }
}
