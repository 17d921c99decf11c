// Flag parsing shared by every command: Go durations (time.ParseDuration's syntax,
// values worked out by hand), numbers, byte sizes.
import { describe, expect, it } from "vitest";
import { durationFlag, numberFlag, parseBytes } from "../src/apps/cli/flags.js";
import { goMemLimitMiB, parseGoMemLimit } from "../src/core/go/memlimit.js";

describe("durationFlag", () => {
  it("reads Go durations, and bare numbers as seconds", () => {
    expect(durationFlag("--interval", "60s")).toBe(60);
    expect(durationFlag("--interval", "1m30s")).toBe(90);
    expect(durationFlag("--interval", "1.5h")).toBe(5400);
    expect(durationFlag("--interval", "500ms")).toBe(0.5);
    expect(durationFlag("--interval", "2h45m")).toBe(9900);
    expect(durationFlag("--interval", "250us")).toBeCloseTo(0.00025, 12);
    expect(durationFlag("--interval", "7")).toBe(7);
    expect(durationFlag("--interval", "0")).toBe(0);
  });
  it("rejects what Go rejects, naming the flag", () => {
    for (const bad of ["", "s", "1x", "1 s", "-1s", "1s2", "ten"]) {
      expect(() => durationFlag("--interval", bad)).toThrow(/--interval/);
    }
  });
});

describe("numberFlag", () => {
  it("checks range and integrality", () => {
    expect(numberFlag("--pid", "42", { min: 1, integer: true })).toBe(42);
    expect(() => numberFlag("--pid", "0", { min: 1, integer: true })).toThrow('invalid value "0" for --pid (want a whole number >= 1)');
    expect(() => numberFlag("--pid", "1.5", { integer: true })).toThrow(/whole number/);
    for (const bad of ["", "NaN", "Infinity", "1e999", "abc"]) expect(() => numberFlag("-alpha", bad)).toThrow(/-alpha/);
  });
});

describe("sizes", () => {
  it("byte sizes for --max_input and --mem-budget", () => {
    expect(parseBytes("512MiB")).toBe(512 * 2 ** 20);
    expect(parseBytes("2GB")).toBe(2 * 2 ** 30);
    expect(parseBytes("1048576")).toBe(1048576);
    expect(() => parseBytes("lots")).toThrow(/invalid size/);
  });
  it("GOMEMLIMIT in the runtime's own syntax (runtime/string.go parseByteCount)", () => {
    expect(parseGoMemLimit("1073741824")).toBe(2 ** 30);
    expect(parseGoMemLimit("64MiB")).toBe(64 * 2 ** 20);
    expect(parseGoMemLimit("100B")).toBe(100);
    expect(parseGoMemLimit("off")).toBe(Infinity);
    // Go refuses decimal points, SI units and lower case.
    for (const bad of ["1.5GiB", "64MB", "64mib", "64M", "", "-1"]) expect(parseGoMemLimit(bad)).toBeUndefined();
    expect(parseGoMemLimit("9223372036854775807B")).toBeDefined(); // MaxInt64
    expect(parseGoMemLimit("9223372036854775808")).toBeUndefined(); // MaxInt64 + 1
    expect(parseGoMemLimit("8388608TiB")).toBeUndefined(); // 2^63 bytes
    expect(parseGoMemLimit("8388607TiB")).toBe(8388607 * 2 ** 40);
    expect(goMemLimitMiB("40MiB")).toBe(40);
    expect(goMemLimitMiB("off")).toBeUndefined();
  });
});
