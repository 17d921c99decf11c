// DBSCAN over blocking contexts, on hand-made contexts whose distances are worked
// out in the comments.

import { describe, expect, it } from "vitest";
import { clusterContexts, contextDistance, type BlockingContext } from "../src/goroutines/analyze/cluster.js";

const leak = (handler: string, count: number, waitMinutes = 0): BlockingContext => ({
  cls: "chan:send",
  frames: ["runtime.gopark", "runtime.chansend", "runtime.chansend1", "main.notifyAudit", handler, "net/http.HandlerFunc.ServeHTTP"],
  waitMinutes,
  count,
});

describe("blocking-context clustering", () => {
  it("distance: same class, one frame of six differs -> 0.75 * (1 - 5/7)", () => {
    // sets of 6 frames sharing 5: Jaccard 5/7, stack distance 2/7, no wait difference
    expect(contextDistance(leak("main.handleA", 1), leak("main.handleB", 1))).toBeCloseTo(0.75 * (2 / 7), 10);
    // a different class is always 1 apart
    expect(contextDistance(leak("main.handleA", 1), { ...leak("main.handleA", 1), cls: "chan:recv" })).toBe(1);
    // same stack, waits of 0 and 10 minutes: wait term |log1p(0)-log1p(10)|/log1p(10) = 1, times 0.25
    expect(contextDistance(leak("main.handleA", 1, 0), leak("main.handleA", 1, 10))).toBeCloseTo(0.25, 10);
  });

  it("one leak reached from three handlers is one cluster; an unrelated wait stays alone", () => {
    const ctxs: BlockingContext[] = [
      leak("main.handleA", 300),
      leak("main.handleB", 120),
      leak("main.handleC", 2), // border point: joins through A/B
      {
        cls: "select",
        frames: ["runtime.gopark", "runtime.selectgo", "main.worker"],
        waitMinutes: 0,
        count: 4, // under minCount 5 and nobody near: noise
      },
    ];
    const cs = clusterContexts(ctxs);
    expect(cs).toHaveLength(2);
    expect(cs[0]!.members).toEqual([0, 1, 2]);
    expect(cs[0]!.count).toBe(422);
    expect(cs[0]!.cls).toBe("chan:send");
    expect(cs[0]!.userFunctions[0]).toBe("main.notifyAudit"); // in all 422
    expect(cs[1]!.members).toEqual([3]);
  });

  it("small isolated contexts do not chain into a cluster", () => {
    // two contexts of 2 goroutines each: neither is core (2+2 < 5 even as neighbours)
    const cs = clusterContexts([leak("main.handleA", 2), leak("main.handleB", 2)]);
    expect(cs.map((c) => c.members)).toEqual([[0], [1]]);
  });
});
