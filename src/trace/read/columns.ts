// One thread's batch decoded into typed-array columns (wire type, time, arguments, offset)
// by one tight loop, instead of one event at a time between the ordering's calls: the loop
// touches only the bytes and the columns, so V8 compiles it once and early (on the stack),
// and the ordering then reads plain array slots. A batch is at most 64 KiB and an event at
// least two bytes, so the columns of one thread hold at most 32 Ki events.

import { TIMED_ARGS, SPECS, Ev } from "../wire/spec.js";
import { ByteCursor } from "./bytes.js";
import type { Batch, Generation } from "./generation.js";

/** Arguments kept per event (after the timestamp): the format's most. */
export const ARG_STRIDE = 4;

/** An argument slot whose value is in BatchColumns.big. */
export const BIG = -0x80000000;

const slowCursor = new ByteCursor(new Uint8Array(0), 0, 0);

export class BatchColumns {
  /** events decoded from the batch */
  n = 0;
  typ = new Uint8Array(0);
  /** nanoseconds, as Go computes them: per batch, truncated ticks accumulated */
  time = new Float64Array(0);
  /**
   * ARG_STRIDE slots per event; slots past the type's argument count are not written.
   * Int32, not Float64: a double read back and stored into the event record's small-integer
   * fields made V8 box it (measured: ~0.3 s more on 4 M events). A value outside int32 is
   * stored as BIG here and its value in big, by slot.
   */
  args = new Int32Array(0);
  readonly big = new Map<number, number>();
  /** the event's offset in the generation's buffer */
  pos = new Int32Array(0);
  /**
   * A decoding error met after the n events (bad type, bad varint): thrown only when the
   * reader asks for the event after them, so errors surface in the order they did when
   * events were decoded one at a time.
   */
  err = "";
  errPos = 0;

  /** Decode every event of batch b of generation g. */
  decode(g: Generation, b: Batch): void {
    const cap = (b.end - b.start) >> 1;
    if (this.typ.length < cap) this.grow(cap);
    const buf = g.buf;
    const typs = this.typ;
    const times = this.time;
    const args = this.args;
    const poss = this.pos;
    const end = b.end;
    const t0 = g.mul(b.time);
    let last = t0;
    let p = b.start;
    let n = 0;
    this.err = "";
    if (this.big.size > 0) this.big.clear();
    while (p < end) {
      const typ = buf[p];
      const nargs = TIMED_ARGS[typ];
      if (nargs < 0) {
        this.err = SPECS[typ] === undefined && typ > Ev.GoroutineStackFree ? `found invalid event type: ${typ}` : `found event without a timestamp: type=${typ}`;
        this.errPos = p;
        break;
      }
      const at = p;
      p++;
      // dt, then the arguments: a value of up to three bytes (ids, sequence numbers, deltas
      // up to 2 ms) inline, a longer one through the cursor.
      let dt = 0;
      const base = n * ARG_STRIDE;
      for (let k = -1; k < nargs; k++) {
        let v = 0;
        let fast = false;
        if (p + 2 < end) {
          const b0 = buf[p];
          if (b0 < 0x80) {
            v = b0;
            p += 1;
            fast = true;
          } else {
            const b1 = buf[p + 1];
            if (b1 < 0x80) {
              v = (b0 & 0x7f) | (b1 << 7);
              p += 2;
              fast = true;
            } else {
              const b2 = buf[p + 2];
              if (b2 < 0x80) {
                v = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
                p += 3;
                fast = true;
              }
            }
          }
        }
        if (!fast) {
          const c = slowCursor;
          c.reset(buf, p, end);
          v = c.uvarint();
          if (c.bad) {
            this.err = "found invalid uvarint";
            this.errPos = at;
            break;
          }
          p = c.pos;
        }
        if (k < 0) dt = v;
        else if (v === (v | 0) && v !== BIG) args[base + k] = v;
        else {
          args[base + k] = BIG;
          this.big.set(base + k, v);
        }
      }
      if (this.err !== "") break;
      // As the one-event-at-a-time cursor did: a zero time restarts from the batch's.
      if (last === 0) last = t0;
      last = g.mul(dt) + last;
      typs[n] = typ;
      times[n] = last;
      poss[n] = at;
      n++;
    }
    this.n = n;
  }

  /** The argument in slot j (i * ARG_STRIDE + k). */
  arg(j: number): number {
    const v = this.args[j];
    return v !== BIG ? v : this.big.get(j)!;
  }

  private grow(cap: number): void {
    this.typ = new Uint8Array(cap);
    this.time = new Float64Array(cap);
    this.args = new Int32Array(cap * ARG_STRIDE);
    this.pos = new Int32Array(cap);
  }
}
