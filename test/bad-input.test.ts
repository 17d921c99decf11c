// Broken and hostile profile.proto input: every failure must be an InputError
// naming the file (with the byte offset where one makes sense), thrown fast,
// without unbounded allocation. No other exception type may escape.

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { pb, varint, type Field } from "./helpers/protobuf.js";
import { describe, expect, it } from "vitest";
import { maybeGunzip } from "../src/core/input/gzip.js";
import { decodeProfile, readProfileData } from "../src/core/codec/pprof-proto.js";
import type { Profile } from "../src/core/model/profile.js";
import { DEFAULT_LIMITS, InputError, type ReadLimits } from "../src/core/input/errors.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PPROF = resolve(ROOT, "../shared/corpus/google-pprof");
const SAMPLE_CPU = join(PPROF, "internal/report/testdata/sample.cpu");
const HEAP = join(PPROF, "synthetic/heap.raw.pb.gz");

function bytes(file: string): Uint8Array {
  const b = readFileSync(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const SAMPLE_GZ = bytes(SAMPLE_CPU);
const SAMPLE_RAW = new Uint8Array(gunzipSync(SAMPLE_GZ));

/** Runs fn, which must throw an InputError for `file` within 1 s; returns the error. */
function inputError(fn: () => unknown, file: string): InputError {
  const t = performance.now();
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t;
  expect(err, "expected an InputError").toBeInstanceOf(InputError);
  const ie = err as InputError;
  expect(ie.file).toBe(file);
  expect(ie.message.startsWith(`${file}: `)).toBe(true);
  expect(ms).toBeLessThan(1000);
  return ie;
}

/** Runs fn, which may succeed or throw InputError (nothing else), within 1 s. */
function decodesOrInputError(fn: () => Profile, file: string): Profile | InputError {
  const t = performance.now();
  let out: Profile | InputError;
  try {
    out = fn();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    expect(e.file).toBe(file);
    out = e;
  }
  expect(performance.now() - t).toBeLessThan(1000);
  return out;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const STRINGS: Field[] = ["", "samples", "count", "main"].map((s) => [6, s]);
const TYPE: Field = [1, [[1, 1], [2, 2]]];

describe("empty, text and wrong-magic input", () => {
  it("empty file", () => {
    const e = inputError(() => readProfileData(new Uint8Array(0), "empty.pb", DEFAULT_LIMITS), "empty.pb");
    expect(e.detail).toMatch(/empty input file/);
  });

  it("a text file", () => {
    const text = new TextEncoder().encode("this is not a profile\nat all\n");
    const e = inputError(() => readProfileData(text, "notes.txt", DEFAULT_LIMITS), "notes.txt");
    expect(e.offset).toBeTypeOf("number");
  });

  it("INDEX.md of the corpus", () => {
    const f = join(PPROF, "INDEX.md");
    inputError(() => readProfileData(bytes(f), f, DEFAULT_LIMITS), f);
  });

  it("gzip with a bad second magic byte is not gzip, and not a profile either", () => {
    const bad = SAMPLE_GZ.slice();
    bad[1] = 0x8c;
    inputError(() => readProfileData(bad, "magic.pb.gz", DEFAULT_LIMITS), "magic.pb.gz");
  });

  it("gzip with a bad compression method", () => {
    const bad = SAMPLE_GZ.slice();
    bad[2] = 7;
    const e = inputError(() => readProfileData(bad, "method.pb.gz", DEFAULT_LIMITS), "method.pb.gz");
    expect(e.detail).toMatch(/gzip/);
  });
});

describe("truncated input", () => {
  const cuts = [1, 2, 3, 7, 20, 100, 500, 1000, 2000, 3000, SAMPLE_RAW.length - 100, SAMPLE_RAW.length - 2, SAMPLE_RAW.length - 1];

  it.each(cuts)("raw proto cut to %i bytes", (n) => {
    const e = inputError(() => decodeProfile(SAMPLE_RAW.subarray(0, n), "cut.pb"), "cut.pb");
    expect(e.offset).toBeTypeOf("number");
    expect(e.offset!).toBeGreaterThanOrEqual(0);
    expect(e.offset!).toBeLessThanOrEqual(n);
  });

  it.each([1, 2, 5, 10, 11, 30, 200, 1000, SAMPLE_GZ.length - 8, SAMPLE_GZ.length - 1])("gzip cut to %i bytes", (n) => {
    inputError(() => readProfileData(SAMPLE_GZ.subarray(0, n), "cut.pb.gz", DEFAULT_LIMITS), "cut.pb.gz");
  });

  it("every cut of a small profile fails cleanly", () => {
    const raw = new Uint8Array(gunzipSync(bytes(HEAP)));
    for (let n = 1; n < raw.length; n++) decodesOrInputError(() => decodeProfile(raw.subarray(0, n), "heap-cut.pb"), "heap-cut.pb");
  });

  it("a truncated gzip says so", () => {
    const e = inputError(() => maybeGunzip(SAMPLE_GZ.subarray(0, SAMPLE_GZ.length - 4), "t.gz", DEFAULT_LIMITS), "t.gz");
    expect(e.detail).toMatch(/truncated gzip/);
  });
});

describe("bit flips", () => {
  // deterministic positions: a simple LCG
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };

  it("in the raw proto: decodes or fails with InputError, never anything else", () => {
    let failures = 0;
    for (let i = 0; i < 400; i++) {
      const data = SAMPLE_RAW.slice();
      const pos = rand(data.length);
      data[pos] ^= 1 << rand(8);
      if (decodesOrInputError(() => decodeProfile(data, "flip.pb"), "flip.pb") instanceof InputError) failures++;
    }
    expect(failures).toBeGreaterThan(0);
  });

  it("in the gzip stream: CRC or inflate errors are InputErrors", () => {
    for (let i = 0; i < 100; i++) {
      const data = SAMPLE_GZ.slice();
      data[10 + rand(data.length - 10)] ^= 1 << rand(8);
      decodesOrInputError(() => readProfileData(data, "flip.pb.gz", DEFAULT_LIMITS), "flip.pb.gz");
    }
  });

  it("trailing garbage after the gzip member is rejected, as Go does", () => {
    const e = inputError(() => maybeGunzip(cat(SAMPLE_GZ, new Uint8Array(16)), "trail.gz", DEFAULT_LIMITS), "trail.gz");
    expect(e.detail).toMatch(/trailing/);
  });

  it("concatenated gzip members are read as one stream, as Go does", () => {
    const half = SAMPLE_RAW.length >> 1;
    const two = cat(gzipSync(SAMPLE_RAW.subarray(0, half)), gzipSync(SAMPLE_RAW.subarray(half)));
    const p = readProfileData(two, "two.pb.gz", DEFAULT_LIMITS);
    expect(p.samples.length).toBe(decodeProfile(SAMPLE_RAW, "x").samples.length);
  });
});

describe("hostile lengths and varints", () => {
  it("a field claiming 2^31 bytes", () => {
    const data = new Uint8Array([0x0a, ...varint(2 ** 31), 1, 2, 3]);
    const e = inputError(() => decodeProfile(data, "huge.pb"), "huge.pb");
    expect(e.offset).toBe(0);
    expect(e.detail).toMatch(/field length 2147483648 runs past end of input/);
  });

  it("a nested field claiming 2^62 bytes", () => {
    const sample = new Uint8Array([0x12, ...varint(2n ** 62n), 0, 0]);
    const data = cat(pb([TYPE]), new Uint8Array([0x12, sample.length]), sample);
    const e = inputError(() => decodeProfile(data, "huge2.pb"), "huge2.pb");
    expect(e.offset).toBe(8);
  });

  it("a length past the enclosing message but within the file", () => {
    // sample of 3 bytes whose packed location field claims 10
    const data = cat(pb([TYPE]), new Uint8Array([0x12, 3, 0x0a, 10, 1]), pb(STRINGS));
    const e = inputError(() => decodeProfile(data, "nested.pb"), "nested.pb");
    expect(e.offset).toBe(8);
    expect(e.detail).toMatch(/enclosing message/);
  });

  it("a varint longer than 10 bytes", () => {
    const data = new Uint8Array([0x50, ...new Array(12).fill(0xff), 1]);
    const e = inputError(() => decodeProfile(data, "varint.pb"), "varint.pb");
    expect(e.detail).toMatch(/longer than 10 bytes/);
    expect(e.offset).toBe(1);
  });

  it("groups and invalid wire types", () => {
    for (const wire of [3, 4, 6, 7]) {
      const e = inputError(() => decodeProfile(new Uint8Array([(16 << 3) | wire, 1, 0x01]), "wire.pb"), "wire.pb");
      expect(e.detail).toMatch(/wire type/);
    }
  });

  it("a known field with the wrong wire type", () => {
    const data = cat(pb(STRINGS), new Uint8Array([0x08, 0x01]));
    const e = inputError(() => decodeProfile(data, "mismatch.pb"), "mismatch.pb");
    expect(e.detail).toMatch(/field 1: wrong wire type 0/);
  });

  it("a million sample types times a million samples does not allocate their product", () => {
    const n = 1 << 20;
    const data = new Uint8Array(4 * n + 2);
    for (let i = 0; i < n; i++) {
      data.set([0x0a, 0], 2 * i); // empty sample_type
      data.set([0x12, 0], 2 * n + 2 * i); // empty sample
    }
    data.set([0x32, 0], 4 * n); // string_table[0] = ""
    const e = inputError(() => decodeProfile(data, "product.pb"), "product.pb");
    expect(e.detail).toBe(`sample has 0 values but the profile has ${n} sample types`);
    expect(e.offset).toBe(2 * n);
  });

  it("input larger than maxInputBytes", () => {
    const limits: ReadLimits = { ...DEFAULT_LIMITS, maxInputBytes: 1000 };
    const e = inputError(() => readProfileData(SAMPLE_GZ, "big.pb.gz", limits), "big.pb.gz");
    expect(e.detail).toMatch(/exceeds 1000 bytes/);
  });
});

describe("gzip bomb", () => {
  // 64 MiB of zeros compresses to ~64 KiB: a small stand-in for a multi-GB bomb.
  const bomb = new Uint8Array(gzipSync(Buffer.alloc(64 << 20), { level: 1 }));

  it("fails fast against a small decompression limit", () => {
    const limits: ReadLimits = { ...DEFAULT_LIMITS, maxDecompressedBytes: 1 << 20 };
    const e = inputError(() => readProfileData(bomb, "bomb.pb.gz", limits), "bomb.pb.gz");
    expect(e.detail).toBe("decompressed size exceeds 1048576 bytes (raise with --max_decompressed)");
  });

  it("the limit is what stops it, not the input size", () => {
    expect(bomb.length).toBeLessThan(1 << 20);
    const e = inputError(() => maybeGunzip(bomb, "bomb.gz", { ...DEFAULT_LIMITS, maxDecompressedBytes: (64 << 20) - 1 }), "bomb.gz");
    expect(e.detail).toMatch(/exceeds 67108863 bytes/);
    expect(maybeGunzip(bomb, "bomb.gz", { ...DEFAULT_LIMITS, maxDecompressedBytes: 64 << 20 }).length).toBe(64 << 20);
  });

  it("with the default limits it inflates, then fails at the first byte", () => {
    expect(DEFAULT_LIMITS.maxDecompressedBytes).toBeGreaterThan(64 << 20);
    const e = inputError(() => readProfileData(bomb, "bomb.pb.gz", DEFAULT_LIMITS), "bomb.pb.gz");
    // all-zero bytes are field-0 varints: invalid protobuf (pprof would skip them all)
    expect(e.detail).toMatch(/invalid field number 0/);
    expect(e.offset).toBe(0);
  });
});

describe("validation like pprof's postDecode and CheckValid", () => {
  it("string index out of range, at the offending field", () => {
    const head = pb([TYPE, [2, [[2, 1]]]]);
    const fn = pb([[5, [[1, 1], [2, 99]]]]);
    const data = cat(head, fn, pb(STRINGS));
    const e = inputError(() => decodeProfile(data, "str.pb"), "str.pb");
    expect(e.detail).toBe("string index 99 out of range (string table has 4 entries)");
    expect(e.offset).toBe(head.length + 4); // tag 5, len, [tag 1, 1], then tag 2
  });

  it("negative string index", () => {
    const data = pb([TYPE, [7, -1], ...STRINGS]);
    const e = inputError(() => decodeProfile(data, "neg.pb"), "neg.pb");
    expect(e.detail).toMatch(/negative string index -1/);
    expect(e.offset).toBe(6);
  });

  it("sample referencing an unknown location id, at the id", () => {
    const head = pb([TYPE]);
    const data = cat(head, pb([[2, [[1, new Uint8Array([1, 2, 9])], [2, 1]]], [4, [[1, 1]]], [4, [[1, 2]]], ...STRINGS]));
    const e = inputError(() => decodeProfile(data, "loc.pb"), "loc.pb");
    expect(e.detail).toBe("sample references unknown location id 9");
    expect(e.offset).toBe(head.length + 6); // sample tag, len, field tag, len, 1, 2, -> 9
  });

  it("location id 0 in a sample", () => {
    const data = pb([TYPE, [2, [[1, 0], [2, 1]]], ...STRINGS]);
    expect(inputError(() => decodeProfile(data, "loc0.pb"), "loc0.pb").detail).toMatch(/unknown location id 0/);
  });

  it("location line with an unknown function id, and with none", () => {
    const head = pb([TYPE, [5, [[1, 1]]]]);
    const loc = pb([[4, [[1, 1], [4, [[1, 1]]], [4, [[2, 3], [1, 7]]]]]]);
    const e = inputError(() => decodeProfile(cat(head, loc, pb(STRINGS)), "fn.pb"), "fn.pb");
    expect(e.detail).toBe("location 1: line references unknown function id 7");
    expect(e.offset).toBe(head.length + 12); // loc tag, len, id (2), line 1 (4), line 2 tag, len, line (2), then the id
    const loc0 = pb([[4, [[1, 1], [4, [[2, 3]]]]]]);
    const e0 = inputError(() => decodeProfile(cat(head, loc0, pb(STRINGS)), "fn0.pb"), "fn0.pb");
    expect(e0.detail).toBe("location 1: line without a function id");
    expect(e0.offset).toBe(head.length + 4);
  });

  it("value count different from the sample type count", () => {
    const head = pb([TYPE, [2, [[2, 1]]]]);
    const data = cat(head, pb([[2, [[2, 1], [2, 2]]], ...STRINGS]));
    const e = inputError(() => decodeProfile(data, "values.pb"), "values.pb");
    expect(e.detail).toBe("sample has 2 values but the profile has 1 sample types");
    expect(e.offset).toBe(head.length);
    const first = pb([TYPE, TYPE, [2, [[2, 1]]], [2, [[2, 1]]], ...STRINGS]);
    expect(inputError(() => decodeProfile(first, "v0.pb"), "v0.pb").offset).toBe(12);
  });

  it("samples without sample types", () => {
    const data = pb([[2, [[2, 1]]], ...STRINGS]);
    expect(inputError(() => decodeProfile(data, "notypes.pb"), "notypes.pb").detail).toBe("missing sample type information");
  });

  it("duplicate and zero ids", () => {
    const head = pb([TYPE, [4, [[1, 5]]]]);
    const dup = inputError(() => decodeProfile(cat(head, pb([[4, [[1, 5]]], ...STRINGS])), "dup.pb"), "dup.pb");
    expect(dup.detail).toBe("multiple locations with id 5");
    expect(dup.offset).toBe(head.length);
    const zf = inputError(() => decodeProfile(cat(head, pb([[5, [[2, 1]]], ...STRINGS])), "zf.pb"), "zf.pb");
    expect(zf.detail).toBe("function with reserved id 0");
    expect(zf.offset).toBe(head.length);
    const dm = inputError(() => decodeProfile(pb([[3, [[1, 2]]], [3, [[1, 2]]], ...STRINGS]), "dm.pb"), "dm.pb");
    expect(dm.detail).toBe("multiple mappings with id 2");
    expect(dm.offset).toBe(4);
  });

  it("string_table[0] must be empty; a missing string table is malformed", () => {
    const e = inputError(() => decodeProfile(pb([[6, "x"], ...STRINGS]), "s0.pb"), "s0.pb");
    expect(e.detail).toMatch(/string_table\[0\]/);
    expect(e.offset).toBe(0);
    expect(inputError(() => decodeProfile(pb([TYPE]), "nostr.pb"), "nostr.pb").detail).toMatch(/no string table/);
  });

  it("concatenated profiles (time_nanos twice)", () => {
    const one = pb([[9, 1000], ...STRINGS]);
    const e = inputError(() => decodeProfile(cat(one, one), "concat.pb"), "concat.pb");
    expect(e.detail).toMatch(/concatenated profiles/);
    expect(e.offset).toBe(one.length);
  });

  it("an unknown mapping id leaves the location without a mapping, as in pprof", () => {
    const p = decodeProfile(pb([TYPE, [4, [[1, 1], [2, 42]]], ...STRINGS]), "map.pb");
    expect(Array.from(p.locations.mapping)).toEqual([-1]);
  });
});
