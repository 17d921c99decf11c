// Issue 20, hostile input: loops and allocations bounded by numbers read from the
// input. Each case ran away before its fix (hang, V8 out of memory at 2-4 GB, or
// "internal error"); now each ends in bounded time and memory, and a refusal is one
// line with exit 2. Peak RSS comes from GNU time around the built CLI.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { constants as bufferConstants } from "node:buffer";
import { afterAll, describe, expect, it } from "vitest";
import { CORPUS, ROOT } from "./helpers/run.js";
import { HAS_GNU_TIME, runMeasured, type Measured } from "./helpers/rss.js";
import { InputError, DecompressBudget, DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { maybeGunzip } from "../src/core/input/gzip.js";
import { textOf } from "../src/core/input/text.js";
import { memStatsFromRecord } from "../src/gc/read/memstats.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-rel-input-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LARGE_CPU = join(CORPUS, "google-pprof/internal/proftest/testdata/large.cpu");
const HEAP_DEBUG1 = join(ROOT, "testdata/corpus/profilesvc/capture-go126-heavy/heap.debug1.txt");

function file(name: string, data: string | Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

/** exit 2 with exactly one line naming the file; no stack trace. */
function expectOneLineRefusal(r: Measured, path: string): void {
  expect(r.signal).toBeNull();
  expect(r.code).toBe(2);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(path);
  expect(r.stderr).not.toContain("internal error");
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** 1 GB: the ceiling for any command with default limits. */
function expectBoundedRss(r: Measured, mb = 1024): void {
  if (HAS_GNU_TIME) expect(r.rssMB).toBeLessThan(mb);
}

/** n copies of one gzip member: Go's reader (and ours) inflates concatenated members in turn. */
function repeatedMembers(member: Uint8Array, n: number): Buffer {
  return Buffer.concat(Array.from({ length: n }, () => member));
}

describe("numbers from the input bound no loop", () => {
  it("a NaN benchmark value: benchstat's Mann-Whitney ranking ends (was: endless tie loop, V8 OOM at 2.5 GB)", () => {
    // Go's strconv.ParseFloat accepts "NaN", so the reader keeps it; the U test must still terminate.
    const a = file("nan-old.txt", "goos: linux\nBenchmarkX 1 NaN ns/op\nBenchmarkX 1 5 ns/op\nBenchmarkX 1 6 ns/op\n");
    const b = file("nan-new.txt", "goos: linux\nBenchmarkX 1 3 ns/op\nBenchmarkX 1 4 ns/op\nBenchmarkX 1 7 ns/op\n");
    const r = runMeasured(["bench", a, b], { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    // 3 against 3 samples: the comparison line is printed with its sample count.
    expect(r.stdout).toMatch(/^X\s.*n=3\)/m);
    expectBoundedRss(r, 300);
  }, 30_000);

  it("NumGC >= 2^53 in /debug/vars: the pause ring is read in bounded steps (was: n++ stuck, 3.7 GB)", () => {
    const vars = file("vars-big-numgc.json", JSON.stringify({ cmdline: ["x"], memstats: { NumGC: 2 ** 53 + 2, HeapAlloc: 5, PauseNs: [10, 20, 30], PauseEnd: [1, 2, 3] } }));
    const r = runMeasured(["gc", vars], { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("pause (last 3)");
    expectBoundedRss(r, 300);
  }, 30_000);

  it("NumGC >= 2^53 in heap?debug=1 (the MemStats comment block)", () => {
    const text = readFileSync(HEAP_DEBUG1, "utf8").replace(/^# NumGC = \d+$/m, `# NumGC = ${2 ** 60}`);
    expect(text).toContain(`# NumGC = ${2 ** 60}`);
    const r = runMeasured(["gc", file("heap-big-numgc.debug1.txt", text)], { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expectBoundedRss(r, 400);
  }, 30_000);

  it("the ring slots read for a NumGC beyond the ring are the last min(NumGC, 256) ones, oldest first", () => {
    // Hand-worked: NumGC 5 with a 4-slot ring: GCs 2..5 sit in slots (n-1)%4 = 1,2,3,0.
    const ms = memStatsFromRecord({ NumGC: 5, HeapAlloc: 1, PauseNs: [50, 20, 30, 40], PauseEnd: [5, 2, 3, 4] }, "expvar")!;
    expect(ms.pauseNs).toEqual([20, 30, 40, 50]);
    expect(ms.firstPauseGC).toBe(2);
    const neg = memStatsFromRecord({ NumGC: -3, HeapAlloc: 1, PauseNs: [1] }, "expvar")!;
    expect(neg.pauseNs).toEqual([]);
  });
});

describe("memory budgets hold for the whole command", () => {
  it("a 10 MB gzip bomb (10 GiB of zeros) is refused within the default budget: one line, RSS < 1 GB (was 2.1 GB)", () => {
    const member = gzipSync(Buffer.alloc(64 << 20), { level: 9 });
    const bomb = file("bomb.pb.gz", repeatedMembers(member, Math.ceil((10 << 20) / member.length)));
    const r = runMeasured(["top", bomb], { timeoutMs: 30_000 });
    expectOneLineRefusal(r, bomb);
    expect(r.stderr).toMatch(/decompress/);
    expect(r.stderr).toContain("--max_decompressed");
    expectBoundedRss(r);
  }, 40_000);

  it("a 0.4 MB profile declaring 5*10^7 samples (400 MB of proto once inflated) is refused, RSS < 1 GB (was 3 GB)", () => {
    // A valid profile header (one sample type, one location and function) then 8-byte samples
    // "12 06 0a 01 01 12 01 01" = Sample{location_id:[1], value:[1]}, in 4 MiB gzip members.
    const head = Buffer.from([
      0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, // sample_type {type:1 unit:2}
      0x22, 0x06, 0x08, 0x01, 0x22, 0x02, 0x08, 0x01, // location {id:1 line{function_id:1}}
      0x2a, 0x04, 0x08, 0x01, 0x10, 0x03, // function {id:1 name:3}
      0x32, 0x00, 0x32, 0x07, ...Buffer.from("samples"), 0x32, 0x05, ...Buffer.from("count"), 0x32, 0x04, ...Buffer.from("main"),
    ]);
    const chunk = Buffer.alloc(4 << 20);
    for (let i = 0; i < chunk.length; i += 8) chunk.set([0x12, 0x06, 0x0a, 0x01, 0x01, 0x12, 0x01, 0x01], i);
    const member = gzipSync(chunk, { level: 9 });
    const data = Buffer.concat([gzipSync(head), repeatedMembers(member, 100)]);
    expect(data.length).toBeLessThan(1 << 20);
    const big = file("declared-samples.pb.gz", data);
    const r = runMeasured(["top", big], { timeoutMs: 30_000 });
    expectOneLineRefusal(r, big);
    expectBoundedRss(r);
    // The same file with the budget raised by the user is read (nothing else refuses it).
    const small = file("few-samples.pb.gz", Buffer.concat([gzipSync(head), member]));
    const ok = runMeasured(["top", small], { timeoutMs: 30_000 });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/524288\s+100%\s+100%\s+524288\s+100%\s+main/);
  }, 60_000);

  it("the decompression budget is shared by all inputs of a command, not granted per input", () => {
    // large.cpu inflates to 2.4 MB: one fits a 3 MiB budget, the same file twice does not.
    const one = runMeasured(["top", "--max_decompressed", "3MiB", LARGE_CPU], { timeoutMs: 30_000 });
    expect(one.code).toBe(0);
    const two = runMeasured(["top", "--max_decompressed", "3MiB", LARGE_CPU, LARGE_CPU], { timeoutMs: 30_000 });
    expectOneLineRefusal(two, LARGE_CPU);
    expect(two.stderr).toContain("decompression budget");
  }, 60_000);

  it("raw (not gzipped) input counts against the same budget: memory grows with decoded bytes, compressed or not", () => {
    const raw = file("large.raw.pb", gunzipSync(readFileSync(LARGE_CPU)));
    const ok = runMeasured(["top", "--nodecount", "1", "--max_decompressed", "3MiB", raw], { timeoutMs: 30_000 });
    expect(ok.code, ok.stderr).toBe(0);
    const over = runMeasured(["top", "--max_decompressed", "2MiB", raw], { timeoutMs: 30_000 });
    expectOneLineRefusal(over, raw);
    expect(over.stderr).toContain("decoding budget");
  }, 60_000);

  it("the budget counts a buffer inflated twice (recognised, then decoded) once", () => {
    const gz = new Uint8Array(gzipSync(Buffer.alloc(1000, 65)));
    const budget = new DecompressBudget(1500);
    const limits = { ...DEFAULT_LIMITS, maxDecompressedBytes: 1500, budget };
    maybeGunzip(gz, "a", limits);
    maybeGunzip(gz, "a", limits);
    expect(budget.total).toBe(1000);
    expect(() => maybeGunzip(new Uint8Array(gz), "b", limits)).toThrow(InputError);
  });

  it("text longer than V8's longest string is an InputError, not a RangeError (was: internal error, exit 3)", () => {
    // Zero-filled typed arrays are not touched until written: this costs no memory.
    const huge = new Uint8Array(bufferConstants.MAX_STRING_LENGTH + 1);
    expect(() => textOf(huge, "big.txt")).toThrow(InputError);
    expect(() => textOf(huge, "big.txt")).toThrow(/^big\.txt: \d+ bytes of text, over the \d+-character limit/);
  });
});

describe("gzip errors give the compressed byte offset", () => {
  it("truncated: at the end of the compressed data; corrupt: where inflating first fails", () => {
    const gz = gzipSync(Buffer.from("hello gzip world ".repeat(200)));
    const cut = new Uint8Array(gz.subarray(0, 40));
    expect(() => maybeGunzip(cut, "cut.gz", DEFAULT_LIMITS)).toThrow("cut.gz: truncated gzip data (unexpected end of file) (at byte 40)");
    // Byte 3 is the FLG field: a reserved bit set there is a bad header, found at byte 3.
    const bad = new Uint8Array(gz);
    bad[3] = 0xe0;
    let err: unknown;
    try {
      maybeGunzip(bad, "bad.gz", DEFAULT_LIMITS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).offset).toBe(3);
  });
});
