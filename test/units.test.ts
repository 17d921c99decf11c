// Go-exact number formatting and pprof's measurement package.
// When go is on PATH, expected values come from a throwaway Go program built
// (in a temp dir) against the Go toolchain's own vendored pprof sources.

import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fmtD, fmtE, fmtF, fmtG, fmtV, padLeft } from "../src/core/go/gofmt.js";
import { commonValueType, label, percentage, scaledLabel, scaleValue } from "../src/core/measure/units.js";

const GO_MAIN = `package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/google/pprof/internal/measurement"
	"github.com/google/pprof/profile"
)

func fl(s string) float64 { b, _ := strconv.ParseUint(s, 16, 64); return math.Float64frombits(b) }
func in(s string) int64  { v, _ := strconv.ParseInt(s, 10, 64); return v }

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for sc.Scan() {
		a := strings.Split(sc.Text(), "\\t")
		var r string
		switch a[0] {
		case "f":
			p, _ := strconv.Atoi(a[2]); r = fmt.Sprintf("%.*f", p, fl(a[1]))
		case "g":
			p, _ := strconv.Atoi(a[2]); r = fmt.Sprintf("%.*g", p, fl(a[1]))
		case "e":
			p, _ := strconv.Atoi(a[2]); r = fmt.Sprintf("%.*e", p, fl(a[1]))
		case "v":
			r = fmt.Sprintf("%v", fl(a[1]))
		case "scale":
			v, u := measurement.Scale(in(a[1]), a[2], a[3]); r = fmt.Sprintf("%x %s", math.Float64bits(v), u)
		case "slabel":
			r = measurement.ScaledLabel(in(a[1]), a[2], a[3])
		case "pct":
			r = measurement.Percentage(in(a[1]), in(a[2]))
		case "cvt":
			var ts []*profile.ValueType
			for i := 1; i+1 < len(a); i += 2 { ts = append(ts, &profile.ValueType{Type: a[i], Unit: a[i+1]}) }
			t, err := measurement.CommonValueType(ts)
			switch {
			case err != nil: r = "ERR " + err.Error()
			case t == nil: r = "nil"
			default: r = t.Type + "/" + t.Unit
			}
		}
		fmt.Fprintln(w, r)
	}
}
`;
import { available } from "./helpers/available.js";

function goRoot(): string | null {
  const r = spawnSync("go", ["env", "GOROOT"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

const GOROOT = goRoot();
const PPROF = GOROOT ? join(GOROOT, "src/cmd/vendor/github.com/google/pprof") : "";
const HAVE_GO = available(GOROOT !== null && existsSync(join(PPROF, "internal/measurement")), "Go and the google/pprof corpus");
let harnessDir: string | null = null;

/** Build the harness once; returns the binary path. */
function harness(): string {
  if (harnessDir === null) {
    harnessDir = mkdtempSync(join(tmpdir(), "godiag-units-"));
    writeFileSync(join(harnessDir, "go.mod"), "module github.com/google/pprof\n\ngo 1.22\n");
    cpSync(join(PPROF, "profile"), join(harnessDir, "profile"), { recursive: true });
    cpSync(join(PPROF, "internal/measurement"), join(harnessDir, "internal/measurement"), { recursive: true });
    mkdirSync(join(harnessDir, "cmd/h"), { recursive: true });
    writeFileSync(join(harnessDir, "cmd/h/main.go"), GO_MAIN);
    const r = spawnSync("go", ["build", "-o", "h", "./cmd/h"], {
      cwd: harnessDir,
      encoding: "utf8",
      env: { ...process.env, GOWORK: "off", GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" },
    });
    if (r.status !== 0) throw new Error("go build failed: " + r.stderr);
  }
  return join(harnessDir, "h");
}

/** Run the harness on tab-separated request lines; one answer per line. */
function goAnswers(lines: string[]): string[] {
  const r = spawnSync(harness(), [], { input: lines.join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error("harness failed: " + r.stderr);
  const out = r.stdout.split("\n");
  out.pop();
  return out;
}

afterAll(() => {
  if (harnessDir !== null) rmSync(harnessDir, { recursive: true, force: true });
});

const dv = new DataView(new ArrayBuffer(8));
function bits(x: number): string {
  dv.setFloat64(0, x);
  return dv.getBigUint64(0).toString(16);
}
function fromBits(h: string): number {
  dv.setBigUint64(0, BigInt("0x" + h));
  return dv.getFloat64(0);
}

/** Deterministic xorshift, so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

function floatCases(): number[] {
  const xs = [
    0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1.125, 2.675, 1.005, 0.05, 0.15, 0.25, 0.35, 99.95, 99.995,
    100.05, 9.995, 9.9999, 1e-5, 1e-4, 0.0001234, 123456, 1e6, 1e20, 1e21, 1e22, 1.5e300, 5e-324, 2.2250738585072014e-308,
    // eslint-disable-next-line no-loss-of-precision -- inexact in float64 on purpose: formatting must match Go's
    2 ** 53, 2 ** 60, 2 ** 70 + 2 ** 18, 123456789012345678, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 25, 35, 45, 125, 1250, 15, 0.0625,
    1e15 + 0.5, 4503599627370495.5, 33.333333333333336, 66.66666666666667, 100, 1000, 12.5, 0.45, 7.5e-7, Infinity,
    -Infinity, NaN, 1.7976931348623157e308,
  ];
  const r = rng(12345);
  for (let i = 0; i < 400; i++) {
    const mag = Math.floor(r() * 40) - 20;
    xs.push((r() - 0.3) * 10 ** mag);
  }
  // values with few binary fraction digits: dense in exact decimal ties
  for (let i = 0; i < 300; i++) xs.push((Math.floor(r() * 100000) - 20000) / 2 ** Math.floor(r() * 12));
  return xs;
}

describe("gofmt (hand-checked)", () => {
  it("rounds exact ties half to even like Go", () => {
    expect(fmtF(0.125, 2)).toBe("0.12");
    expect(fmtF(0.375, 2)).toBe("0.38");
    expect(fmtF(2.5, 0)).toBe("2");
    expect(fmtF(3.5, 0)).toBe("4");
    expect(fmtF(0.5, 0)).toBe("0");
    expect(fmtF(1.005, 2)).toBe("1.00"); // 1.005 is really 1.00499999...
    expect(fmtF(-0, 2)).toBe("-0.00");
    expect(fmtF(1e21, 1)).toBe("1000000000000000000000.0");
    expect(fmtG(2.5, 1)).toBe("2");
    expect(fmtG(25, 1)).toBe("2e+01");
  });
  it("formats %g and %v", () => {
    expect(fmtV(1e6)).toBe("1e+06");
    expect(fmtV(123456)).toBe("123456");
    expect(fmtV(1e21)).toBe("1e+21");
    expect(fmtV(0.0001)).toBe("0.0001");
    expect(fmtV(0.00001)).toBe("1e-05");
    expect(fmtG(0.5, 2)).toBe("0.5");
    expect(fmtG(100, 2)).toBe("1e+02");
    expect(fmtG(0, 2)).toBe("0");
    expect(fmtE(1234.5678, 2)).toBe("1.23e+03");
    expect(fmtD(2 ** 60)).toBe("1152921504606846976");
    expect(padLeft("μs", 4)).toBe("  μs");
  });
});

describe("units (hand-checked)", () => {
  it("labels", () => {
    expect(label(1500000000, "nanoseconds")).toBe("1.50s");
    expect(label(0, "nanoseconds")).toBe("0");
    expect(label(1024, "bytes")).toBe("1kB");
    expect(label(12, "count")).toBe("12");
    expect(scaledLabel(1500, "ms", "s")).toBe("1.50s");
    expect(scaleValue(1, "μs", "ns")).toEqual([1, "ns"]); // "μs" is 3 bytes: trimmed to "μ", unknown
    expect(scaleValue(-2048, "bytes", "auto")).toEqual([-2, "kB"]);
  });
  it("percentages", () => {
    expect(percentage(1, 1)).toBe("  100%");
    expect(percentage(1, 3)).toBe("33.33%");
    expect(percentage(1, 200)).toBe("  0.5%");
    expect(percentage(1, 0)).toBe("    0%");
    expect(percentage(1, 10000000)).toBe("1e-05%");
  });
  it("common value type", () => {
    expect(commonValueType([{ type: "cpu", unit: "nanoseconds" }])).toBeNull();
    expect(commonValueType([{ type: "cpu", unit: "milliseconds" }, { type: "cpu", unit: "nanoseconds" }])).toEqual({
      type: "cpu",
      unit: "nanoseconds",
    });
    expect(() => commonValueType([{ type: "cpu", unit: "ns" }, { type: "space", unit: "bytes" }])).toThrow(
      "incompatible types: {cpu ns 0 0} {space bytes 0 0}",
    );
  });
});

describe.runIf(HAVE_GO)("against Go", () => {
  it("fmt %f %g %e %v", { timeout: 120_000 }, () => {
    const xs = floatCases();
    const precs = [0, 1, 2, 3, 4, 5, 6, 10, 15, 17, 20, 25, 40, 120];
    const reqs: string[] = [];
    const ours: string[] = [];
    for (const x of xs) {
      const b = bits(x);
      reqs.push(`v\t${b}\t0`);
      ours.push(fmtV(x));
      for (const p of precs) {
        reqs.push(`f\t${b}\t${p}`, `g\t${b}\t${p}`, `e\t${b}\t${p}`);
        ours.push(fmtF(x, p), fmtG(x, p), fmtE(x, p));
      }
    }
    const want = goAnswers(reqs);
    const bad: string[] = [];
    for (let i = 0; i < reqs.length; i++) if (want[i] !== ours[i]) bad.push(`${reqs[i]}: go=${want[i]} ours=${ours[i]}`);
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it("Scale, ScaledLabel, Percentage, CommonValueType", { timeout: 120_000 }, () => {
    const units = [
      "nanoseconds", "nanosecond", "ns", "microseconds", "μs", "us", "milliseconds", "ms", "seconds", "second", "s",
      "sec", "secs", "hours", "hour", "hr", "hrs", "bytes", "byte", "B", "b", "Bytes", "kilobytes", "kb", "KB", "MB",
      "megabytes", "GB", "TB", "PB", "pbytes", "count", "samples", "sample", "unit", "gcu", "GCU", "milligcu",
      "kilogcu", "nanogcus", "objects", "", "NANOSECONDS", "ss", "bs",
    ];
    const targets = ["auto", "minimum", "ns", "ms", "s", "sec", "hrs", "B", "kB", "MB", "count", "", "objects", "gcu"];
    const values = [0, 1, -1, 7, 999, 1000, 1023, 1024, 1536, 999999, 1000000, 1048576, 5e8, 1e9, 1.5e9, 3.6e12, 7.2e12,
      1e15, 2 ** 50, 2 ** 53, 123456789, -123456789, 12345678901234];
    const reqs: string[] = [];
    const ours: string[] = [];
    for (const from of units) {
      for (const to of targets) {
        for (const v of values) {
          reqs.push(`scale\t${v}\t${from}\t${to}`);
          const [sv, su] = scaleValue(v, from, to);
          ours.push(`${bits(sv)} ${su}`);
          reqs.push(`slabel\t${v}\t${from}\t${to}`);
          ours.push(scaledLabel(v, from, to));
        }
      }
    }
    const pcts: [number, number][] = [[0, 0], [1, 0], [0, 5], [1, 1], [9995, 10000], [9994, 10000], [10005, 10000],
      [10006, 10000], [1, 3], [2, 3], [-1, 3], [1, 100], [99, 10000], [1, 1000], [1, 100000], [1, 2000], [5, 1000],
      [123, 100000], [1, 7], [5, 2], [-7, 3], [1, 10000001]];
    const r = rng(7);
    for (let i = 0; i < 300; i++) pcts.push([Math.floor(r() * 1e6), Math.floor(r() * 1e8) + 1]);
    for (const [v, t] of pcts) {
      reqs.push(`pct\t${v}\t${t}`);
      ours.push(percentage(v, t));
    }
    const cvts: string[][] = [
      ["cpu", "nanoseconds"],
      ["cpu", "nanoseconds", "cpu", "milliseconds"],
      ["cpu", "ms", "cpus", "ns", "cpu", "s"],
      ["space", "bytes", "space", "MB"],
      ["space", "bytes", "alloc", "bytes"],
      ["contentions", "count", "contention", "count"],
      ["cpu", "nanoseconds", "cpu", "bytes"],
      ["x", "foo", "x", "foo"],
      ["x", "foo", "x", "bar"],
    ];
    for (const c of cvts) {
      reqs.push(["cvt", ...c].join("\t"));
      const ts = [];
      for (let i = 0; i + 1 < c.length; i += 2) ts.push({ type: c[i], unit: c[i + 1] });
      try {
        const t = commonValueType(ts);
        ours.push(t === null ? "nil" : `${t.type}/${t.unit}`);
      } catch (e) {
        ours.push("ERR " + (e as Error).message);
      }
    }
    const want = goAnswers(reqs);
    const bad: string[] = [];
    for (let i = 0; i < reqs.length; i++) {
      if (want[i] === ours[i]) continue;
      if (reqs[i].startsWith("scale")) {
        // show the float, not its bits
        const [h, u] = want[i].split(" ");
        bad.push(`${reqs[i]}: go=${fromBits(h)} ${u} ours=${ours[i]}`);
      } else bad.push(`${reqs[i]}: go=${want[i]} ours=${ours[i]}`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });
});
