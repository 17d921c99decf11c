// Issue 20, truncated text captures: a goroutine dump or heap?debug=1 file cut short
// (a fetch that timed out, a copy from a terminal) was analysed as complete with no
// word (126 of 344 goroutines). Now a warning says where it stops; every complete
// capture in the repository's corpus gets none.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseGoroutineData } from "../src/goroutines/read/dump.js";
import { parseProfileData } from "../src/core/codec/decode.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { ROOT } from "./helpers/run.js";

const CORPUS = join(ROOT, "testdata/corpus");

function files(dir: string, re: RegExp, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) files(p, re, out);
    else if (re.test(e)) out.push(p);
  }
  return out;
}

const bytes = (p: string) => new Uint8Array(readFileSync(p));
const DUMPS2 = files(CORPUS, /debug2.*\.txt$/);
const DUMPS1 = files(CORPUS, /^goroutines?[.-]debug1\.txt$/);
const HEAPS1 = files(CORPUS, /^heap[.-]debug1\.txt$/);

describe("complete captures: no truncation warning", () => {
  it("corpus has the files this test is about", () => {
    expect(DUMPS2.length).toBeGreaterThan(20);
    expect(DUMPS1.length).toBeGreaterThan(20);
    expect(HEAPS1.length).toBeGreaterThan(20);
  });

  it("goroutine debug=2 and debug=1 dumps", () => {
    for (const f of [...DUMPS2, ...DUMPS1]) expect(parseGoroutineData(bytes(f), f, DEFAULT_LIMITS).truncation, f).toBeUndefined();
  });

  it("heap?debug=1 profiles", () => {
    for (const f of HEAPS1) expect(parseProfileData(bytes(f), f, DEFAULT_LIMITS).extras.truncation, f).toBeUndefined();
  });
});

describe("cut captures: a warning naming the byte where they stop", () => {
  it("debug=1 cut between records: the header's total against what the records hold", () => {
    const f = DUMPS1.find((p) => p.includes("profilesvc/capture-go126-heavy"))!;
    const text = readFileSync(f, "utf8");
    const claimed = Number(/^goroutine profile: total (\d+)$/m.exec(text)![1]);
    // Cut after the first record (records end at a blank line).
    const cut = text.slice(0, text.indexOf("\n\n") + 2);
    const firstCount = Number(/^(\d+) @ /m.exec(cut)![1]);
    expect(firstCount).toBeLessThan(claimed);
    const d = parseGoroutineData(new TextEncoder().encode(cut), "g1.txt", DEFAULT_LIMITS);
    expect(d.truncation).toBe(`g1.txt: truncated at byte ${Buffer.byteLength(cut)}: its records hold ${firstCount} of the ${claimed} goroutines its header counts`);
    expect(d.warnings[0]).toBe(d.truncation);
  });

  it("debug=2 cut mid-line, and cut after a function line without its file:line", () => {
    const f = DUMPS2[0]!;
    const data = bytes(f);
    const mid = data.subarray(0, Math.floor(data.length / 2));
    const midLine = mid[mid.length - 1] === 10 ? mid.subarray(0, mid.length - 1) : mid;
    expect(parseGoroutineData(midLine, "g2.txt", DEFAULT_LIMITS).truncation).toMatch(new RegExp(`^g2\\.txt: truncated at byte ${midLine.length}: the dump ends mid-line; the last goroutine \\(\\d+ read\\) is incomplete$`));
    // Cut right after a "pkg.fn(...)" line: find a line ending in ")" followed by a tab line.
    const text = Buffer.from(data).toString("latin1");
    const m = /\n[^\t\n][^\n]*\)\n\t/.exec(text);
    expect(m).not.toBeNull();
    const end = m!.index + m![0].length - 1; // keep the function line's newline
    const d = parseGoroutineData(data.subarray(0, end), "g2.txt", DEFAULT_LIMITS);
    expect(d.truncation).toMatch(/^g2\.txt: truncated at byte \d+: the last frame has no file:line/);
  });

  it("heap?debug=1 without its # runtime.MemStats block", () => {
    const f = HEAPS1.find((p) => p.includes("profilesvc/capture-go126-heavy"))!;
    const text = readFileSync(f, "latin1");
    const cut = text.slice(0, text.indexOf("\n# runtime.MemStats") + 1);
    const lines = cut.split("\n").length - 1;
    const p = parseProfileData(Buffer.from(cut, "latin1"), "h.txt", DEFAULT_LIMITS);
    expect(p.extras.truncation).toBe(`h.txt: truncated: has no # runtime.MemStats block at byte ${cut.length} (line ${lines}); the allocation records are incomplete`);
  });
});
