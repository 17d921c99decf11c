// Answers already computed, by URL: a reload, the back button or a second tab get them
// without recomputing. Bounded in bytes (flame payloads of big profiles are megabytes).

export class AnswerCache {
  private readonly m = new Map<string, string>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  get(key: string): string | undefined {
    const v = this.m.get(key);
    if (v !== undefined) {
      // most recently used last
      this.m.delete(key);
      this.m.set(key, v);
    }
    return v;
  }

  set(key: string, v: string): void {
    if (v.length > this.maxBytes) return;
    const old = this.m.get(key);
    if (old !== undefined) {
      this.bytes -= old.length;
      this.m.delete(key);
    }
    this.m.set(key, v);
    this.bytes += v.length;
    for (const [k, x] of this.m) {
      if (this.bytes <= this.maxBytes) break;
      this.m.delete(k);
      this.bytes -= x.length;
    }
  }
}
