// Growable typed-array columns, so readers can append rows without knowing the
// final count and still hand the model flat typed arrays.
//
// Each element type is its own small class rather than one generic base: a
// shared push() sees five array types and V8 de-optimises it (the protobuf
// decoder measured it several times slower), while these stay monomorphic.

export class F64Column {
  data: Float64Array;
  length = 0;
  constructor(capacity = 64) {
    this.data = new Float64Array(Math.max(capacity, 8));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = v;
  }
  grow(): void {
    const d = new Float64Array(this.data.length * 2);
    d.set(this.data);
    this.data = d;
  }
  /** The filled part (the buffer itself when exactly full, else a right-sized copy). */
  finish(): Float64Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

export class U32Column {
  data: Uint32Array;
  length = 0;
  constructor(capacity = 64) {
    this.data = new Uint32Array(Math.max(capacity, 8));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = v;
  }
  grow(): void {
    const d = new Uint32Array(this.data.length * 2);
    d.set(this.data);
    this.data = d;
  }
  finish(): Uint32Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

export class I32Column {
  data: Int32Array;
  length = 0;
  constructor(capacity = 64) {
    this.data = new Int32Array(Math.max(capacity, 8));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = v;
  }
  grow(): void {
    const d = new Int32Array(this.data.length * 2);
    d.set(this.data);
    this.data = d;
  }
  finish(): Int32Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

export class U8Column {
  data: Uint8Array;
  length = 0;
  constructor(capacity = 64) {
    this.data = new Uint8Array(Math.max(capacity, 8));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = v;
  }
  grow(): void {
    const d = new Uint8Array(this.data.length * 2);
    d.set(this.data);
    this.data = d;
  }
  finish(): Uint8Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

export class U64Column {
  data: BigUint64Array;
  length = 0;
  constructor(capacity = 64) {
    this.data = new BigUint64Array(Math.max(capacity, 8));
  }
  push(v: bigint): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = v;
  }
  grow(): void {
    const d = new BigUint64Array(this.data.length * 2);
    d.set(this.data);
    this.data = d;
  }
  finish(): BigUint64Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}
