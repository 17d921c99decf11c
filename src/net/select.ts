// Order statistics without sorting: a capture has hundreds of thousands of exchanges, and
// its summaries need a few ranks of each series, not the whole order.

/** Puts the k-th smallest of a[from..] at a[k], smaller ones before it, larger after (Hoare's quickselect, middle pivot). */
export function select(a: Float64Array, k: number, from: number): void {
  let lo = from;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const x = a[i]!;
        a[i] = a[j]!;
        a[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
