// Fuzz targets: one per reader godiag exposes to untrusted input, each seeded from
// real files read in place (testdata/corpus, ../shared/corpus; never copied). A
// target's run may succeed or throw a typed error (InputError and friends: the
// one-line exit 2); anything else escaping is a crash.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { decodeProfile } from "../../src/core/codec/pprof-proto.js";
import { parseProfileData } from "../../src/core/codec/decode.js";
import { DecompressBudget, InputError, ReportError, UsageError, type ReadLimits } from "../../src/core/input/errors.js";
import { sniffKind } from "../../src/core/kinds/sniff.js";
import { parseGoroutineData } from "../../src/goroutines/read/dump.js";
import { parseGcTrace } from "../../src/gc/read/gctrace.js";
import { classifyGcInput } from "../../src/gc/read/inputs.js";
import { parseEscape } from "../../src/gc/read/escape.js";
import { BenchstatUsageError, DEFAULT_BENCHSTAT, renderBenchstatText, runBenchstat } from "../../src/bench/index.js";
import { openBundle } from "../../src/bundle/read.js";
import { analyzeTrace, readTraceBytes, type TraceReadOptions } from "../../src/trace/index.js";
import { ROOT, CORPUS as SHARED } from "../helpers/run.js";

/** Errors a reader may throw on bad input: each is a one-line exit 2 in the CLI. */
export function isTyped(e: unknown): boolean {
  return e instanceof InputError || e instanceof ReportError || e instanceof UsageError || e instanceof BenchstatUsageError;
}

export interface Target {
  name: string;
  seeds: Uint8Array[];
  run: (data: Uint8Array) => void | Promise<void>;
}

/** Seeds are kept small: throughput is what a million-input run needs (text seeds are cut at a line end). */
const MAX_SEED = 1 << 20;
const MAX_TEXT_SEED = 12 << 10;
const MAX_BINARY_SEED = 64 << 10;
const MAX_SEEDS = 48;

/** Files under dir whose name matches re, smallest first (fast inputs, many seeds). */
function find(dir: string, re: RegExp, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) find(p, re, out);
    else if (re.test(e) && st.size > 0 && st.size <= MAX_SEED) out.push(p);
  }
  return out;
}

/** The first MAX_TEXT_SEED bytes of a text file, ending at a line end; binary seeds whole or none. */
function trim(b: Uint8Array): Uint8Array | null {
  const binary = b.subarray(0, 512).some((c) => c === 0) || (b[0] === 0x1f && b[1] === 0x8b);
  if (binary) return b.length <= MAX_BINARY_SEED ? b : null;
  if (b.length <= MAX_TEXT_SEED) return b;
  const nl = b.lastIndexOf(10, MAX_TEXT_SEED);
  return b.subarray(0, nl > 0 ? nl + 1 : MAX_TEXT_SEED);
}

function seedsOf(paths: string[], transform: (b: Uint8Array) => Uint8Array = (b) => b): Uint8Array[] {
  const sorted = [...new Set(paths)].sort((a, b) => statSync(a).size - statSync(b).size);
  // Spread the picks over the size range: small and large files both.
  const step = Math.max(1, sorted.length / MAX_SEEDS);
  const picked: string[] = [];
  for (let i = 0; i < sorted.length && picked.length < MAX_SEEDS; i += step) picked.push(sorted[Math.floor(i)]!);
  return picked.map((p) => trim(transform(new Uint8Array(readFileSync(p))))).filter((b): b is Uint8Array => b !== null);
}

const TC = join(ROOT, "testdata/corpus");
const PPROF = join(SHARED, "google-pprof");
const gunzip = (b: Uint8Array) => new Uint8Array(gunzipSync(b));
const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");

/** Small caps, so a mutated size field is refused fast instead of allocating for long. */
function limits(): ReadLimits {
  return { maxInputBytes: 64 << 20, maxDecompressedBytes: 64 << 20, budget: new DecompressBudget(64 << 20) };
}

/** -gcflags=-m=2 output of a real program, from the machine's Go (cached in test-output/). */
function escapeSeeds(): Uint8Array[] {
  const cache = join(ROOT, "test-output/fuzz-escape-seed.txt");
  if (!existsSync(cache)) {
    mkdirSync(join(ROOT, "test-output"), { recursive: true });
    const r = spawnSync("go", ["build", "-gcflags=-m=2", "-o", "/dev/null", "./faults/gcpressure"], {
      cwd: join(ROOT, "testdata/workloads"),
      encoding: "utf8",
      timeout: 180_000,
      env: { ...process.env, GOFLAGS: "-mod=mod" },
    });
    if (r.status !== 0 || !/escapes to heap/.test(r.stderr)) return [];
    writeFileSync(cache, r.stderr);
  }
  const all = readFileSync(cache);
  // Whole output and a few slices of it (the whole is large; slices fuzz faster).
  const out: Uint8Array[] = [];
  for (let i = 0; i < all.length && out.length < 32; i += 8 << 10) out.push(new Uint8Array(all.subarray(i, Math.min(all.length, i + (8 << 10)))));
  return out;
}

const BENCH_OTHER = join(SHARED, "benchstat/crc-new.txt");

let bundleDir: string | undefined;
function bundleScratch(): string {
  if (bundleDir === undefined) {
    bundleDir = mkdtempSync(join(tmpdir(), "godiag-fuzz-bundle-"));
    writeFileSync(join(bundleDir, "stderr.txt"), readFileSync(join(TC, "profilesvc/capture-go126-heavy/stderr.txt")));
  }
  return bundleDir;
}

export function buildTargets(): Target[] {
  const protoGz = find(TC, /\.pb\.gz$/);
  const legacy = [...find(join(PPROF, "profile/testdata"), /^(cppbench|gobench|go\.|java\.)[^.]*(\.[a-z]+)?$/), ...find(TC, /^heap\.debug1\.txt$/), ...find(TC, /\.prof$/)];
  const dumps = [...find(TC, /debug2.*\.txt$|^goroutine-dump-\d+\.txt$|^g\d+\.txt$/), ...find(TC, /^goroutines?[.-]debug1\.txt$/), ...find(join(SHARED, "goleak"), /\.txt$/)];
  const gctraces = [...find(TC, /^(stderr\.txt|gctrace\.log)$/)];
  const gcInputs = [...find(TC, /^vars\.json$/), ...find(TC, /^heap\.debug1\.txt$/), ...gctraces.slice(0, 8)];
  const bench = find(join(SHARED, "benchstat"), /\.txt$/);
  const manifests = find(TC, /^manifest\.json$/);
  // Execution traces of both formats (Go 1.22+ and Go 1.19), the small ones whole.
  const traces = find(join(ROOT, "testdata/trace/corpus"), /\.trace$/);
  const traceOpts = (): TraceReadOptions => ({ limits: { ...limits(), maxGenerationBytes: 16 << 20, maxV1TraceBytes: 16 << 20 } });
  // The other side of the comparison: a real file's first 60 lines (statistics per input stay cheap).
  const benchOther = existsSync(BENCH_OTHER) ? readFileSync(BENCH_OTHER, "utf8").split("\n").slice(0, 60).join("\n") + "\n" : "BenchmarkX 1 1 ns/op\n";
  return [
    { name: "pprof proto (decodeProfile)", seeds: seedsOf(protoGz, gunzip), run: (d) => void decodeProfile(d, "f.pb") },
    { name: "any profile file (gzip, proto, legacy)", seeds: [...seedsOf(protoGz.slice(0, 24)), ...seedsOf(legacy)], run: (d) => void parseProfileData(d, "f", limits()) },
    { name: "goroutine dumps (debug=1, debug=2, tracebacks)", seeds: seedsOf(dumps), run: (d) => void parseGoroutineData(d, "g.txt", limits()) },
    { name: "gctrace", seeds: seedsOf(gctraces), run: (d) => void parseGcTrace(text(d), "gctrace.log") },
    { name: "MemStats: /debug/vars and heap?debug=1 (gc inputs)", seeds: seedsOf(gcInputs), run: (d) => void classifyGcInput(d, "in", limits()) },
    { name: "escape analysis (-gcflags=-m=2)", seeds: escapeSeeds(), run: (d) => void parseEscape(text(d), "m2.txt") },
    {
      name: "benchstat input (benchfmt + statistics)",
      seeds: seedsOf(bench),
      run: (d) => {
        const r = runBenchstat(["old.txt", "new.txt"], DEFAULT_BENCHSTAT, (p) => (p === "old.txt" ? text(d) : benchOther));
        renderBenchstatText(r.tables);
      },
    },
    { name: "content recogniser (sniffKind)", seeds: [...seedsOf(protoGz.slice(0, 8)), ...seedsOf(dumps.slice(0, 8)), ...seedsOf(gcInputs.slice(0, 8))], run: (d) => void sniffKind(d, "x", limits()) },
    {
      // the reader and every analysis over what it yields (godiag trace, diagnose's trace rules)
      name: "execution traces (reader + analyses)",
      seeds: seedsOf(traces),
      run: (d) => void analyzeTrace("t.trace", (visit) => readTraceBytes(d, "t.trace", visit, traceOpts())),
    },
    {
      name: "bundle manifests (openBundle)",
      seeds: seedsOf(manifests),
      run: async (d) => {
        const dir = bundleScratch();
        writeFileSync(join(dir, "manifest.json"), d);
        await openBundle([dir], { ...limits(), maxFiles: 100 });
      },
    },
  ];
}
