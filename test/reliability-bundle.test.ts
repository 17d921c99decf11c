// Issue 20, untrusted bundle directories: a manifest entry is read only when its
// real path (symlinks resolved) lies inside the real bundle directory; an outside
// file is never read nor quoted; a file listed many times is read once; a damaged
// manifest does not hide intact files.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openBundle } from "../src/bundle/read.js";
import { bundleMember } from "../src/bundle/paths.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { ROOT, runCli } from "./helpers/run.js";

const LIMITS = { ...DEFAULT_LIMITS, maxFiles: 1000 };
const CAPTURE = join(ROOT, "testdata/corpus/profilesvc/capture-go126-heavy");
const tmp = mkdtempSync(join(tmpdir(), "godiag-rel-bundle-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A secret outside every bundle: its text must never appear in any output. */
const SECRET_LINE = "TOP-SECRET-LINE do not print me";
const secret = join(tmp, "secret.txt");
writeFileSync(secret, `${SECRET_LINE}\nsecond line\n`);

/** A bundle dir `name` holding a gctrace log and a manifest listing `entries` (path, kind). */
function bundle(name: string, entries: Array<[string, string]>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const gctrace = readFileSync(join(CAPTURE, "stderr.txt"));
  writeFileSync(join(dir, "stderr.txt"), gctrace);
  const files = entries.map(([path, kind]) => ({ path, kind }));
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ godiag: 1, target: "http://127.0.0.1:1", captureTime: "2026-12-06T00:00:00Z", files }));
  return dir;
}

function expectNoSecret(out: string): void {
  expect(out).not.toContain("TOP-SECRET");
}

describe("manifest paths stay inside the bundle", () => {
  it("gc DIR: a ../ entry is refused by name, its content never read or printed (was: first line quoted)", () => {
    const dir = bundle("dotdot", [["stderr.txt", "gctrace"], ["../secret.txt", "gctrace"]]);
    const r = runCli(["gc", dir]);
    expectNoSecret(r.stdout + r.stderr);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain('entry "../secret.txt" leaves the bundle directory');
  });

  it("gc DIR: a symlink listed in the manifest that points outside is refused", () => {
    const dir = bundle("symlink-gc", [["stderr.txt", "gctrace"], ["link.txt", "gctrace"]]);
    symlinkSync(secret, join(dir, "link.txt"));
    const r = runCli(["gc", dir]);
    expectNoSecret(r.stdout + r.stderr);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('entry "link.txt" leaves the bundle directory');
  });

  it("diagnose: a sibling directory sharing the bundle's name as prefix is outside (was: read)", async () => {
    const dir = bundle("cap", [["stderr.txt", "gctrace"], ["../cap-evil/cpu.pb.gz", "cpu"]]);
    mkdirSync(join(tmp, "cap-evil"));
    cpSync(join(CAPTURE, "cpu.pb.gz"), join(tmp, "cap-evil/cpu.pb.gz"));
    const b = await openBundle([dir], LIMITS);
    expect(b.files.map((f) => f.path)).toEqual([join(dir, "stderr.txt")]);
    expect(b.warnings).toContain(`${join(dir, "manifest.json")}: entry "../cap-evil/cpu.pb.gz" leaves the bundle directory; ignored`);
  });

  it("diagnose: symlinks out of the bundle are read neither from the manifest nor as loose files", async () => {
    const dir = bundle("symlink-diag", [["stderr.txt", "gctrace"], ["listed.txt", "gctrace"]]);
    symlinkSync(secret, join(dir, "listed.txt"));
    symlinkSync(secret, join(dir, "loose.txt"));
    const b = await openBundle([dir], LIMITS);
    expect(b.files.map((f) => f.path)).toEqual([join(dir, "stderr.txt")]);
    for (const w of b.warnings) expectNoSecret(w);
    const r = runCli(["diagnose", dir]);
    expectNoSecret(r.stdout + r.stderr);
  });

  it("bundleMember: inside, outside, prefix sibling, missing", () => {
    const dir = bundle("member", []);
    expect(bundleMember(dir, "stderr.txt")).toEqual({ ok: true, abs: join(dir, "stderr.txt") });
    expect(bundleMember(dir, "../secret.txt")).toEqual({ ok: false, why: "outside" });
    expect(bundleMember(dir, "/etc/passwd")).toEqual({ ok: false, why: "outside" });
    expect(bundleMember(dir, "../member-x/a")).toEqual({ ok: false, why: "outside" });
    expect(bundleMember(dir, "nope.txt")).toEqual({ ok: false, why: "missing" });
    expect(bundleMember(dir, ".")).toEqual({ ok: false, why: "outside" });
  });
});

describe("each file is read once", () => {
  it("a manifest listing one file 40 times yields one bundle file (was: read 40 times, 5.3 GB for 50 MB)", async () => {
    const dir = bundle("repeated", Array.from({ length: 40 }, (): [string, string] => ["stderr.txt", "gctrace"]));
    const b = await openBundle([dir], LIMITS);
    expect(b.files).toHaveLength(1);
    // The same file under another spelling is the same file.
    const dir2 = bundle("respelled", [["stderr.txt", "gctrace"], ["./stderr.txt", "gctrace"], ["x/../stderr.txt", "gctrace"]]);
    expect((await openBundle([dir2], LIMITS)).files).toHaveLength(1);
  });
});

describe("a damaged manifest does not hide intact files", () => {
  it("a 0-byte manifest.json (capture hit a full disk): files read by content, a warning names the manifest (was: refused)", () => {
    const dir = join(tmp, "zero-manifest");
    cpSync(CAPTURE, dir, { recursive: true });
    writeFileSync(join(dir, "manifest.json"), "");
    const r = runCli(["diagnose", "--json", dir]);
    expect([0, 1, 3]).toContain(r.code);
    const j = JSON.parse(r.stdout) as { inputs?: unknown; warnings?: string[] };
    expect(JSON.stringify(j)).toContain("cpu.pb.gz");
    expect(r.stdout + r.stderr).toContain("manifest.json");
    // The same capture with its manifest gives the same findings: the files were all used.
    const whole = runCli(["diagnose", "--json", CAPTURE]);
    const ids = (s: string) => (JSON.parse(s) as { findings: Array<{ id: string }> }).findings.map((f) => f.id).sort();
    expect(ids(r.stdout)).toEqual(ids(whole.stdout));
  }, 60_000);

  it("a manifest alone and damaged is still the error (nothing else to read)", () => {
    const dir = join(tmp, "only-bad-manifest");
    mkdirSync(dir);
    writeFileSync(join(dir, "manifest.json"), '{"godiag": 1, "files": 3}');
    const r = runCli(["diagnose", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/manifest\.json: invalid manifest at/);
  });
});
