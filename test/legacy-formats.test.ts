// Legacy profile readers: the google/pprof corpus inputs against their `.string`
// goldens (pprof's Profile.String() of the parse), real Go-written debug=1 files
// against `go tool pprof -raw -symbolize=none`, and broken inputs.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLegacy, symbolizeFromComments } from "../src/core/codec/legacy/legacy.js";
import { LinearRegExp } from "../src/core/codec/legacy/regexp.js";
import type { Profile } from "../src/core/model/profile.js";
import { formatRaw } from "../src/pprof/report/raw.js";
import { InputError } from "../src/core/input/errors.js";
import { CORPUS, pprofBinary, runPprof } from "./helpers/run.js";

const TESTDATA = join(CORPUS, "google-pprof/profile/testdata");
const HAS_CORPUS = available(existsSync(TESTDATA), `the google/pprof corpus (${TESTDATA})`);
const LEGACY_INPUTS = [
  "cppbench.contention",
  "cppbench.cpu",
  "cppbench.growth",
  "cppbench.heap",
  "cppbench.thread",
  "cppbench.thread.all",
  "cppbench.thread.none",
  "go.crc32.cpu",
  "go.godoc.thread",
  "gobench.cpu",
  "gobench.heap",
  "java.contention",
  "java.cpu",
  "java.heap",
];

function parse(data: Uint8Array | string, file = "test"): Profile {
  return parseLegacy(typeof data === "string" ? Buffer.from(data, "latin1") : data, file);
}

/** The InputError a parse throws (fails the test if it does not throw one). */
function inputError(data: Uint8Array | string): InputError {
  try {
    parse(data, "bad.prof");
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error("expected an InputError");
}

describe("pprof corpus: legacy inputs vs .string goldens", () => {
  if (!HAS_CORPUS) console.warn(`SKIPPED: corpus not found at ${TESTDATA}`);

  it.skipIf(!HAS_CORPUS)("lists every legacy input of the corpus", () => {
    const inputs = readdirSync(TESTDATA).filter((f) => !f.endsWith(".string"));
    expect(inputs.sort()).toEqual([...LEGACY_INPUTS].sort());
  });

  for (const name of LEGACY_INPUTS) {
    it.skipIf(!HAS_CORPUS)(name, () => {
      const p = parse(readFileSync(join(TESTDATA, name)), name);
      expect(formatRaw(p)).toBe(readFileSync(join(TESTDATA, name + ".string"), "utf8"));
    });
  }

  it.skipIf(!HAS_CORPUS)("sets pprof's legacy drop/keep frames", () => {
    const heap = parse(readFileSync(join(TESTDATA, "gobench.heap")));
    expect(heap.dropFrames).toContain("runtime\\..*");
    expect(heap.keepFrames).toBe("runtime\\.panic|runtime\\.reflectcall|runtime\\.call[0-9]*");
    const cpu = parse(readFileSync(join(TESTDATA, "gobench.cpu")));
    expect(cpu.dropFrames).toBe("ProfileData::Add|ProfileData::prof_handler|CpuProfiler::prof_handler|__pthread_sighandler|__restore");
    expect(parse(readFileSync(join(TESTDATA, "cppbench.contention"))).dropFrames).toMatch(/^RecordLockProfileData\|/);
    expect(cpu.extras.sourceFormat).toBe("legacy-cpu");
  });

  it.skipIf(!HAS_CORPUS)("reads the binary CPU format in every word size and byte order", () => {
    const want = formatRaw(parse(readFileSync(join(TESTDATA, "go.crc32.cpu"))));
    const src = readFileSync(join(TESTDATA, "go.crc32.cpu"));
    // go.crc32.cpu is 64-bit little-endian: re-encode its words (up to the memory map) other ways.
    const words: bigint[] = [];
    for (let o = 0; o + 8 <= src.length; o += 8) words.push(src.readBigUInt64LE(o));
    const big = Buffer.alloc(words.length * 8);
    words.forEach((w, i) => big.writeBigUInt64BE(w, i * 8));
    expect(formatRaw(parse(Buffer.concat([big, src.subarray(words.length * 8)])))).toBe(want);
    const w32 = Buffer.alloc(words.length * 4);
    words.forEach((w, i) => w32.writeUInt32BE(Number(w), i * 4));
    expect(formatRaw(parse(Buffer.concat([w32, src.subarray(words.length * 8)])))).toBe(want);
  });
});

// A Go program writing every debug=1 text profile Go has.
const GO_PROGRAM = `package main

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"time"
)

var sink [][]byte

//go:noinline
func allocA(n int) { for i := 0; i < n; i++ { sink = append(sink, make([]byte, 1024)) } }

//go:noinline
func allocB(n int) { for i := 0; i < n; i++ { sink = append(sink, make([]byte, 64<<10)) } }

func inner(n int) []byte { return make([]byte, n) }
func outer(n int) []byte { return inner(n + 1) }

func contend() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ { mu.Lock(); time.Sleep(10 * time.Microsecond); mu.Unlock() }
		}()
	}
	wg.Wait()
}

func main() {
	runtime.MemProfileRate = 4096
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	allocA(2000)
	allocB(50)
	for i := 0; i < 100; i++ { sink = append(sink, outer(300)) }
	sink = sink[:len(sink)/2]
	contend()
	// Freeze the heap profile (it reports as of the last GC), so pprof's own
	// allocations while writing do not show up in it.
	runtime.GC()
	debug.SetGCPercent(-1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); <-stop }()
	}
	pprof.Do(context.Background(), pprof.Labels("worker", "x", "id", "7"), func(ctx context.Context) {
		wg.Add(1)
		go func() { defer wg.Done(); <-stop }()
	})
	time.Sleep(20 * time.Millisecond)
	for _, name := range []string{"heap", "allocs", "goroutine", "threadcreate", "mutex", "block"} {
		f, _ := os.Create(os.Args[1] + "/" + name + ".txt")
		pprof.Lookup(name).WriteTo(f, 1)
		f.Close()
	}
	close(stop)
	wg.Wait()
}
`;
import { available } from "./helpers/available.js";

const GO_PROFILES = ["heap", "allocs", "goroutine", "threadcreate", "mutex", "block"];

describe("real Go debug=1 profiles vs go tool pprof -raw -symbolize=none", () => {
  const hasGo = available(spawnSync("go", ["version"]).status === 0, "Go");
  if (!hasGo) console.warn("SKIPPED: `go` is not on PATH; Go-written legacy profiles are not checked");
  const dir = mkdtempSync(join(tmpdir(), "godiag-legacy-"));

  beforeAll(() => {
    if (!hasGo) return;
    pprofBinary();
    writeFileSync(join(dir, "main.go"), GO_PROGRAM);
    writeFileSync(join(dir, "go.mod"), "module legacygen\n\ngo 1.21\n");
    execFileSync("go", ["build", "-o", "gen", "."], { cwd: dir, stdio: "pipe", timeout: 120_000 });
    execFileSync(join(dir, "gen"), [dir], { stdio: "pipe", timeout: 60_000 });
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of GO_PROFILES) {
    it.skipIf(!hasGo)(`${name} debug=1`, () => {
      const file = join(dir, name + ".txt");
      const want = runPprof(["-raw", "-symbolize=none", file]);
      expect(want.code).toBe(0);
      const got = formatRaw(parse(readFileSync(file), file), { driver: true });
      expect(got).toBe(want.stdout);
    });
  }

  it.skipIf(!hasGo)("keeps the runtime.MemStats block of heap debug=1", () => {
    const p = parse(readFileSync(join(dir, "heap.txt")));
    const ms = p.extras.memStats!;
    expect(p.extras.sourceFormat).toBe("heap-text");
    for (const k of ["Alloc", "TotalAlloc", "Sys", "Mallocs", "Frees", "HeapAlloc", "HeapSys", "HeapIdle", "HeapInuse"]) {
      expect(typeof ms[k]).toBe("number");
    }
    expect(ms.HeapAlloc as number).toBeGreaterThan(0);
    for (const k of ["StackInuse", "StackSys", "MSpanInuse", "MSpanSys", "MCacheInuse", "MCacheSys", "NextGC", "LastGC"]) {
      expect(typeof ms[k]).toBe("number");
    }
    expect((ms.PauseNs as number[]).length).toBe(256);
    expect((ms.PauseEnd as number[]).length).toBe(256);
    expect(ms.NumGC as number).toBeGreaterThanOrEqual(1);
    expect(ms.NumForcedGC as number).toBeGreaterThanOrEqual(1);
    expect(typeof ms.GCCPUFraction).toBe("number");
    expect(ms.DebugGC).toBe(0);
    expect(parse(readFileSync(join(dir, "goroutine.txt"))).extras.memStats).toBeUndefined();
  });

  it.skipIf(!hasGo)("ignores goroutine `# labels:` lines, as pprof does", () => {
    const text = readFileSync(join(dir, "goroutine.txt"), "utf8");
    expect(text).toContain('# labels: {"id":"7", "worker":"x"}');
    expect(parse(text).labels.length).toBe(0);
  });

  it.skipIf(!hasGo)("symbolizeFromComments names frames from the # lines (opt-in)", () => {
    const data = readFileSync(join(dir, "heap.txt"));
    const p = parse(data);
    expect(p.functions.length).toBe(0);
    const q = symbolizeFromComments(p, data);
    const names = new Set<string>();
    for (let l = 0; l < q.locations.length; l++) {
      for (let j = q.locations.lineStart[l]; j < q.locations.lineStart[l + 1]; j++) {
        const f = q.lines.func[j];
        const name = q.str(q.functions.name[f]);
        names.add(name);
        if (name === "runtime.(hidden)" || name === "runtime.goexit") continue;
        expect(q.str(q.functions.filename[f])).toMatch(/\.(go|s)$/);
        expect(q.lines.line[j]).toBeGreaterThan(0);
      }
    }
    expect(names).toContain("main.allocA");
    expect(names).toContain("main.allocB");
    expect(names).toContain("main.main");
    // Same samples and location ids; only names added.
    const unnamed = (s: string): string => s.replace(/(M=\d+ ).+$/gm, "$1").replace(/^ {13}\S.*\n/gm, "").replace(/ \[FN\]\[FL\]\[LN\]\[IN\]/, " ");
    expect(unnamed(formatRaw(q))).toBe(formatRaw(p));
    expect(names).toContain("runtime.(hidden)");
    // Goroutine and mutex text carry the same comments.
    const g = readFileSync(join(dir, "goroutine.txt"));
    expect(formatRaw(symbolizeFromComments(parse(g), g))).toContain("main.main.func");
  });

  it.skipIf(!hasGo)("symbolized + drop_frames gives pprof's stacks when pprof has the binary", () => {
    const samples = (s: string): string => s.slice(0, s.indexOf("Locations"));
    // Not allocs: it picks up the heap writer's own allocations, whose leaf
    // PCs are runtime.CallersFrames inlined into printStackRecord. Go hides
    // such a frame; we prune it, while pprof (seeing the inlined caller in the
    // binary) keeps the location as printStackRecord. A known, rare difference.
    for (const name of ["heap", "goroutine", "mutex", "block"]) {
      const file = join(dir, name + ".txt");
      const want = runPprof(["-raw", join(dir, "gen"), file]);
      expect(want.code, want.stderr).toBe(0);
      const data = readFileSync(file);
      const got = formatRaw(symbolizeFromComments(parse(data), data), { driver: true });
      expect(samples(got), name).toBe(samples(want.stdout));
    }
  });

  it.skipIf(!hasGo)("matches pprof on a truncated binary CPU profile", () => {
    if (!HAS_CORPUS) return;
    const src = readFileSync(join(TESTDATA, "gobench.cpu"));
    for (const cut of [20, 40, 1000, 4099, src.length - 300]) {
      const file = join(dir, `cut${cut}.cpu`);
      writeFileSync(file, src.subarray(0, cut));
      const want = runPprof(["-raw", "-symbolize=none", file]);
      if (want.code === 0) {
        expect(formatRaw(parse(readFileSync(file)), { driver: true })).toBe(want.stdout);
      } else {
        expect(want.stderr).toContain("unrecognized profile format");
        expect(inputError(readFileSync(file)).detail).toContain("unrecognized profile format");
      }
    }
  });
});

describe("broken legacy input", () => {
  const HEADER = "heap profile: 2: 2048 [4: 4096] @ heap/1048576\n";
  const GOOD = "1: 1024 [2: 2048] @ 0x4a1b2c 0x4a1b3d\n";

  it("truncated heap text: error names the line", () => {
    const text = HEADER + GOOD + GOOD + "1: 10";
    const e = inputError(text);
    expect(e.line).toBe(4);
    expect(e.file).toBe("bad.prof");
    expect(e.message).toContain("(at line 4)");
  });

  it("cut inside the header: unrecognized, at line 1", () => {
    const e = inputError("heap profile: 2: 20");
    expect(e.detail).toContain("unrecognized profile format");
    expect(e.line).toBe(1);
  });

  it("garbage after the header", () => {
    const e = inputError(HEADER + GOOD + "this is not a sample\n" + GOOD);
    expect(e.line).toBe(3);
    expect(e.detail).toContain("malformed sample line");
  });

  it("count 0 with bytes, like pprof", () => {
    const e = inputError(HEADER + "0: 1024 [2: 2048] @ 0x1\n");
    expect(e.detail).toContain("inuse count was 0 but inuse bytes was 1024");
    expect(e.line).toBe(2);
  });

  it("a 10 MB single line: fails fast with its line number", () => {
    const t0 = Date.now();
    const e = inputError("1".repeat(10 << 20));
    expect(e.line).toBe(1);
    expect(e.detail).toContain("line too long");
    const e2 = inputError(HEADER + GOOD + "1: 1 [1: 1] @" + " 0x1".repeat(3 << 20) + "\n");
    expect(e2.line).toBe(3);
    expect(e.message.length).toBeLessThan(300);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("64 KiB pathological lines stay linear", () => {
    const t0 = Date.now();
    const digits = "1".repeat(65000);
    expect(inputError(HEADER + digits + "\n").line).toBe(2);
    expect(inputError("--- contentionz 1 ---\ncycles/second = 1\n" + digits + "\n").detail).toContain("unrecognized");
    expect(inputError("goroutine profile: total 1\n" + digits + "\n").line).toBe(2);
    const p = parse("--- contentionz 1 ---\nsampling period = 1\n1 1 @ 0x10\n--- Memory map: ---\n" + "a".repeat(60000) + " 1:1\n");
    expect(p.mappings.length).toBe(1);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("count profile with a bad line, threadz and contention junk", () => {
    expect(inputError("goroutine profile: total 3\n2 @ 0x1 0x2\nbogus\n").line).toBe(3);
    expect(inputError("--- contentionz 1 ---\nbogus key = 1\n").detail).toContain("unrecognized");
    expect(inputError("--- threadz 1 ---\n--- Thread 1 (name: a/1) stack: ---\n  0xffffffffffffffffff\n").line).toBe(3);
  });

  it("empty input, binary junk", () => {
    expect(inputError("").detail).toBe("empty input file");
    const junk = new Uint8Array(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    expect(inputError(junk).detail).toContain("unrecognized profile format");
  });

  it("addresses: 0x0 wraps to 0xffffffffffffffff like Go's uint64", () => {
    const p = parse("threadcreate profile: total 1\n1 @ 0x0 0x10\n");
    expect(formatRaw(p)).toContain("     1: 0xffffffffffffffff M=1 \n     2: 0xf M=1 \n");
  });
});

describe("linear regexp matcher", () => {
  it("agrees with RegExp on pprof's patterns", () => {
    const pats: [string, RegExp][] = [
      [String.raw`(\d+) *(\d+) @([ x0-9a-f]*)`, /(\d+) *(\d+) @([ x0-9a-f]*)/],
      [String.raw`^[^\[\]]+:[0-9]+]\s`, /^[^[\]]+:[0-9]+\][\t\n\f\r ]/],
      [String.raw`--- Thread ([[:xdigit:]]+) \(name: (.*)/(\d+)\) stack: ---`, /--- Thread ([0-9A-Fa-f]+) \(name: ([^\n]*)\/(\d+)\) stack: ---/],
      [String.raw`a|ab|abc(d|e)?`, /a|ab|abc(d|e)?/],
    ];
    const alpha = ["0", "1", "9", " ", "@", "x", "a", "b", "c", "d", ":", "]", "[", "/", "(", ")", "--- Thread ", "(name: ", ") stack: ---"];
    let seed = 1;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (const [src, re] of pats) {
      const lre = new LinearRegExp(src);
      for (let t = 0; t < 3000; t++) {
        let s = "";
        for (let k = rnd(20); k > 0; k--) s += alpha[rnd(alpha.length)];
        const m = re.exec(s);
        expect(lre.exec(s), `${src} on ${JSON.stringify(s)}`).toEqual(m ? [...m] : null);
      }
    }
  });
});
