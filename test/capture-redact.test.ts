// --redact: no original label value may survive anywhere in the bundle. The
// target (badtarget -labels) runs goroutines under pprof labels whose values
// look like personal data; the grep looks inside gunzipped profiles and every
// text file. A capture without --redact shows the same grep does find them.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeProfile } from "../src/core/codec/pprof-proto.js";
import { buildWorkload, startLive, stopAll, type Live } from "./helpers/live.js";
import { pprofBinary, runCli, runPprof } from "./helpers/run.js";

// The values badtarget's -labels sets (testdata/workloads/badtarget/main.go secretUsers).
const SECRETS = ["alice.smith@example.com", "bob-4111111111111111", "carol-ssn-078-05-1120"];

const tmp = mkdtempSync(join(tmpdir(), "godiag-redact-test-"));
let live: Live;

beforeAll(async () => {
  pprofBinary();
  live = await startLive(buildWorkload("badtarget"), ["-seconds", "60", "-labels"]);
}, 300_000);

afterAll(async () => {
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

/** Every file's content, gunzipped when gzip. */
function contents(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir)) {
    const raw = readFileSync(join(dir, f));
    const data = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
    out.set(f, data.toString("latin1"));
  }
  return out;
}

const found = (files: Map<string, string>) =>
  [...files].flatMap(([f, text]) => SECRETS.filter((s) => text.includes(s)).map((s) => `${f}: ${s}`));

describe("--redact", () => {
  it("without it, the label values are in the bundle (the grep can fail)", () => {
    const dir = join(tmp, "plain");
    const r = runCli(["capture", live.url, "-o", dir, "--seconds", "1", "--only", "cpu,goroutine", "--interval", "0"], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    const hits = found(contents(dir));
    for (const f of ["goroutine.pb.gz", "goroutine.debug1.txt"]) expect(hits.filter((h) => h.startsWith(f)).length, f).toBe(3);
  }, 30_000);

  it("with it, no file holds any of them; labels remain as stable tokens; pprof reads the profiles", () => {
    const dir = join(tmp, "redacted");
    const r = runCli(
      ["capture", live.url, "-o", dir, "--seconds", "1", "--interval", "1", "--redact", "--redact-regex", "[a-z0-9.]+@example\\.com", "--redact-key", "k1"],
      { timeoutMs: 30_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const files = contents(dir);
    expect(files.size).toBeGreaterThan(10);
    expect(found(files)).toEqual([]);
    // The labels are still there, as tokens: 3 users, each with 2 labels (user, tenant).
    const g = decodeProfile(gunzipSync(readFileSync(join(dir, "goroutine.pb.gz"))), "goroutine");
    const values = new Set<string>();
    for (let i = 0; i < g.labels.length; i++) if (g.labels.str[i] !== 0) values.add(g.str(g.labels.str[i]!));
    expect(values.size).toBe(6);
    for (const v of values) expect(v).toMatch(/^redacted-[0-9a-f]{12}$/);
    // Same value, same token, across files: the debug=1 text carries the proto's tokens.
    const text = files.get("goroutine.debug1.txt")!;
    for (const v of values) expect(text).toContain(`"${v}"`);
    // The CPU profile's labels (the labelled goroutines burn CPU) are tokens too.
    const cpu = decodeProfile(gunzipSync(readFileSync(join(dir, "cpu.pb.gz"))), "cpu");
    let cpuLabels = 0;
    for (let i = 0; i < cpu.labels.length; i++) {
      if (cpu.labels.str[i] === 0) continue;
      cpuLabels++;
      expect(values.has(cpu.str(cpu.labels.str[i]!))).toBe(true);
    }
    expect(cpuLabels).toBeGreaterThan(0);
    for (const f of ["cpu.pb.gz", "goroutine.pb.gz", "heap.pb.gz"]) {
      const p = runPprof(["-raw", join(dir, f)]);
      expect(p.code, p.stderr).toBe(0);
    }
    expect(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).env.redacted).toContain("given key");
  }, 30_000);
});

describe("godiag run --redact", () => {
  // badtarget -labels also logs the users on stderr, which run keeps as gctrace.log.
  const runRedact = (dir: string, redact: string[]) =>
    runCli(["run", "--seconds", "3", "--only", "goroutine", "-o", dir, ...redact, "--", buildWorkload("badtarget"), "-labels"], { timeoutMs: 40_000 });

  it("without it, the program's stderr log holds the values (the grep can fail)", () => {
    const dir = join(tmp, "run-plain");
    const r = runRedact(dir, []);
    expect(r.code, r.stderr).toBe(0);
    expect(found(new Map([["gctrace.log", readFileSync(join(dir, "gctrace.log"), "latin1")]]))).toHaveLength(3);
  }, 60_000);

  it("with it, neither the profiles nor the stderr log hold them, and the log uses the profiles' tokens", () => {
    const dir = join(tmp, "run-redacted");
    const r = runRedact(dir, ["--redact", "--redact-key", "k1"]);
    expect(r.code, r.stderr).toBe(0);
    const files = contents(dir);
    expect(files.has("gctrace.log")).toBe(true);
    expect(found(files)).toEqual([]);
    // The log's user= values became the same tokens the goroutine profile's labels carry.
    const g = decodeProfile(gunzipSync(readFileSync(join(dir, "goroutine.pb.gz"))), "goroutine");
    const tokens = new Set<string>();
    for (let i = 0; i < g.labels.length; i++) if (g.labels.str[i] !== 0) tokens.add(g.str(g.labels.str[i]!));
    const logged = [...files.get("gctrace.log")!.matchAll(/user=(\S+)/g)].map((m) => m[1]!);
    expect(logged).toHaveLength(3);
    for (const t of logged) expect(tokens.has(t), t).toBe(true);
    expect(JSON.parse(files.get("manifest.json")!).env.redacted).toContain("given key");
  }, 60_000);
});
