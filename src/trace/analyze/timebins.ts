// The time-integral of a step function in bins whose width doubles whenever there
// would be too many, so memory stays bounded however long the trace is, and equal
// buckets over the whole trace can be made at the end without keeping every step.

const MAX_BINS = 1 << 16;

export class TimeBins {
  private width: number;
  private bins = new Float64Array(1024);
  private n = 0;
  private origin = NaN;
  private lastT = NaN;
  private value = 0;
  /** the bin lastT is in, and its end (ns from origin): most steps stay in one bin */
  private curK = 0;
  private curEnd = -Infinity;

  constructor(initialWidthNs = 1e5) {
    this.width = initialWidthNs;
  }

  /** The function takes value v from time t on (t non-decreasing). */
  set(t: number, v: number): void {
    if (Number.isNaN(this.origin)) this.origin = this.lastT = t;
    this.advance(t);
    this.value = v;
  }

  /** Integrates the current value up to t. */
  advance(t: number): void {
    if (Number.isNaN(this.origin) || t <= this.lastT) return;
    const end = t - this.origin;
    if (end <= this.curEnd) {
      // Within the current bin (the same sum the loop below would make: times are integers).
      if (this.value !== 0) {
        if (this.curK >= this.n) this.grow(this.curK);
        this.bins[this.curK] += this.value * (end - (this.lastT - this.origin));
      }
      this.lastT = t;
      return;
    }
    while ((t - this.origin) / this.width > MAX_BINS) this.coarsen();
    let a = this.lastT - this.origin;
    const b = t - this.origin;
    if (this.value !== 0) {
      while (a < b) {
        const k = Math.floor(a / this.width);
        const edge = Math.min(b, (k + 1) * this.width);
        this.grow(k);
        this.bins[k] += this.value * (edge - a);
        a = edge;
      }
    }
    this.lastT = t;
    this.curK = Math.floor(b / this.width);
    this.curEnd = (this.curK + 1) * this.width;
  }

  private grow(k: number): void {
    if (k >= this.bins.length) {
      const next = new Float64Array(Math.max(k + 1, this.bins.length * 2));
      next.set(this.bins);
      this.bins = next;
    }
    if (k >= this.n) this.n = k + 1;
  }

  private coarsen(): void {
    const half = Math.ceil(this.n / 2);
    for (let i = 0; i < half; i++) this.bins[i] = this.bins[2 * i] + (2 * i + 1 < this.n ? this.bins[2 * i + 1] : 0);
    this.bins.fill(0, half, this.n);
    this.n = half;
    this.width *= 2;
  }

  /** Integrals over `count` equal buckets of [origin, origin + span), splitting bins proportionally. */
  buckets(origin: number, span: number, count: number): number[] {
    const out = new Array<number>(count).fill(0);
    if (span <= 0 || Number.isNaN(this.origin)) return out;
    const bw = span / count;
    const off = this.origin - origin;
    for (let k = 0; k < this.n; k++) {
      const v = this.bins[k];
      if (v === 0) continue;
      const a = off + k * this.width;
      const b = a + this.width;
      // Spread the bin's integral evenly over its width (the finest detail kept).
      for (let j = Math.max(0, Math.floor(a / bw)); j < count && j * bw < b; j++) {
        const lo = Math.max(a, j * bw);
        const hi = Math.min(b, (j + 1) * bw);
        if (hi > lo) out[j] += (v * (hi - lo)) / this.width;
      }
    }
    return out;
  }
}
