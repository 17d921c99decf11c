// TimeBins (the bounded-memory integral behind "Ps busy") against hand-computed integrals.

import { describe, expect, it } from "vitest";
import { TimeBins } from "../src/trace/analyze/timebins.js";

describe("TimeBins", () => {
  it("integrates a step function into equal buckets", () => {
    const b = new TimeBins(10);
    b.set(100, 2); // 2 on [100, 130)
    b.set(130, 0); // 0 on [130, 150)
    b.set(150, 1); // 1 on [150, 200)
    b.advance(200);
    // buckets of 25 over [100, 200): [100,125) 2*25; [125,150) 2*5; [150,175) 25; [175,200) 25
    expect(b.buckets(100, 100, 4)).toEqual([50, 10, 25, 25]);
  });

  it("keeps totals exact when it coarsens past its bin limit", () => {
    const b = new TimeBins(1);
    // 3 on [0, 300000): 300000 one-ns bins would exceed 65536, so the width doubles several times.
    b.set(0, 3);
    b.set(100_000, 1); // 1 on [100000, 300000)
    b.advance(300_000);
    const [x, y, z] = b.buckets(0, 300_000, 3);
    expect(x + y + z).toBeCloseTo(3 * 100_000 + 200_000, 6);
    // Buckets of 100000 ns; bins are at most 8 ns wide here (300000/65536 < 8), so each
    // bucket is off by at most one bin's share at the step.
    expect(x).toBeGreaterThan(3 * 100_000 - 3 * 8);
    expect(x).toBeLessThan(3 * 100_000 + 3 * 8);
    expect(z).toBeCloseTo(100_000, 6);
  });
});
