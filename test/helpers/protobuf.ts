// A minimal protobuf writer for hand-made test inputs (independent of our
// encoder, so decoder tests do not check our code against itself).
// Numbers and bigints are varints (negatives as 64-bit two's complement);
// strings, byte arrays and nested field lists are length-delimited.

export type Field = [number, number | bigint | string | Uint8Array | Field[]];

export function varint(x: number | bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(x));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

export function pb(fields: Field[]): Uint8Array {
  const out: number[] = [];
  for (const [f, v] of fields) {
    if (typeof v === "number" || typeof v === "bigint") {
      out.push(...varint(f * 8), ...varint(v));
      continue;
    }
    const b = typeof v === "string" ? new TextEncoder().encode(v) : Array.isArray(v) ? pb(v) : v;
    out.push(...varint(f * 8 + 2), ...varint(b.length), ...b);
  }
  return new Uint8Array(out);
}

/** Packed varints, as the raw bytes of a length-delimited field. */
export function packed(vals: (number | bigint)[]): Uint8Array {
  return new Uint8Array(vals.flatMap((v) => varint(v)));
}
