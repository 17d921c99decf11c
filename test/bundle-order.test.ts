// Loose files as users have them (curl'd by hand, any names, no manifest, mtimes a
// copy or a checkout reset): every corpus file is recognised, snapshots of a kind come
// out oldest first by what their content proves, with the interval and its source,
// `goroutines --diff` agrees with `diagnose`, and cumulative block/mutex profiles are
// judged over the process' uptime when the files prove it.
//
// testdata/corpus/index.json records how and when each file was fetched: it is used
// here only to CHECK the inference, never as an input. test/data/waits-go126/ is a
// real capture of test/data/waitsvc (goroutines blocked for minutes, so the dumps
// print wait minutes; test/data/waits-go126.json has its fetch times).

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dumpFactsOf, dumpTimestamp, nameStamp, openBundle, seriesOf, type Bundle, type BundleFile } from "../src/bundle/index.js";
import { DEFAULT_LIMITS } from "../src/core/input/index.js";
import { DiagnoseContext } from "../src/diagnose/context.js";
import { ROOT, runCli } from "./helpers/run.js";

const CORPUS = join(ROOT, "testdata/corpus");
const WAITS = join(ROOT, "test/data/waits-go126");
const TMP = join(ROOT, "test-output/bundle-order");
const LIMITS = { ...DEFAULT_LIMITS, maxFiles: 1000 };

interface IndexFile {
  name: string;
  kind: string;
  startedAt?: string;
  endedAt?: string;
}
interface Variant {
  service: string;
  variant: string;
  status: string;
  startedAt: string;
  capturedWith: string;
  files: IndexFile[];
  load: { env?: { GODEBUG?: string } };
}

const index = JSON.parse(readFileSync(join(CORPUS, "index.json"), "utf8")) as { variants: Variant[] };
const variants = index.variants.filter((v) => v.status === "ok" && existsSync(join(CORPUS, v.service, v.variant)));
const waitsTimes = JSON.parse(readFileSync(join(ROOT, "test/data/waits-go126.json"), "utf8")) as { processStartedAt: string; files: Record<string, string> };

const base = (p: string) => p.split("/").pop()!;
const ms = (s: string) => Date.parse(s);
const dumpsOf = (v: Variant) => v.files.filter((f) => f.kind === "goroutine-debug2").sort((a, b) => ms(a.startedAt!) - ms(b.startedAt!));
const open = (dir: string): Promise<Bundle> => openBundle([dir], LIMITS);
/** The service ran with GODEBUG=gctrace=1 (every variant but curl-go126-plain): its log is a gctrace log. */
const withGctrace = (v: Variant) => /gctrace=1/.test(v.load.env?.GODEBUG ?? "");

/** A scratch copy of some files of a directory, renamed, with chosen mtimes (seconds since 1970). */
function scratch(name: string, from: string, files: Array<[string, string, number?]>): string {
  const dir = join(TMP, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const now = Date.now() / 1000;
  for (const [src, dst, mtime] of files) {
    copyFileSync(join(from, src), join(dir, dst));
    utimesSync(join(dir, dst), mtime ?? now, mtime ?? now);
  }
  return dir;
}

describe("every corpus file is recognised (Go 1.19 and 1.26, curl and godiag capture)", () => {
  it.each(variants.map((v) => [`${v.service}/${v.variant}`, v] as const))("%s", async (_name, v) => {
    const b = await open(join(CORPUS, v.service, v.variant));
    const onDisk = readdirSync(join(CORPUS, v.service, v.variant)).filter((n) => n !== "manifest.json");
    const got = new Map(b.files.map((f) => [base(f.path), f.kind]));
    // Without gctrace the service's log is its own lines only: no Go input, skipped with a warning.
    const plainLog = withGctrace(v) ? undefined : v.files.find((f) => f.kind === "log")?.name;
    for (const n of onDisk) if (n !== plainLog) expect(got.get(n), n).toBeDefined();
    for (const f of v.files) {
      if (f.kind === "manifest") continue; // not data: the bundle's description
      // index.json kinds are what was fetched; "log" is the service's output with gctrace lines.
      expect(got.get(f.name), `${f.name} (${f.kind})`).toBe(f.kind === "log" ? (plainLog ? undefined : "gctrace") : f.kind);
    }
    expect(b.files.every((f) => f.kind !== "other")).toBe(true);
    // The only warnings: files a capture's manifest lists but could not fetch, and the plain log.
    for (const w of b.warnings) expect(w).toMatch(plainLog ? new RegExp(`listed in the manifest but missing|${plainLog}: not recognised as a Go profile, dump or log; skipped`) : /listed in the manifest but missing/);
    if (plainLog) expect(b.warnings.filter((w) => w.includes(`${plainLog}: not recognised`))).toHaveLength(1);
  });
});

describe("snapshots of one kind, oldest first, by what they prove", () => {
  const twoDumps = variants.filter((v) => dumpsOf(v).length >= 2);

  it("every two-dump variant: order as fetched; the interval, when given, is right; times agree with it", async () => {
    expect(twoDumps.length).toBeGreaterThan(60);
    const sources = new Map<string, number>();
    for (const v of twoDumps) {
      const b = await open(join(CORPUS, v.service, v.variant));
      const files = b.files.filter((f) => f.kind === "goroutine-debug2");
      const want = dumpsOf(v);
      expect(files.map((f) => base(f.path)), `${v.service}/${v.variant}`).toEqual(want.map((f) => f.name));
      const s = seriesOf(files);
      // A capture's manifest orders its dumps; loose curl'd dumps are ordered by their goroutines, not their names.
      expect(s.order).toBe(v.capturedWith === "curl" ? "content" : "manifest");
      const truth = (ms(want[want.length - 1]!.startedAt!) - ms(want[0]!.startedAt!)) / 1000;
      const span = (ms(files[files.length - 1]!.time) - ms(files[0]!.time)) / 1000;
      if (s.interval) {
        // unix-second names: within their resolution; the manifest: exact
        expect(Math.abs(s.interval.seconds - truth), `${v.service}/${v.variant} ${s.interval.detail}`).toBeLessThanOrEqual(s.interval.source === "manifest" ? 0.01 : 1.2);
        // File times are RFC 3339 strings with millisecond resolution: each end of the
        // span rounds by up to 0.5 ms, so they agree with the exact interval within 1 ms.
        expect(Math.abs(span - s.interval.seconds)).toBeLessThanOrEqual(0.001 + 1e-9);
        sources.set(s.interval.source, (sources.get(s.interval.source) ?? 0) + 1);
      } else {
        // Checkout mtimes a few ms apart must not pass for an interval (rates per minute over 2 ms).
        expect(span).toBe(0);
        sources.set("unknown", (sources.get("unknown") ?? 0) + 1);
      }
    }
    expect(sources.get("manifest")).toBeGreaterThan(15);
    expect(sources.get("name")).toBeGreaterThan(8);
  });

  it("content beats misleading names and mtimes", async () => {
    // Real dumps 5 s apart, renamed the wrong way round and given the wrong mtimes.
    const v = variants.find((x) => x.service === "taxgate" && x.variant === "curl-go119-heavy")!;
    const [first, second] = dumpsOf(v);
    const dir = scratch("swapped", join(CORPUS, v.service, v.variant), [
      [first!.name, "stacks-2.txt", 1_800_000_100],
      [second!.name, "stacks-1.txt", 1_800_000_000],
    ]);
    const b = await open(dir);
    const files = b.files.filter((f) => f.kind === "goroutine-debug2");
    expect(files.map((f) => base(f.path))).toEqual(["stacks-2.txt", "stacks-1.txt"]);
    expect(files[1]!.sincePrevious).toMatchObject({ order: "content" });
    expect(files[1]!.sincePrevious!.orderDetail).toMatch(/only in stacks-1\.txt have higher ids/);
    // mtimes contradict the content: no interval from them, and equal times
    expect(files[1]!.sincePrevious!.interval).toBeUndefined();
    expect(files[0]!.time).toBe(files[1]!.time);
  });

  it("unix-time names that contradict the content give no interval", async () => {
    const v = variants.find((x) => x.service === "bulkimport" && x.variant === "curl-go126-light")!;
    const [first, second] = dumpsOf(v);
    const dir = scratch("swapped-unix", join(CORPUS, v.service, v.variant), [
      [first!.name, second!.name],
      [second!.name, first!.name],
    ]);
    const files = (await open(dir)).files.filter((f) => f.kind === "goroutine-debug2");
    expect(files.map((f) => base(f.path))).toEqual([second!.name, first!.name]);
    expect(files[1]!.sincePrevious!.order).toBe("content");
    expect(files[1]!.sincePrevious!.interval).toBeUndefined();
  });

  it("mtimes as curl left them give the interval when nothing better does", async () => {
    const v = variants.find((x) => x.service === "dispatch" && x.variant === "curl-go126-light")!;
    const [first, second] = dumpsOf(v);
    const end = (f: IndexFile) => ms(f.endedAt!) / 1000;
    const dir = scratch("mtimes", join(CORPUS, v.service, v.variant), [
      [first!.name, "a.txt", end(first!)],
      [second!.name, "b.txt", end(second!)],
    ]);
    const files = (await open(dir)).files.filter((f) => f.kind === "goroutine-debug2");
    const iv = files[1]!.sincePrevious!.interval!;
    expect(iv.source).toBe("mtime");
    expect(iv.seconds).toBeCloseTo(end(second!) - end(first!), 2);
    expect(files.map((f) => f.timeSource)).toEqual(["mtime", "mtime"]);
  });

  it("profiles are timed by their TimeNanos", async () => {
    const v = variants.find((x) => x.service === "clicktrack" && x.variant === "curl-go126-light")!;
    const b = await open(join(CORPUS, v.service, v.variant));
    for (const f of b.files.filter((x) => x.profile !== undefined)) {
      expect(f.timeSource).toBe("proto");
      const fetched = ms(v.files.find((x) => x.name === base(f.path))!.startedAt!);
      // TimeNanos is when the runtime began writing (the CPU profile: when it started)
      expect(Math.abs(ms(f.time) - fetched), f.path).toBeLessThan(1000);
    }
  });

  it("wait minutes prove a lower bound of the interval, and the order", async () => {
    // Names that tell nothing, equal mtimes: only the dumps speak.
    const dir = scratch("waits", WAITS, [
      ["g2.txt", "x.txt", 1_800_000_000],
      ["g1.txt", "y.txt", 1_800_000_000],
    ]);
    const files = (await open(dir)).files.filter((f) => f.kind === "goroutine-debug2");
    expect(files.map((f) => base(f.path))).toEqual(["y.txt", "x.txt"]);
    const sp = files[1]!.sincePrevious!;
    expect(sp.order).toBe("content");
    expect(sp.orderDetail).toMatch(/the waits of 20 goroutines in both dumps grew from y\.txt to x\.txt/);
    const truth = (ms(waitsTimes.files["g2.txt"]!) - ms(waitsTimes.files["g1.txt"]!)) / 1000;
    expect(sp.interval).toMatchObject({ seconds: 60, source: "content", lowerBound: true });
    expect(sp.interval!.seconds).toBeLessThanOrEqual(truth);
    // The rule computes its interval from the times: they carry the bound.
    expect(ms(files[1]!.time) - ms(files[0]!.time)).toBe(60_000);
  });

  it("a name interval below what the waits prove is not believed", async () => {
    const dir = scratch("waits-names", WAITS, [
      ["g1.txt", "goroutines-1796526711.txt"],
      ["g2.txt", "goroutines-1796526716.txt"], // says 5 s; the waits prove more than 60
    ]);
    const files = (await open(dir)).files.filter((f) => f.kind === "goroutine-debug2");
    const iv = files[1]!.sincePrevious!.interval!;
    expect(iv).toMatchObject({ seconds: 60, source: "content", lowerBound: true });
    expect(iv.detail).toMatch(/timestamps in the file names .* say 5\.0 s, less than that/);
  });

  it("a dump's own timestamp: the log line before a SIGQUIT traceback (Go 1.26, gp=/m= headers)", async () => {
    const f = join(ROOT, "test/data/sigquit-go126.log");
    const raw = readFileSync(f);
    // Go's log package writes local time without a zone: good for differences, not as an absolute time
    expect(dumpTimestamp(raw)).toEqual({ ms: ms("2026-12-06T03:32:46Z"), zoned: false, text: "2026/12/06 03:32:46" });
    const facts = dumpFactsOf(raw);
    expect(facts.goroutines.get(1)).toEqual({ state: "IO wait", minutes: 0 });
    expect(facts.goroutines.size).toBe(raw.toString().split("\n").filter((l) => /^goroutine \d+ gp=/.test(l)).length);
    expect(facts.complete).toBe(true);
    expect(dumpFactsOf(raw.subarray(0, 9000)).complete).toBe(false);
    const b = await openBundle([f], LIMITS);
    expect(b.files[0]).toMatchObject({ kind: "goroutine-debug2", timeSource: "mtime" });
  });

  it("file names: unix seconds and ms, RFC 3339-like stamps, trailing counters", () => {
    expect(nameStamp("goroutines-1796524983.txt").time).toMatchObject({ ms: 1796524983000, zoned: true });
    expect(nameStamp("dump.1796524983123.txt").time).toMatchObject({ ms: 1796524983123 });
    expect(nameStamp("goroutine-2026-12-06T02-43-03Z.txt").time).toMatchObject({ ms: ms("2026-12-06T02:43:03Z"), zoned: true });
    expect(nameStamp("stacks_20261206-024303.txt").time).toMatchObject({ ms: ms("2026-12-06T02:43:03Z"), zoned: false });
    expect(nameStamp("goroutine.debug2.2.txt")).toEqual({ counter: { prefix: "goroutine.debug2.", n: 2 } });
    expect(nameStamp("g10.txt").counter).toEqual({ prefix: "g", n: 10 });
    expect(nameStamp("heap.pb.gz")).toEqual({});
  });
});

describe("goroutines --diff and diagnose agree", () => {
  // one test per variant: the corpus grows, and each CLI run has the whole timeout to itself
  for (const v of variants.filter((x) => dumpsOf(x).length === 2)) {
    it(`${v.service}/${v.variant}, given newest first: same order, interval and source; says it reordered`, async () => {
      const dir = join(CORPUS, v.service, v.variant);
      const files = (await open(dir)).files.filter((f) => f.kind === "goroutine-debug2");
      const s = seriesOf(files);
      const [a, b] = dumpsOf(v).map((f) => join(dir, f.name));
      const r = runCli(["goroutines", "--diff", "--json", b!, a!]);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect([j.before.source, j.after.source]).toEqual([a, b]);
      expect(j.order).toMatchObject({ source: s.order, reordered: true });
      expect(j.intervalSeconds).toBe(s.interval?.seconds ?? null);
      expect(j.intervalSource).toBe(s.interval?.source ?? null);
      expect(r.stderr).toMatch(/is the older snapshot/);
      // what the goroutine rule reads: first and last time
      const span = (ms(files[1]!.time) - ms(files[0]!.time)) / 1000;
      // millisecond-resolution file times against the exact interval (see above)
      expect(Math.abs(span - (j.intervalSeconds ?? 0))).toBeLessThanOrEqual(0.001 + 1e-9);
    });
  }

  it("the text header states the order and the interval's source", () => {
    const r = runCli(["goroutines", "--diff", join(WAITS, "g2.txt"), join(WAITS, "g1.txt")]);
    expect(r.code).toBe(0);
    const head = r.stdout.split("\n").slice(0, 8).join("\n").replace(/\n {2}(?![a-z]+ ?\(|before|after)/g, " ");
    expect(head).toMatch(/^goroutines: 25 → 45 \(\+20\) over at least 60\.0 s \(the dumps' content\)/);
    expect(head).toMatch(/before: .*g1\.txt/);
    expect(head).toMatch(/order \(content\): given newest first, reordered:/);
    expect(head).toMatch(/rates per minute are upper bounds/);
    const g = runCli(["goroutines", "--diff", "--interval", "2m", join(WAITS, "g1.txt"), join(WAITS, "g2.txt"), "--json"]);
    expect(JSON.parse(g.stdout)).toMatchObject({ intervalSeconds: 120, intervalSource: "flag", order: { source: "content", reordered: false } });
  });

  it("diagnose states the same interval in its goroutine evidence", () => {
    const r = runCli(["diagnose", "--json", WAITS]);
    const j = JSON.parse(r.stdout);
    const ev = j.findings.flatMap((f: { evidence: Array<{ kind: string; numbers: Record<string, number> }> }) => f.evidence).filter((e: { kind: string }) => /goroutine snapshots/.test(e.kind));
    expect(ev.length).toBeGreaterThan(0);
    for (const e of ev) expect(e.numbers.interval_seconds).toBe(60);
  });
});

describe("the process' uptime: the window of cumulative block and mutex profiles", () => {
  const byName = (b: Bundle, n: string): BundleFile => b.files.find((f) => base(f.path) === n)!;

  it("measured from MemStats GC end times and gctrace (waits capture)", async () => {
    const b = await open(WAITS);
    const ctx = new DiagnoseContext(b);
    const u = ctx.uptime()!;
    expect(u.quality).toBe("measured");
    expect(Math.abs(ms(u.started!) - ms(waitsTimes.processStartedAt))).toBeLessThan(100);
    const block = ctx.profile("block")!;
    expect(block.secondsBasis).toBe("uptime");
    const truth = (ms(waitsTimes.files["block"]!) - ms(waitsTimes.processStartedAt)) / 1000;
    expect(Math.abs(block.seconds! - truth)).toBeLessThan(0.1);
    expect(block.secondsSource).toMatch(/heap\.txt: gc 40 ended at .*app\.log: gc 40 began @200\.062s/);
    expect(ctx.profile("mutex")!.secondsBasis).toBe("uptime");
    // The CPU profile keeps its own window.
    expect(ctx.profile("cpu")!.seconds).toBeCloseTo(2, 1);
    expect(ctx.profile("cpu")!.secondsBasis).toBe("duration");
    expect(ctx.uptimeAt(byName(b, "block"))!.seconds).toBeCloseTo(block.seconds!, 6);
  });

  it("every curl variant with MemStats and gctrace: the block profile's window is its uptime", async () => {
    let measured = 0;
    for (const v of variants.filter((x) => x.capturedWith === "curl" && withGctrace(x))) {
      const ctx = new DiagnoseContext(await open(join(CORPUS, v.service, v.variant)));
      const block = ctx.profile("block");
      if (!block) continue;
      const fetched = ms(v.files.find((f) => f.name === base(block.file.path))!.startedAt!);
      const truth = (fetched - ms(v.startedAt)) / 1000;
      if (block.seconds !== undefined) {
        measured++;
        expect(block.secondsBasis).toBe("uptime");
        expect(Math.abs(block.seconds - truth), `${v.service}/${v.variant}`).toBeLessThan(0.25);
        expect(ctx.files("heap-debug1").length + ctx.files("expvar").length).toBeGreaterThan(0);
      } else {
        // No MemStats to date the gctrace: the window is not known; uptime() still says what the log proves.
        expect(ctx.files("heap-debug1").length + ctx.files("expvar").length, `${v.service}/${v.variant}`).toBe(0);
        expect(ctx.uptime()).toMatchObject({ quality: "lower-bound" });
        expect(ctx.uptime()!.source).toMatch(/its last gctrace line, gc \d+ @/);
        expect(ctx.uptime()!.at).toBeUndefined();
      }
    }
    expect(measured).toBeGreaterThan(12);
  });

  it("without MemStats, dumps dated by their names give a lower bound moved to the block profile's time", async () => {
    const name = (f: string) => `goroutines-${Math.floor(ms(waitsTimes.files[f]!) / 1000)}.txt`;
    const dir = scratch("uptime-lower-bound", WAITS, [
      ["g1.txt", name("g1.txt")],
      ["g2.txt", name("g2.txt")],
      ["block", "block"],
      ["mutex", "mutex"],
      ["app.log", "app.log"],
    ]);
    const ctx = new DiagnoseContext(await open(dir));
    const block = ctx.profile("block")!;
    expect(block.seconds).toBeUndefined();
    expect(block.secondsBasis).toBe("uptime-lower-bound");
    const truth = (ms(waitsTimes.files["block"]!) - ms(waitsTimes.processStartedAt)) / 1000;
    // The second dump's 3-minute waits, taken just before the block profile, or the first dump's
    // 1-minute waits two minutes earlier (moved by the names' times): whichever says more.
    expect(block.secondsAtLeast!).toBeGreaterThanOrEqual(180);
    expect(block.secondsAtLeast!).toBeLessThanOrEqual(truth);
    expect(block.secondsSource).toMatch(/goroutines-\d+\.txt: goroutine \d+ has waited \d minutes \+ \d+\.\d s to .*block/);
    // overall: the log's last gctrace line says more, but not when
    expect(ctx.uptime()).toMatchObject({ quality: "lower-bound" });
    expect(ctx.uptime()!.seconds).toBeGreaterThan(200);
  });

  it("nothing proves a window: seconds stays undefined", async () => {
    const dir = scratch("no-window", WAITS, [["block", "block"], ["mutex", "mutex"]]);
    const ctx = new DiagnoseContext(await open(dir));
    expect(ctx.uptime()).toBeUndefined();
    expect(ctx.profile("block")!.seconds).toBeUndefined();
    expect(ctx.profile("block")!.secondsAtLeast).toBeUndefined();
  });
});
