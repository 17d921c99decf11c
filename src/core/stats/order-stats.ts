// Exact order statistics (the k-th smallest values) of a large Float64Array without sorting
// it: a histogram of the high bits of each value, then a selection inside the few buckets
// that hold the wanted ranks. A trace's scheduler waits run to millions (1.35 M on a 20 MB
// trace) and quickselect over all of them, three times, was ~5% of `godiag trace`; a
// capture's exchanges run to hundreds of thousands (`godiag pcap`'s summaries and P99).

/** Below this many values a plain quickselect is as fast as the two histogram passes. */
const SMALL = 1 << 14;
/**
 * Buckets by the top 18 bits of a double (sign, exponent, 6 mantissa bits): 64 buckets per
 * power of two. For non-negative doubles the bit pattern orders like the value.
 */
const SHIFT = 14;
const BUCKETS = 1 << (32 - SHIFT);
let hist: Uint32Array | null = null;
/** kept zeroed between calls; at most 255 wanted buckets (ranks) a call */
let slots: Uint8Array | null = null;

/**
 * The values a sort would put at each of ranks (each in [0, xs.length)). xs may be
 * reordered. Exact for any input: NaN or negative values take the quickselect path.
 */
export function orderStats(xs: Float64Array, ranks: readonly number[]): number[] {
  const n = xs.length;
  if (n < SMALL || ranks.length > 255) return ranks.map((k) => selectRank(xs, k));
  const hi = new Uint32Array(xs.buffer, xs.byteOffset, n * 2);
  const h = (hist ??= new Uint32Array(BUCKETS));
  // Anything at or above +Inf's pattern (Inf, NaN, negatives with the sign bit) needs the
  // comparison-based path.
  if (histogram(hi, h) >= 0x7ff00000 || !littleEndian()) return ranks.map((k) => selectRank(xs, k));
  // Bucket of each rank, and the rank inside its bucket.
  const order = ranks.map((k, i) => i).sort((a, b) => ranks[a] - ranks[b]);
  const bucketOf = new Array<number>(ranks.length);
  const inBucket = new Array<number>(ranks.length);
  let b = 0;
  let below = 0; // values in buckets before b
  for (const i of order) {
    const k = ranks[i];
    while (below + h[b] <= k) below += h[b++];
    bucketOf[i] = b;
    inBucket[i] = k - below;
  }
  // Gather each wanted bucket once (slot[b]: 1 + its list's index), then select inside it.
  const wanted = [...new Set(bucketOf)];
  const lists = wanted.map((w) => new Float64Array(h[w]));
  const slot = (slots ??= new Uint8Array(BUCKETS));
  wanted.forEach((w, j) => (slot[w] = j + 1));
  gather(hi, xs, slot, lists);
  for (const w of wanted) slot[w] = 0;
  return ranks.map((_, i) => selectRank(lists[wanted.indexOf(bucketOf[i])], inBucket[i]));
}

// The two passes over all values are functions of their own, one loop each: in one larger
// function V8 optimised the first loop on the stack, then threw that code away on reaching
// the next one (no type feedback yet), and ran millions of iterations interpreted meanwhile.

/** Counts the values by bucket into h (zeroed first); returns the largest high word. Little-endian: xs[i]'s is hi[2i+1]. */
function histogram(hi: Uint32Array, h: Uint32Array): number {
  h.fill(0);
  let top = 0;
  for (let i = 1; i < hi.length; i += 2) {
    const w = hi[i];
    if (w > top) top = w;
    h[w >>> SHIFT]++;
  }
  return top;
}

/** Copies each value whose bucket has a slot into that slot's list. */
function gather(hi: Uint32Array, xs: Float64Array, slot: Uint8Array, lists: Float64Array[]): void {
  const fills = new Int32Array(lists.length);
  for (let i = 0; i < xs.length; i++) {
    const j = slot[hi[2 * i + 1] >>> SHIFT];
    if (j !== 0) lists[j - 1][fills[j - 1]++] = xs[i];
  }
}

let le: boolean | null = null;
function littleEndian(): boolean {
  return (le ??= new Uint8Array(new Uint32Array([1]).buffer)[0] === 1);
}

/** The k-th smallest of xs (reordering xs). */
export function selectRank(xs: Float64Array, k: number): number {
  select(xs, 0, xs.length - 1, k);
  return xs[k];
}

/** Rearranges xs[lo..hi] so that xs[k] is the value a sort would put there, smaller ones left of it, larger right. */
export function select(xs: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    // Median of three as the pivot: sorted or constant runs stay O(n).
    const mid = lo + ((hi - lo) >> 1);
    const a = xs[lo];
    const b = xs[mid];
    const c = xs[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // Three-way partition (Dijkstra): [lo, lt) < pivot, [lt, gt] = pivot, (gt, hi] > pivot.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const x = xs[i];
      if (x < pivot) {
        xs[i] = xs[lt];
        xs[lt++] = x;
        i++;
      } else if (x > pivot) {
        xs[i] = xs[gt];
        xs[gt--] = x;
      } else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return;
  }
}
