// The histogram selection of analyze/order-stats.ts against Float64Array.prototype.sort, the
// obvious oracle: the k-th smallest value is what the sorted array holds at k. Sizes cross
// the threshold where the histogram path starts; values repeat (trace times are multiples
// of the clock's tick), spread over many powers of two, or fall back (negative, NaN-free).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orderStats } from "../src/core/stats/index.js";

const value = fc.oneof(
  fc.integer({ min: 0, max: 200 }).map((k) => k * 64),
  fc.integer({ min: 0, max: 2 ** 40 }),
  fc.double({ min: 0, max: 1e12, noNaN: true }),
  fc.constantFrom(0, 768, 3136, 2 ** 53),
);

function check(xs: Float64Array, ranks: number[]): void {
  const sorted = Float64Array.from(xs).sort();
  const got = orderStats(Float64Array.from(xs), ranks);
  expect(got).toEqual(ranks.map((k) => sorted[k]));
}

describe("orderStats", () => {
  it("gives the sorted array's values at the ranks asked (large inputs, histogram path)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: (1 << 14) - 3, max: 40_000 }),
        fc.array(value, { minLength: 1, maxLength: 50 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.integer(),
        (n, pool, ps, seed) => {
          // n values drawn from a small pool: many repeats, as in real traces.
          const xs = new Float64Array(n);
          let s = seed | 0;
          for (let i = 0; i < n; i++) {
            s = (Math.imul(s, 1103515245) + 12345) | 0;
            xs[i] = pool[(s >>> 8) % pool.length];
          }
          check(xs, ps.map((p) => Math.min(n - 1, Math.floor(p * n))));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("handles spread-out values, every rank of a small input, and negative values", () => {
    const n = 50_000;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = Math.floor(Math.abs(Math.sin(i * 7.1)) * 2 ** (i % 45));
    check(xs, [0, 1, n >> 1, n - 2, n - 1, 12345]);
    const small = Float64Array.from([5, 3, 3, 9, 0, 1]);
    check(small, [0, 1, 2, 3, 4, 5]);
    const neg = new Float64Array(20_000).map((_, i) => (i % 7) - 3);
    check(neg, [0, 9_999, 19_999]);
  });
});
