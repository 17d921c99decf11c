// A cursor over trace bytes with Go's uvarint decoding. Hand-written because the reader
// spends most of its time here: no allocation per value, one bounds check per byte.

/**
 * Values come back as JS numbers with Go's int64 meaning: a uvarint with bit 63 set is the
 * negative int64 Go would convert it to (so ^uint64(0), Go's NoThread on the wire, is -1).
 * Values above 2^53 lose precision; ids, timestamps and sizes in real traces stay far below.
 */
export class ByteCursor {
  buf: Uint8Array;
  pos: number;
  end: number;
  /** set by a read that ran past end or met an over-long varint; the value read is 0 */
  bad = false;
  /** set by an over-long varint (more than 10 bytes, or a 10th byte above 1): corrupt, not cut */
  overflow = false;

  constructor(buf: Uint8Array, pos: number, end: number) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  reset(buf: Uint8Array, pos: number, end: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.bad = false;
    this.overflow = false;
  }

  byte(): number {
    if (this.pos >= this.end) {
      this.bad = true;
      return 0;
    }
    return this.buf[this.pos++];
  }

  /** Go's binary.Uvarint: at most 10 bytes, the 10th at most 1. */
  uvarint(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    if (p >= end) {
      this.bad = true;
      return 0;
    }
    let c = b[p++];
    if (c < 0x80) {
      this.pos = p;
      return c;
    }
    let x = c & 0x7f;
    // Up to 4 bytes (28 bits) in int32 arithmetic.
    for (let shift = 7; shift < 28; shift += 7) {
      if (p >= end) return this.fail();
      c = b[p++];
      x |= (c & 0x7f) << shift;
      if (c < 0x80) {
        this.pos = p;
        return x >>> 0;
      }
    }
    // Bytes 5..7 (up to 49 bits) exactly in doubles.
    let mul = 268435456; // 2^28
    for (let i = 0; i < 3; i++) {
      if (p >= end) return this.fail();
      c = b[p++];
      x += (c & 0x7f) * mul;
      if (c < 0x80) {
        this.pos = p;
        return x;
      }
      mul *= 128;
    }
    return this.slow();
  }

  private fail(): number {
    this.bad = true;
    return 0;
  }

  /**
   * 8 to 10 bytes (Go's NoThread, -1 as a uint64, is 10): the low 28 bits and the high 36
   * bits separately, both exact in doubles, then Go's int64 conversion.
   */
  private slow(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    let lo = 0;
    let hi = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= end) return this.fail();
      const c = b[p++];
      if (i === 9 && c > 1) {
        this.overflow = true;
        return this.fail();
      }
      if (i < 4) lo |= (c & 0x7f) << (7 * i);
      else {
        hi += (c & 0x7f) * mul;
        mul *= 128;
      }
      if (c < 0x80) {
        this.pos = p;
        if (hi < 34359738368) return hi * 268435456 + lo; // below 2^63: as is (rounded past 2^53)
        // Bit 63 set: the negative int64 -(2^64 - v), from the complement's two halves.
        return -((68719476735 - hi) * 268435456 + (268435455 - lo) + 1);
      }
    }
    this.overflow = true;
    return this.fail();
  }
}
