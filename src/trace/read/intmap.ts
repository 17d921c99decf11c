// A hash map from integer ids to objects, for the ordering's goroutine table: it is looked
// up once or twice per event, and open addressing over typed arrays is about twice as fast
// as a JS Map with number keys (measured on a 20 MB trace). Ids are Go's int64 ids as JS
// numbers; deleted slots become tombstones and the table is rebuilt when they pile up.

const EMPTY = 0;
const FULL = 1;
const GONE = 2;

/**
 * Keys in [0, DENSE_LIMIT) live in a plain array indexed by the key: the runtime hands out
 * goroutine ids densely from 1, so nearly every lookup is one array load instead of a hash
 * and a probe (the goroutine tables are looked up on every event). The array only grows as
 * far as the largest such key (at most 8 MB of slots); larger keys use the hash table.
 */
const DENSE_LIMIT = 1 << 20;

export class IntMap<V> {
  private keys = new Float64Array(16);
  private state = new Uint8Array(16);
  private vals: (V | undefined)[] = new Array<V | undefined>(16).fill(undefined);
  private mask = 15;
  private used = 0; // FULL + GONE slots
  private dense: (V | undefined)[] = [];
  /** entries in the hash table (the rest are in dense) */
  private hashSize = 0;
  size = 0;

  private slot(key: number): number {
    // Fibonacci hashing of the low 32 bits, plus the high bits for ids past 2^31.
    const lo = key | 0;
    const h = Math.imul(lo === key ? lo : lo ^ ((key / 4294967296) | 0), 0x9e3779b1);
    return (h ^ (h >>> 15)) & this.mask;
  }

  get(key: number): V | undefined {
    // The common case first, in as few operations as possible (measured: a goroutine lookup
    // cost 35-40 ns with the range checks below in front, a few ns like this).
    const d = this.dense;
    if (key >= 0 && key < d.length) {
      const v = d[key];
      if (v !== undefined) return v;
    }
    return this.getSlow(key);
  }

  private getSlow(key: number): V | undefined {
    if (key >>> 0 === key && key < DENSE_LIMIT) return undefined; // would be in dense
    const keys = this.keys;
    const state = this.state;
    let i = this.slot(key);
    for (;;) {
      const s = state[i];
      if (s === EMPTY) return undefined;
      if (s === FULL && keys[i] === key) return this.vals[i];
      i = (i + 1) & this.mask;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  set(key: number, val: V): void {
    if (key >>> 0 === key && key < DENSE_LIMIT) {
      const d = this.dense;
      if (key >= d.length) {
        // Grow by doubling with undefined (not holes), so the array stays a fast one.
        const n = Math.min(DENSE_LIMIT, Math.max(key + 1, 2 * d.length, 64));
        for (let i = d.length; i < n; i++) d.push(undefined);
      }
      if (d[key] === undefined) this.size++;
      d[key] = val;
      return;
    }
    let i = this.slot(key);
    let free = -1;
    for (;;) {
      const s = this.state[i];
      if (s === EMPTY) break;
      if (s === FULL && this.keys[i] === key) {
        this.vals[i] = val;
        return;
      }
      if (s === GONE && free < 0) free = i;
      i = (i + 1) & this.mask;
    }
    if (free >= 0) i = free;
    else this.used++;
    this.keys[i] = key;
    this.state[i] = FULL;
    this.vals[i] = val;
    this.size++;
    this.hashSize++;
    if (this.used * 2 > this.mask) this.rehash(this.hashSize * 4 > this.mask ? (this.mask + 1) * 2 : this.mask + 1);
  }

  delete(key: number): boolean {
    if (key >>> 0 === key && key < DENSE_LIMIT) {
      const d = this.dense;
      if (key >= d.length || d[key] === undefined) return false;
      d[key] = undefined;
      this.size--;
      return true;
    }
    let i = this.slot(key);
    for (;;) {
      const s = this.state[i];
      if (s === EMPTY) return false;
      if (s === FULL && this.keys[i] === key) {
        this.state[i] = GONE;
        this.vals[i] = undefined;
        this.size--;
        this.hashSize--;
        return true;
      }
      i = (i + 1) & this.mask;
    }
  }

  private rehash(cap: number): void {
    const { keys, state, vals } = this;
    this.keys = new Float64Array(cap);
    this.state = new Uint8Array(cap);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    this.used = 0;
    this.size -= this.hashSize;
    this.hashSize = 0;
    for (let i = 0; i < state.length; i++) if (state[i] === FULL) this.set(keys[i], vals[i]!);
  }
}
