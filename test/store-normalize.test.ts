// Stored stacks name their leaf as go tool pprof -top names a function row: a location
// with no function (an address in the vdso, or in no mapping at all) is the object's
// base name in brackets, or <unknown>. The watcher's top-functions timeline reads these
// leaves; an empty name once failed test/watch-live against pprof's merged profile
// (twice: first a location with no function, then a function named "").

import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { decodeProfile } from "../src/core/codec/pprof-proto.js";
import { normalizeProfile } from "../src/store/normalize.js";
import { pb, packed, type Field } from "./helpers/protobuf.js";
import { available } from "./helpers/available.js";
import { ROOT, pprofBinary, runPprof } from "./helpers/run.js";

const hasGo = available(pprofBinary() !== null, "Go (go tool pprof)");
const dir = mkdtempSync(join(tmpdir(), "godiag-normalize-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// strings: 0 "", 1 samples, 2 count, 3 /usr/lib/vdso.so, 4 main.work, 5 main.go, 6 /usr/lib/libc.so.6, 7 ?
const STRINGS = ["", "samples", "count", "/usr/lib/vdso.so", "main.work", "main.go", "/usr/lib/libc.so.6", "?"];
const fields: Field[] = [
  [1, [[1, 1], [2, 2]]],
  // leaf in the vdso mapping (5), leaf in no mapping (2), main.work itself (1), and a
  // leaf whose function has no name, as runtime/pprof writes a PC it cannot name (4)
  [2, [[1, packed([1, 2])], [2, packed([5])]]],
  [2, [[1, packed([3, 2])], [2, packed([2])]]],
  [2, [[1, packed([2])], [2, packed([1])]]],
  [2, [[1, packed([4, 2])], [2, packed([4])]]],
  [3, [[1, 1], [2, 0x1000], [3, 0x2000], [5, 3]]],
  [3, [[1, 2], [2, 0x3000], [3, 0x4000], [5, 6]]],
  [4, [[1, 1], [2, 1], [3, 0x1234]]],
  [4, [[1, 2], [3, 0x5678], [4, [[1, 1], [2, 3]]]]],
  [4, [[1, 3], [3, 0x9999]]],
  [4, [[1, 4], [2, 2], [3, 0x3456], [4, [[1, 2]]]]],
  [5, [[1, 1], [2, 4], [3, 4], [4, 5]]],
  [5, [[1, 2], [2, 0], [3, 0], [4, 7]]],
  ...STRINGS.map((s): Field => [6, s]),
];

describe.skipIf(!hasGo)("store rows: stack leaves", () => {
  it("names each leaf as go tool pprof -top names its row", () => {
    const file = join(dir, "p.pb");
    writeFileSync(file, pb(fields));
    const top = runPprof(["-top", file]);
    expect(top.code, top.stderr).toBe(0);
    // rows with flat > 0: the leaves of the four samples
    const pprofLeaves = top.stdout
      .split("\n")
      .filter((l) => /^\s+[1-9]\d* /.test(l))
      .map((l) => l.trim().split(/\s+/).slice(5).join(" "));
    expect(pprofLeaves.length).toBe(4);
    const n = normalizeProfile(decodeProfile(pb(fields), file));
    expect([...n.stacks.values()].map((s) => s.leaf).sort()).toEqual(pprofLeaves.sort());
  });
});

// Stack ids are looked up by short keys (hash.ts) but must stay what docs/WATCH.md
// defines and every watcher of a cluster computes: the first 8 bytes (little-endian,
// signed) of the md5 of "s\0" and the stack's location ids joined by commas. node:crypto
// computes the md5 here; the profile is decoded three times so that the cached path
// (and a second profile numbering its locations differently) is checked too.
describe("store rows: stack content ids", () => {
  it("are the md5 of the stack's location ids, cached or not", () => {
    const files = ["capture-go126-heavy/cpu.pb.gz", "curl-go126-light/profile.pb.gz", "capture-go126-heavy/cpu.pb.gz"].map((f) => join(ROOT, "testdata/corpus/forecastd", f));
    let checked = 0;
    for (const f of files) {
      const n = normalizeProfile(decodeProfile(gunzipSync(readFileSync(f)), f));
      for (const s of n.stacks) {
        const h = createHash("md5").update(`s\0${s.locations.join(",")}`, "utf8").digest().readBigInt64LE(0);
        expect(s.id).toBe(h === 0n ? 1n : h);
        checked++;
      }
      // Every sample names a stored stack.
      const ids = new Set(n.stacks.map((s) => s.id));
      expect(n.samples.every((r) => ids.has(r.stack))).toBe(true);
    }
    expect(checked).toBeGreaterThan(100);
  });
});
