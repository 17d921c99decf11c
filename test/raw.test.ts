// The -raw report (pprof's Profile.String()) on proto profiles, against
// `go tool pprof -raw -symbolize=none` when Go is installed.

process.env.TZ = "UTC"; // pprof runs with TZ=UTC in runPprof; Time: lines are local time

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProfileData } from "../src/core/codec/pprof-proto.js";
import { writeProfileGz } from "../src/core/codec/pprof-write.js";
import { ProfileBuilder } from "../src/core/model/builder.js";
import type { Profile } from "../src/core/model/profile.js";
import { formatRaw, goDuration, goTime } from "../src/pprof/report/raw.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { CORPUS, pprofBinary, runPprof } from "./helpers/run.js";

const SYNTH = join(CORPUS, "google-pprof/synthetic");
const SYNTH_FILES = readdirSync(SYNTH).filter((f) => f.endsWith(".pb.gz")).sort();
const HAS_GO = available(spawnSync("go", ["version"]).status === 0, "Go");
if (!HAS_GO) console.warn("SKIPPED: `go` is not on PATH; -raw output is not compared with go tool pprof");
const TMP = mkdtempSync(join(tmpdir(), "godiag-raw-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function read(file: string): Profile {
  const b = readFileSync(file);
  return readProfileData(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), file, DEFAULT_LIMITS);
}

function pprofRaw(file: string): string {
  const r = runPprof(["-raw", "-symbolize=none", file]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe("synthetic proto profiles vs go tool pprof -raw", () => {
  beforeAll(() => void (HAS_GO && pprofBinary()), 300_000);
  for (const f of SYNTH_FILES) {
    it.skipIf(!HAS_GO)(f, () => {
      const file = join(SYNTH, f);
      const p = read(file);
      const want = pprofRaw(file);
      expect(formatRaw(p, { driver: true })).toBe(want);
      // With mappings and no drop_frames, -raw adds nothing to String().
      if (p.dropFrames === "" && p.mappings.length > 0) expect(formatRaw(p)).toBe(want);
    });
  }
});

/** A profile exercising every part of the layout. */
function tricky(): Profile {
  const b = new ProfileBuilder();
  b.sampleTypes = [
    { type: "alloc_objects", unit: "count" },
    { type: "alloc_space", unit: "bytes" },
  ];
  b.defaultSampleType = "alloc_space";
  b.periodType = { type: "space", unit: "bytes" };
  b.period = 524288;
  b.timeNanos = 1_700_000_000_123_456_789n;
  b.durationNanos = 61_500_000_000;
  b.comments = ["first comment", "second"];
  b.docUrl = "https://example.com/doc";
  b.mappings = [
    {
      id: 1, start: 0x400000n, limit: 0x800000n, offset: 0n, file: "/bin/prog", buildId: "abc123",
      hasFunctions: true, hasFilenames: true, hasLineNumbers: true, hasInlineFrames: false,
    },
    {
      id: 2, start: 0xffffffff81000000n, limit: 0xffffffffff000000n, offset: 0x1000n, file: "[kernel]", buildId: "",
      hasFunctions: false, hasFilenames: false, hasLineNumbers: false, hasInlineFrames: false,
    },
  ];
  const f1 = b.addFunction("main.work", "main.work", "/src/main.go", 10);
  const f2 = b.addFunction("ns::Foo()", "_ZN2ns3FooEv", "foo.cc", 0);
  const f3 = b.addFunction("inlined.callee", "inlined.callee", "/src/x.go", 3);
  const l1 = b.addLocation([{ func: f1, line: 12, column: 4 }], 0x401000n, 0);
  const l2 = b.addLocation([{ func: f3, line: 5 }, { func: f2, line: 77 }], 0x402000n, 0, true);
  const l3 = b.addLocation([], 0xffffffff81234567n, 1);
  b.addSample([l1, l2], [3, 2 ** 60], [
    { key: "zeta", str: "z" },
    { key: "alpha", str: "a1" },
    { key: "alpha", str: "a2" },
    { key: "bytes", num: 4096 },
    { key: "bytes", num: 8192 },
    { key: "size", num: 7, unit: "bytes" },
    { key: "size", num: 9 },
  ]);
  b.addSample([l3, l1], [-5, 0]);
  b.addSample([], [1, 1], [{ key: "Ünïcode", str: "ü" }, { key: "Z", str: "capital" }]);
  return b.build();
}

describe("layout details", () => {
  it.skipIf(!HAS_GO)("a profile using every field matches pprof", () => {
    const p = tricky();
    const file = join(TMP, "tricky.pb.gz");
    writeFileSync(file, writeProfileGz(p));
    expect(formatRaw(p, { driver: true })).toBe(pprofRaw(file));
  });

  it("header, labels and locations", () => {
    const out = formatRaw(tricky());
    expect(out).toContain("Comment: first comment\nComment: second\nDoc: https://example.com/doc\n");
    expect(out).toContain("PeriodType: space bytes\nPeriod: 524288\nTime: 2023-11-14 22:13:20.123456789 +0000 UTC\nDuration: 1m1.\n");
    expect(out).toContain("alloc_objects/count alloc_space/bytes[dflt]\n");
    expect(out).toContain("          3 1152921504606846976: 1 2 \n");
    expect(out).toContain("                alpha:[a1 a2] zeta:[z]\n                bytes:[4096 8192] size:[7 bytes 9 ]\n");
    expect(out).toContain("         -5          0: 3 1 \n");
    expect(out).toContain("                Z:[capital] Ünïcode:[ü]\n");
    expect(out).toContain("     2: 0x402000 M=1 [F] inlined.callee /src/x.go:5:0 s=3\n             ns::Foo() foo.cc:77:0 s=0(_ZN2ns3FooEv)\n");
    expect(out).toContain("     3: 0xffffffff81234567 M=2 \n");
    expect(out).toContain("1: 0x400000/0x800000/0x0 /bin/prog abc123 [FN][FL][LN]\n2: 0xffffffff81000000/0xffffffffff000000/0x1000 [kernel]  \n");
  });

  it("Go duration and time formatting", () => {
    expect(goDuration(0n)).toBe("0s");
    expect(goDuration(999n)).toBe("999ns");
    expect(goDuration(1500n)).toBe("1.5µs");
    expect(goDuration(2_000_000n)).toBe("2ms");
    expect(goDuration(10_000_000_000n)).toBe("10s");
    expect(goDuration(6_019_923_000_000n)).toBe("1h40m19.923s");
    expect(goDuration(-90_000_000_000n)).toBe("-1m30s");
    expect(goTime(0n)).toBe("1970-01-01 00:00:00 +0000 UTC");
    expect(goTime(1_000_000_001n)).toBe("1970-01-01 00:00:01.000000001 +0000 UTC");
  });

  it("-raw (driver) adds pprof's fake mapping and prunes drop_frames", () => {
    const b = new ProfileBuilder();
    b.sampleTypes = [{ type: "samples", unit: "count" }];
    b.periodType = { type: "cpu", unit: "nanoseconds" };
    b.dropFrames = "runtime\\..*";
    b.keepFrames = "runtime\\.panic";
    const rt = b.addFunction("runtime.mallocgc");
    const pan = b.addFunction("runtime.panicwrap");
    const user = b.addFunction("main.f(int)");
    const main = b.addFunction("main.main");
    const l1 = b.addLocation([{ func: rt, line: 1 }], 0x10n);
    const l2 = b.addLocation([{ func: pan, line: 2 }], 0x20n);
    // runtime code inlined into main.f: only the runtime line goes, and the stack is cut here.
    const l3 = b.addLocation([{ func: rt, line: 3 }, { func: user, line: 4 }], 0x30n);
    const l4 = b.addLocation([{ func: main, line: 5 }], 0x40n);
    b.addSample([l1, l3], [1]); // no user frame below the runtime ones: kept whole
    b.addSample([l2, l1, l3, l4], [2]);
    b.addSample([l1, l4], [3]);
    const p = b.build();
    const raw = formatRaw(p, { driver: true });
    expect(raw).toContain("          1: 1 3 \n          2: 3 4 \n          3: 4 \n");
    expect(raw).toContain("     3: 0x30 M=1 main.f(int) :4:0 s=0\n");
    expect(raw.endsWith("Mappings\n1: 0x0/0x0/0x0   \n")).toBe(true);
    expect(formatRaw(p)).toContain("          2: 2 1 3 4 \n");
    if (HAS_GO) {
      const file = join(TMP, "prune.pb.gz");
      writeFileSync(file, writeProfileGz(p));
      expect(raw).toBe(pprofRaw(file));
    }
  });
});

const GO_PROTO_PROGRAM = `package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

var sink [][]byte

func main() {
	runtime.MemProfileRate = 4096
	for i := 0; i < 1000; i++ { sink = append(sink, make([]byte, 2048)) }
	f, _ := os.Create(os.Args[1] + "/cpu.pb.gz")
	pprof.StartCPUProfile(f)
	t := time.Now()
	for time.Since(t) < 100*time.Millisecond { sink = append(sink[:0], make([]byte, 64)) }
	pprof.StopCPUProfile()
	f.Close()
	for _, name := range []string{"heap", "goroutine", "threadcreate", "mutex", "block", "allocs"} {
		f, _ := os.Create(os.Args[1] + "/" + name + ".pb.gz")
		pprof.Lookup(name).WriteTo(f, 0)
		f.Close()
	}
}
`;
import { available } from "./helpers/available.js";

describe("Go-written proto profiles vs go tool pprof -raw", () => {
  const dir = join(TMP, "go");
  beforeAll(() => {
    if (!HAS_GO) return;
    pprofBinary();
    execFileSync("mkdir", ["-p", dir]);
    writeFileSync(join(dir, "main.go"), GO_PROTO_PROGRAM);
    writeFileSync(join(dir, "go.mod"), "module rawgen\n\ngo 1.21\n");
    execFileSync("go", ["build", "-o", "gen", "."], { cwd: dir, stdio: "pipe", timeout: 120_000 });
    execFileSync(join(dir, "gen"), [dir], { stdio: "pipe", timeout: 60_000 });
  }, 300_000);

  for (const name of ["cpu", "heap", "goroutine", "threadcreate", "mutex", "block", "allocs"]) {
    it.skipIf(!HAS_GO)(name, () => {
      const file = join(dir, name + ".pb.gz");
      const want = pprofRaw(file);
      expect(formatRaw(read(file), { driver: true })).toBe(want);
    });
  }
});
