// The group lanes' data: for each goroutine group, the time its goroutines spent in each
// state (running, runnable, syscall, blocked by reason) per time bucket. The bucket count
// is fixed; when the trace outgrows them, pairs of buckets merge and their width doubles,
// so memory stays bounded whatever the trace's length and the final width is about one
// pixel of the page's initial view.

export const BUCKETS = 2048;
/** running, runnable, syscall, then block reasons; the last is "blocked (other reasons)" */
export const MAX_CATEGORIES = 16;
/** groups with a histogram; later-seen groups get none (and so no lane) */
export const MAX_HIST_GROUPS = 64;
export const CAT_RUNNING = 0;
export const CAT_RUNNABLE = 1;
export const CAT_SYSCALL = 2;

export class StateHistograms {
  width = 1024; // ns per bucket, doubles as needed
  readonly hist: Float64Array[] = [];
  readonly categories: string[] = ["running", "runnable", "syscall"];
  private readonly catIndex = new Map<string, number>();

  /** the category of a block reason */
  blocked(reason: string): number {
    let c = this.catIndex.get(reason);
    if (c !== undefined) return c;
    if (this.categories.length < MAX_CATEGORIES - 1) {
      c = this.categories.length;
      this.categories.push(`blocked: ${reason || "(no reason)"}`);
    } else {
      c = MAX_CATEGORIES - 1;
      if (this.categories.length < MAX_CATEGORIES) this.categories.push("blocked: other reasons");
    }
    this.catIndex.set(reason, c);
    return c;
  }

  /** adds [a, b) ns spent in category cat by one goroutine of group g */
  add(g: number, cat: number, a: number, b: number): void {
    if (g >= MAX_HIST_GROUPS || b <= a) return;
    while (b >= BUCKETS * this.width) this.double();
    let h = this.hist[g];
    if (h === undefined) {
      for (let k = this.hist.length; k <= g; k++) this.hist.push(new Float64Array(BUCKETS * MAX_CATEGORIES));
      h = this.hist[g];
    }
    const w = this.width;
    const last = Math.floor(b / w);
    for (let k = Math.floor(a / w); k <= last; k++) {
      const lo = Math.max(a, k * w);
      const hi = Math.min(b, (k + 1) * w);
      if (hi > lo) h[k * MAX_CATEGORIES + cat] += hi - lo;
    }
  }

  private double(): void {
    for (const h of this.hist) {
      for (let k = 0; k < BUCKETS / 2; k++) {
        for (let c = 0; c < MAX_CATEGORIES; c++) {
          h[k * MAX_CATEGORIES + c] = h[2 * k * MAX_CATEGORIES + c] + h[(2 * k + 1) * MAX_CATEGORIES + c];
        }
      }
      h.fill(0, (BUCKETS / 2) * MAX_CATEGORIES);
    }
    this.width *= 2;
  }

  /** buckets in use for a trace `durationNs` long */
  used(durationNs: number): number {
    return Math.min(BUCKETS, Math.floor(durationNs / this.width) + 1);
  }
}
