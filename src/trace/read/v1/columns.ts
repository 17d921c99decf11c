// Events of a v1 trace held as columns of typed arrays: the old format has no generations,
// so the whole trace must be ordered before the first event can be handed out, and a
// column store holds millions of events at ~45 bytes each with no per-event object.

export class EventColumns {
  n = 0;
  /** timestamp: CPU ticks while merging, nanoseconds from the first event after */
  ts: Float64Array;
  /** the goroutine the event happened on (0: none) */
  g: Float64Array;
  /** the P (or one of the fake Ps in wire.ts; -1: none) */
  p: Int32Array;
  typ: Uint8Array;
  /** the trace's stack id (0: none) */
  stk: Uint32Array;
  /** the first three named arguments (UserLog's inline-string index in a2) */
  a0: Float64Array;
  a1: Float64Array;
  a2: Float64Array;

  constructor(cap = 1024) {
    this.ts = new Float64Array(cap);
    this.g = new Float64Array(cap);
    this.p = new Int32Array(cap);
    this.typ = new Uint8Array(cap);
    this.stk = new Uint32Array(cap);
    this.a0 = new Float64Array(cap);
    this.a1 = new Float64Array(cap);
    this.a2 = new Float64Array(cap);
  }

  /** Index of a new event at the end (its columns hold stale values: set them all). */
  push(): number {
    if (this.n === this.ts.length) this.grow();
    return this.n++;
  }

  copyFrom(src: EventColumns, i: number): void {
    const j = this.push();
    this.ts[j] = src.ts[i];
    this.g[j] = src.g[i];
    this.p[j] = src.p[i];
    this.typ[j] = src.typ[i];
    this.stk[j] = src.stk[i];
    this.a0[j] = src.a0[i];
    this.a1[j] = src.a1[i];
    this.a2[j] = src.a2[i];
  }

  private grow(): void {
    const cap = this.ts.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.ts = f64(this.ts);
    this.g = f64(this.g);
    this.a0 = f64(this.a0);
    this.a1 = f64(this.a1);
    this.a2 = f64(this.a2);
    const p = new Int32Array(cap);
    p.set(this.p);
    this.p = p;
    const typ = new Uint8Array(cap);
    typ.set(this.typ);
    this.typ = typ;
    const stk = new Uint32Array(cap);
    stk.set(this.stk);
    this.stk = stk;
  }
}
