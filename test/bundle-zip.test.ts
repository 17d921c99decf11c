// A .zip of captured files, as people attach them to a ticket: made here with Info-ZIP's
// `zip` (the Debian package), read by diagnose as the folder it came from. Hostile ones:
// a name leaving the directory, a symlink, a bomb over the decompression cap.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "./helpers/run.js";

const HAVE_ZIP = spawnSync("zip", ["-v"]).status === 0;
const FOLDER = join(ROOT, "testdata/corpus/reportgen/curl-go119-heavy");
let dir = "";

function zip(cwd: string, out: string, args: string[]): void {
  const r = spawnSync("zip", ["-q", "-r", ...args, out, "."], { cwd, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
}

/** diagnose --json without the input's own name, which differs between folder and zip. */
function findings(input: string, extra: string[] = []): unknown {
  const r = runCli(["diagnose", "--json", ...extra, input]);
  expect(r.stderr).toBe("");
  const j = JSON.parse(r.stdout) as { findings: unknown[]; inputs: { kind: string }[] };
  // the exit code says how bad the top finding is (1: a warning)
  return { code: r.code, findings: JSON.parse(JSON.stringify(j.findings).replaceAll(input, "<in>")), kinds: j.inputs.map((x) => x.kind).sort() };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "godiag-zip-"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAVE_ZIP)("diagnose reads a .zip of a capture folder", () => {
  it("as the folder itself: the same findings from the same files", () => {
    const flat = join(dir, "flat.zip");
    zip(FOLDER, flat, []);
    // zipped with its folder (zip -r of the parent): the one top directory is the capture
    const parent = join(dir, "parent");
    cpSync(FOLDER, join(parent, "incident-42"), { recursive: true });
    const nested = join(dir, "nested.zip");
    const r = spawnSync("zip", ["-q", "-r", nested, "incident-42"], { cwd: parent });
    expect(r.status).toBe(0);
    const want = findings(FOLDER);
    expect(findings(flat)).toEqual(want);
    expect(findings(nested)).toEqual(want);
  });

  it("skips a symlink entry instead of following it", () => {
    const src = join(dir, "withlink");
    cpSync(FOLDER, src, { recursive: true });
    symlinkSync("/etc/passwd", join(src, "passwd.txt"));
    const out = join(dir, "withlink.zip");
    zip(src, out, ["-y"]); // -y: store the link itself
    const r = runCli(["diagnose", out]);
    expect(r.code, r.stderr).toBeLessThan(2);
    expect(r.stdout).toContain("Read: cpu");
    expect(r.stdout + r.stderr).not.toContain("passwd");
  });

  it("a bomb over the decompression cap: one line, exit 2", () => {
    const src = join(dir, "bomb");
    mkdirSync(src);
    writeFileSync(join(src, "cpu.prof"), Buffer.alloc(64 << 20)); // 64 MiB of zeros: ~64 KiB zipped
    const out = join(dir, "bomb.zip");
    zip(src, out, []);
    const r = runCli(["diagnose", "--max_decompressed", "16MiB", out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/bomb\.zip: archive expands beyond \d+ bytes/);
  });

  it("a damaged archive: one line naming it, exit 2", () => {
    const out = join(dir, "cut.zip");
    writeFileSync(out, "PK\x03\x04 not really a zip");
    const r = runCli(["diagnose", out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("cut.zip: not a readable zip archive");
  });
});
