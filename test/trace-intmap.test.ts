// The reader's IntMap (dense array for small ids, hash table for the rest) against a JS Map,
// the obvious oracle: the same operations in the same order must give the same answers.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IntMap } from "../src/trace/read/intmap.js";

// Keys from every path: small dense ids, ids just past the dense range, negative ids, ids
// past 2^32 and 2^53-ish, and non-integers (never goroutine ids, but still keys).
const key = fc.oneof(
  fc.integer({ min: 0, max: 3000 }),
  fc.integer({ min: (1 << 20) - 5, max: (1 << 20) + 5 }),
  fc.integer({ min: -50, max: -1 }),
  fc.integer({ min: 0, max: 40 }).map((k) => 2 ** 40 + k),
  fc.integer({ min: 0, max: 20 }).map((k) => k + 0.5),
);
const op = fc.tuple(fc.constantFrom("set", "delete", "get"), key);

describe("IntMap", () => {
  it("answers get, delete and size as a Map does", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const m = new IntMap<number>();
        const ref = new Map<number, number>();
        ops.forEach(([o, k], i) => {
          if (o === "set") {
            m.set(k, i);
            ref.set(k, i);
          } else if (o === "delete") {
            expect(m.delete(k)).toBe(ref.delete(k));
          } else {
            expect(m.get(k)).toBe(ref.get(k));
          }
          expect(m.size).toBe(ref.size);
        });
        for (const [k, v] of ref) expect(m.get(k)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps entries through the hash table's growth", () => {
    const m = new IntMap<number>();
    for (let i = 0; i < 5000; i++) m.set(2 ** 33 + i * 7, i);
    for (let i = 0; i < 5000; i += 2) m.delete(2 ** 33 + i * 7);
    for (let i = 0; i < 5000; i++) expect(m.get(2 ** 33 + i * 7)).toBe(i % 2 === 0 ? undefined : i);
    expect(m.size).toBe(2500);
  });
});
