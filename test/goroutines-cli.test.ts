// `godiag goroutines` as users run it: text and JSON, --diff, and bad input
// (one-line error naming the file and exit code 2, or a partial result with a
// warning; never a crash or a hang).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, ROOT, runCli } from "./helpers/run.js";

const CAP = join(ROOT, "testdata/captures");
const TMP = join(ROOT, "test-output/goroutines-cli");
mkdirSync(TMP, { recursive: true });

describe("godiag goroutines", () => {
  it("text report fits 100 columns and names the leak", () => {
    const r = runCli(["goroutines", join(CAP, "leakserver/goroutine.debug2.2.txt")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/#1 {2}\d+ × chan:send \[chan send\]/);
    expect(r.stdout).toMatch(/\* main\.notifyAudit/);
    for (const l of r.stdout.split("\n")) expect(l.length).toBeLessThanOrEqual(100);
  });

  it("--json: total, buckets and suspects per docs/JSON.md", () => {
    const f = join(CAP, "leakserver/goroutine.debug2.2.txt");
    const total = readFileSync(f, "utf8").split("\n").filter((l) => /^goroutine \d+ \[/.test(l)).length;
    const r = runCli(["goroutines", "--json", f]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.report).toBe("goroutines");
    expect(j.total).toBe(total);
    expect(j.buckets.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(total);
    expect(j.buckets[0].frames[0]).toMatchObject({ func: "main.notifyAudit", origin: "user" });
  });

  it("--diff of a bundle's snapshots takes the interval from manifest.json", () => {
    const r = runCli(["goroutines", "--json", "--diff", join(CAP, "notimeout/goroutine.debug2.1.txt"), join(CAP, "notimeout/goroutine.debug2.2.txt")]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const m = JSON.parse(readFileSync(join(CAP, "notimeout/manifest.json"), "utf8"));
    const t = (p: string) => Date.parse(m.files.find((x: { path: string }) => x.path === p).time);
    expect(j.intervalSeconds).toBeCloseTo((t("goroutine.debug2.2.txt") - t("goroutine.debug2.1.txt")) / 1000, 6);
    expect(j.suspects[0].kind).toBe("conn-serve-no-timeouts");
  });
});

describe("bad input", () => {
  const bad = (name: string, data: Buffer | string) => {
    const p = join(TMP, name);
    writeFileSync(p, data);
    return p;
  };

  it("binary junk: one-line error, exit 2", () => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) & 255;
    const p = bad("junk.bin", junk);
    const r = runCli(["goroutines", p]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(p);
  });

  it("text that is not a dump: one-line error naming the file", () => {
    const p = bad("notes.txt", "hello\nworld\n");
    const r = runCli(["goroutines", p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/notes\.txt: no goroutines found/);
  });

  it("truncated dump: partial result with a warning", () => {
    const text = readFileSync(join(CAP, "leakserver/goroutine.debug2.2.txt"), "utf8");
    // cut right after a function line, before its file line
    const cut = text.indexOf("main.notifyAudit(", text.length / 2);
    const p = bad("truncated.txt", text.slice(0, text.indexOf("\n", cut) + 1));
    const r = runCli(["goroutines", "--json", p]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const headers = text.slice(0, cut).split("\n").filter((l) => /^goroutine \d+ \[/.test(l)).length;
    expect(j.total).toBe(headers);
    expect(j.warnings.join("\n")).toMatch(/truncated/);
  });

  it("a 10 MB single line: clear error, quickly", () => {
    const p = bad("oneline.txt", "x".repeat(10 << 20));
    const t0 = Date.now();
    const r = runCli(["goroutines", p]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it("a 10 MB line inside a dump is skipped with a warning", () => {
    const text = readFileSync(join(CAP, "healthy/goroutine.debug2.2.txt"), "utf8");
    const p = bad("longline.txt", "y".repeat(10 << 20) + "\n\n" + text);
    const r = runCli(["goroutines", "--json", p]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.total).toBe(text.split("\n").filter((l) => /^goroutine \d+ \[/.test(l)).length);
    expect(j.warnings.join("\n")).toMatch(/line skipped/);
  });

  it("empty file and missing file", () => {
    expect(runCli(["goroutines", bad("empty.txt", "")]).code).toBe(2);
    const r = runCli(["goroutines", join(TMP, "nope.txt")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.txt: no such file/);
  });

  it("a non-goroutine profile is refused by name", () => {
    const r = runCli(["goroutines", join(CAP, "healthy/heap.pb.gz")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a goroutine dump/);
  });
  void CLI;
});
