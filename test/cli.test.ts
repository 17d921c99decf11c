// The command line as a user meets it: the README command, Go-style flags,
// --json, and one-line errors with exit code 2 for anything the user got wrong.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { readProfile } from "../src/api/profiles.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { ROOT, runCli } from "./helpers/run.js";

const CPU = join(ROOT, "testdata/profiles/cpubound/cpu.pb.gz");
const HEAP = join(ROOT, "testdata/profiles/allocheavy/heap.pb.gz");
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "godiag-cli-"));
});

function expectOneLineError(r: ReturnType<typeof runCli>, file: string) {
  expect(r.code).toBe(2);
  expect(r.signal).toBeNull();
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(file);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("godiag CLI", () => {
  it("runs the README's command", () => {
    const r = runCli(["top", CPU]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^File: /);
    expect(r.stdout).toContain("      flat  flat%   sum%        cum   cum%\n");
    expect(r.stdout).toContain("main.");
  });

  it("dot and list run from the command line with pprof's flags", () => {
    const dot = runCli(["dot", "-nodecount=5", "-call_tree", CPU]);
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph "cpubound" \{\n/);
    expect(dot.stdout).toContain("Showing top 5 nodes out of");
    const list = runCli(["list", "main\\.", CPU]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Total: \S+\nROUTINE =+ main\./);
  });

  it("accepts Go-style single-dash flags like go tool pprof", () => {
    const a = runCli(["top", "-sample_index=alloc_space", "-nodecount=3", HEAP]);
    const b = runCli(["top", "--sample_index", "alloc_space", "--nodecount", "3", HEAP]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain("Type: alloc_space");
  });

  it("--json gives raw integers that add up to the profile's own total", () => {
    const r = runCli(["top", "--json", CPU]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { total: number; unit: string; rows: { flat: number; cum: number }[] };
    // total computed independently from the decoded samples
    const p = readProfile(CPU, DEFAULT_LIMITS);
    const idx = p.sampleTypes.length - 1;
    let total = 0;
    for (let i = 0; i < p.samples.length; i++) total += Math.abs(p.sampleValue(i, idx));
    expect(doc.total).toBe(total);
    expect(doc.unit).toBe("nanoseconds");
    const flatSum = doc.rows.reduce((s, r) => s + r.flat, 0);
    expect(flatSum).toBeLessThanOrEqual(total);
    expect(Number.isInteger(doc.rows[0].flat)).toBe(true);
  });

  it("converts to folded stacks whose values add up to the total", () => {
    const r = runCli(["convert", "--to", "folded", CPU]);
    expect(r.code).toBe(0);
    const p = readProfile(CPU, DEFAULT_LIMITS);
    let total = 0;
    for (let i = 0; i < p.samples.length; i++) total += p.sampleValue(i, p.sampleTypes.length - 1);
    const sum = r.stdout
      .trim()
      .split("\n")
      .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    expect(sum).toBe(total);
    expect(r.stdout).toMatch(/^runtime\.[^ ;]+;/m); // root first
  });

  describe("bad input: one line naming the file, exit code 2", () => {
    it("missing file", () => {
      expectOneLineError(runCli(["top", join(tmp, "nope.pb.gz")]), "nope.pb.gz");
    });
    it("empty file", () => {
      const f = join(tmp, "empty.pb.gz");
      writeFileSync(f, "");
      expectOneLineError(runCli(["top", f]), f);
    });
    it("a text file", () => {
      const f = join(tmp, "notes.txt");
      writeFileSync(f, "this is not a profile\njust some notes\n");
      expectOneLineError(runCli(["top", f]), f);
    });
    it("truncated profile, with a byte offset", () => {
      const raw = gunzipSync(readFileSync(CPU));
      const f = join(tmp, "truncated.pb");
      writeFileSync(f, raw.subarray(0, Math.floor(raw.length / 2)));
      const r = runCli(["top", f]);
      expectOneLineError(r, f);
      expect(r.stderr).toMatch(/byte \d+/);
    });
    it("truncated gzip", () => {
      const gz = readFileSync(CPU);
      const f = join(tmp, "truncated.pb.gz");
      writeFileSync(f, gz.subarray(0, Math.floor(gz.length / 2)));
      expectOneLineError(runCli(["top", f]), f);
    });
    it("a directory", () => {
      expectOneLineError(runCli(["top", tmp]), tmp);
    });
    it("a bad regexp flag", () => {
      const r = runCli(["top", "--focus", "a(b", CPU]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^godiag: parsing focus regexp/);
    });
    it("list and dot: a bad or unmatched regexp is one line, exit 2", () => {
      const bad = runCli(["list", "a(b", CPU]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe("godiag: parsing argument regexp a(b: error parsing regexp: missing closing ): `a(b`\n");
      const none = runCli(["list", "no_such_function", CPU]);
      expect(none.code).toBe(2);
      expect(none.stderr).toBe("godiag: no matches found for regexp: no_such_function\n");
      const dot = runCli(["dot", "--focus", "a(b", CPU]);
      expect(dot.code).toBe(2);
      expect(dot.stderr.trim().split("\n")).toHaveLength(1);
    });
    it("an unknown sample index", () => {
      const r = runCli(["top", "--sample_index", "nope", CPU]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    });
  });
});
