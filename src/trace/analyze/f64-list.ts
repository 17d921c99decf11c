// A growable list of doubles in one Float64Array: the scheduler waits of a busy trace run
// to tens of millions (13.6 M in a 200 MB trace), and a JS number[] of them, copied once
// more into a typed array to sort, cost several times their 8 bytes each.

export class F64List {
  /** the storage; buf[0, length) are the values (public so a hot caller can push inline) */
  buf = new Float64Array(8);
  length = 0;

  push(x: number): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[this.length++] = x;
  }

  /** Doubles the storage. */
  grow(): void {
    const next = new Float64Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }

  /** The values, without copying (valid until the next push). */
  view(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
}

/** All the lists' values in one new array. */
export function concatF64(lists: Iterable<F64List>): Float64Array {
  let n = 0;
  const views: Float64Array[] = [];
  for (const l of lists) {
    views.push(l.view());
    n += l.length;
  }
  const out = new Float64Array(n);
  let at = 0;
  for (const v of views) {
    out.set(v, at);
    at += v.length;
  }
  return out;
}
