// An open-addressing hash map from a pair of small non-negative ints to an int.
// Graph building looks up one (caller, callee) edge per stack frame — millions
// of lookups on large profiles — and a JS Map keyed by a combined double was
// the single largest cost (hashing heap numbers and GC). Typed arrays avoid both.

export class IntPairMap {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private vals: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap <<= 1;
    this.keysA = new Int32Array(cap).fill(-1);
    this.keysB = new Int32Array(cap);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private static hash(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    return h;
  }

  get(a: number, b: number): number {
    const mask = this.mask;
    let i = IntPairMap.hash(a, b) & mask;
    const ka = this.keysA;
    const kb = this.keysB;
    for (;;) {
      const x = ka[i];
      if (x === -1) return -1;
      if (x === a && kb[i] === b) return this.vals[i];
      i = (i + 1) & mask;
    }
  }

  set(a: number, b: number, v: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const mask = this.mask;
    let i = IntPairMap.hash(a, b) & mask;
    for (;;) {
      const x = this.keysA[i];
      if (x === -1) {
        this.keysA[i] = a;
        this.keysB[i] = b;
        this.vals[i] = v;
        this.size++;
        return;
      }
      if (x === a && this.keysB[i] === b) {
        this.vals[i] = v;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const oa = this.keysA;
    const ob = this.keysB;
    const ov = this.vals;
    const cap = (this.mask + 1) * 2;
    this.keysA = new Int32Array(cap).fill(-1);
    this.keysB = new Int32Array(cap);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < oa.length; i++) if (oa[i] !== -1) this.set(oa[i], ob[i], ov[i]);
  }
}
