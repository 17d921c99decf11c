// Growable typed-array columns, so readers can append rows without knowing
// the final count and still hand the model flat typed arrays.

type TypedArray = Float64Array | Uint32Array | Int32Array | Uint8Array | BigUint64Array;
type Ctor<T> = { new (n: number): T };

class Growable<T extends TypedArray, V> {
  data: T;
  length = 0;
  constructor(private readonly ctor: Ctor<T>, capacity = 64) {
    this.data = new ctor(Math.max(capacity, 4));
  }
  protected grow(min: number): void {
    let cap = this.data.length * 2;
    while (cap < min) cap *= 2;
    const next = new this.ctor(cap);
    (next as unknown as { set(a: T): void }).set(this.data);
    this.data = next;
  }
  push(v: V): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    (this.data as unknown as V[])[this.length++] = v;
  }
  /** A right-sized copy of the filled part. */
  finish(): T {
    return this.data.slice(0, this.length) as T;
  }
}

export class F64Column extends Growable<Float64Array, number> {
  constructor(capacity?: number) {
    super(Float64Array, capacity);
  }
}
export class U32Column extends Growable<Uint32Array, number> {
  constructor(capacity?: number) {
    super(Uint32Array, capacity);
  }
}
export class I32Column extends Growable<Int32Array, number> {
  constructor(capacity?: number) {
    super(Int32Array, capacity);
  }
}
export class U8Column extends Growable<Uint8Array, number> {
  constructor(capacity?: number) {
    super(Uint8Array, capacity);
  }
}
export class U64Column extends Growable<BigUint64Array, bigint> {
  constructor(capacity?: number) {
    super(BigUint64Array, capacity);
  }
}
