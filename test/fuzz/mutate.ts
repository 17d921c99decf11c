// Input mutations for the property-based fuzz targets: fast-check picks a real
// seed file and a short list of edits. Besides byte flips, inserts, deletes,
// truncation and duplication, "number" edits replace a run of digits with values
// that once drove loops and allocations (NaN, 2^53+1, 1e308, -1, 2^64-1): the
// bugs issue 20 found were numbers read from the input, not bad bytes.

import fc from "fast-check";

export const INTERESTING_NUMBERS = [
  "NaN", "-1", "0", "1", "-0", "9007199254740993", "18446744073709551615", "1e308", "-1e308", "Inf",
  "99999999999999999999999", "4294967295", "2147483648", "0x7fffffff", "1e-320", "100000000",
];

export type Edit =
  | { op: "flip"; at: number; byte: number }
  | { op: "insert"; at: number; bytes: number[] }
  | { op: "delete"; at: number; len: number }
  | { op: "truncate"; at: number }
  | { op: "dup"; at: number; len: number; to: number }
  | { op: "number"; at: number; which: number };

const pos = fc.nat({ max: 1 << 30 });

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("flip" as const), at: pos, byte: fc.nat({ max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("insert" as const), at: pos, bytes: fc.array(fc.nat({ max: 255 }), { maxLength: 16 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), at: pos, len: fc.nat({ max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("truncate" as const), at: pos }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("dup" as const), at: pos, len: fc.nat({ max: 4096 }), to: pos }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("number" as const), at: pos, which: fc.nat({ max: INTERESTING_NUMBERS.length - 1 }) }) },
);

/** seed index and edits; the input is built by applyEdits */
export function inputArb(seeds: number): fc.Arbitrary<{ seed: number; edits: Edit[] }> {
  return fc.record({ seed: fc.nat({ max: Math.max(0, seeds - 1) }), edits: fc.array(editArb, { minLength: 0, maxLength: 6 }) });
}

export function applyEdits(seed: Uint8Array, edits: Edit[]): Uint8Array {
  let b = Buffer.from(seed);
  for (const e of edits) {
    const n = b.length;
    const at = n === 0 ? 0 : e.at % (n + 1);
    switch (e.op) {
      case "flip":
        if (n > 0) b[at % n] = e.byte;
        break;
      case "insert":
        b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
        break;
      case "delete":
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(n, at + e.len))]);
        break;
      case "truncate":
        b = b.subarray(0, at);
        break;
      case "dup": {
        const piece = b.subarray(at, Math.min(n, at + e.len));
        const to = n === 0 ? 0 : e.to % (n + 1);
        b = Buffer.concat([b.subarray(0, to), piece, b.subarray(to)]);
        break;
      }
      case "number": {
        // The digit run at or after `at` (wrapping to the start) becomes an interesting number.
        let i = at;
        while (i < n && !(b[i]! >= 48 && b[i]! <= 57)) i++;
        if (i >= n) {
          i = 0;
          while (i < n && !(b[i]! >= 48 && b[i]! <= 57)) i++;
        }
        if (i >= n) break;
        let j = i;
        while (j < n && ((b[j]! >= 48 && b[j]! <= 57) || b[j] === 46)) j++;
        b = Buffer.concat([b.subarray(0, i), Buffer.from(INTERESTING_NUMBERS[e.which]!), b.subarray(j)]);
        break;
      }
    }
  }
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
