// A P lane under construction: the runs of goroutines on one P, in time order, in
// growable typed columns. To keep memory bounded on long traces the lane merges runs
// narrower than its resolution as it goes (compact), doubling the resolution each time
// it fills up; the page then shows one "merged" span where a pixel could not have shown
// the runs apart anyway.

export const MERGED = -1;

export class ProcLane {
  n = 0;
  start = new Float64Array(1024);
  end = new Float64Array(1024);
  goroutine = new Int32Array(1024);
  /** for merged spans: the dominant group; for single runs filled in at the end */
  group = new Int32Array(1024);
  stack = new Int32Array(1024);
  runs = new Uint32Array(1024);
  busy = new Float64Array(1024);
  resolution = 0;

  constructor(readonly proc: number) {}

  push(start: number, end: number, goroutine: number, stack: number): void {
    if (this.n === this.start.length) this.grow();
    const i = this.n++;
    this.start[i] = start;
    this.end[i] = end;
    this.goroutine[i] = goroutine;
    this.group[i] = -1;
    this.stack[i] = stack;
    this.runs[i] = 1;
    this.busy[i] = end - start;
  }

  private grow(): void {
    const k = this.start.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(k);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(k);
      b.set(a);
      return b;
    };
    this.start = f64(this.start);
    this.end = f64(this.end);
    this.busy = f64(this.busy);
    this.goroutine = i32(this.goroutine);
    this.group = i32(this.group);
    this.stack = i32(this.stack);
    const r = new Uint32Array(k);
    r.set(this.runs);
    this.runs = r;
  }

  /**
   * Merge neighbouring spans narrower than `res` (with gaps under `res` between them)
   * into spans at most 2*res wide. groupOf names a single run's group at this point.
   */
  compact(res: number, groupOf: (g: number) => number): void {
    this.resolution = Math.max(this.resolution, res);
    let out = 0;
    let open = false; // a merged span is being built at index out
    let inputs = 0; // spans gathered into it
    const weight = new Map<number, number>();
    const flush = () => {
      if (!open) return;
      open = false;
      // A lone span stays what it was (a single run keeps its goroutine and stack).
      if (inputs > 1 || this.goroutine[out] === MERGED) {
        let best = -1;
        let bestNs = -1;
        for (const [g, ns] of weight) if (ns > bestNs || (ns === bestNs && g < best)) [best, bestNs] = [g, ns];
        this.group[out] = best;
        this.goroutine[out] = MERGED;
        this.stack[out] = 0;
      }
      weight.clear();
      out++;
    };
    for (let i = 0; i < this.n; i++) {
      const s = this.start[i];
      const e = this.end[i];
      const grp = this.goroutine[i] === MERGED ? this.group[i] : groupOf(this.goroutine[i]);
      const busy = this.busy[i];
      const runs = this.runs[i];
      if (e - s >= res) {
        flush();
        this.copy(i, out++);
        continue;
      }
      if (open && (s - this.end[out] >= res || e - this.start[out] > 2 * res)) flush();
      if (!open) {
        this.copy(i, out);
        this.busy[out] = 0;
        this.runs[out] = 0;
        open = true;
        inputs = 0;
      }
      inputs++;
      this.end[out] = e;
      this.busy[out] += busy;
      this.runs[out] += runs;
      weight.set(grp, (weight.get(grp) ?? 0) + busy);
    }
    flush();
    this.n = out;
  }

  private copy(from: number, to: number): void {
    if (from === to) return;
    this.start[to] = this.start[from];
    this.end[to] = this.end[from];
    this.goroutine[to] = this.goroutine[from];
    this.group[to] = this.group[from];
    this.stack[to] = this.stack[from];
    this.runs[to] = this.runs[from];
    this.busy[to] = this.busy[from];
  }
}
