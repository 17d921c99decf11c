// Stored stacks name their leaf as go tool pprof -top names a function row: a location
// with no function (an address in the vdso, or in no mapping at all) is the object's
// base name in brackets, or <unknown>. The watcher's top-functions timeline reads these
// leaves; an empty name once failed test/watch-live against pprof's merged profile
// (twice: first a location with no function, then a function named "").

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeProfile } from "../src/core/codec/pprof-proto.js";
import { normalizeProfile } from "../src/store/normalize.js";
import { pb, packed, type Field } from "./helpers/protobuf.js";
import { available } from "./helpers/available.js";
import { pprofBinary, runPprof } from "./helpers/run.js";

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
