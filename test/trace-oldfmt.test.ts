// The Go 1.11–1.21 execution-trace format through the same entry points as the 1.22+ one,
// against golang.org/x/exp/trace (the oracle program's "events" mode), which converts old
// traces to the new event model: the same canonical line per event on the Go tree's own
// old-format test traces (read in place) and on traces written here by programs built
// with Debian's Go 1.19. Then cut-short traces (one InputError with an offset: the format
// keeps its clock frequency and stack table at the end), corrupt ones and the size cap.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../src/core/input/index.js";
import { readTraceBytes, readTraceFile, readTraceStream, type TraceEvent } from "../src/trace/index.js";
import { available } from "./helpers/available.js";
import { canonical, flipAndRead, oracleEventsOf, ourEvents } from "./helpers/trace-dump.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const GO119 = "/usr/lib/go-1.19/bin/go";
const HAVE_GO = available(spawnSync("go", ["version"]).status === 0, "go");
const HAVE_GO119 = HAVE_GO && available(existsSync(GO119), `Debian's Go 1.19 (${GO119})`);
const OUT = join(ROOT, "test-output/trace-oldfmt");
const BIN = join(ROOT, "test-output/bin");
const ORACLE = join(BIN, "trace-oracle-oldfmt");
const GO_ENV = { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "" };

function goTestdata(): string {
  const root = execFileSync("go", ["env", "GOROOT"], { encoding: "utf8" }).trim();
  return join(root, "src/internal/trace/internal/tracev1/testdata");
}

const oracleEvents = (path: string): string[] => oracleEventsOf(ORACLE, path);

/**
 * Go's v1 reader breaks timestamp ties by the iteration order of Go maps, which is random
 * (the Ps' merge order; the goroutines found runnable at trace start): run the oracle
 * twice on stress_1_21_good and the dumps differ. Tied events then get consecutive
 * times (t, t+1, ...). So within each run of consecutive times, compare the events as a
 * set: the run's first time for all, lines sorted. Everything else stays line by line.
 */
function normalizeTies(lines: string[]): string[] {
  const out: string[] = [];
  const time = (l: string) => Number(/ t=(-?\d+) /.exec(l)?.[1] ?? NaN);
  let i = 0;
  while (i < lines.length) {
    let j = i + 1;
    while (j < lines.length && time(lines[j]) === time(lines[j - 1]) + 1) j++;
    const t0 = time(lines[i]);
    out.push(...lines.slice(i, j).map((l) => l.replace(/ t=-?\d+ /, ` t=${t0} `)).sort());
    i = j;
  }
  return out;
}

/** The two dumps agree, up to the order of ties; returns how many lines were tie-sorted. */
function expectSameEvents(got: string[], want: string[], what: string): number {
  expect(got.length, what).toBe(want.length);
  expect(normalizeTies(got), what).toEqual(normalizeTies(want));
  return got.filter((l, i) => l !== want[i]).length;
}

describe.skipIf(!HAVE_GO)("Go 1.11–1.21 traces", () => {
  beforeAll(() => {
    mkdirSync(BIN, { recursive: true });
    execFileSync("go", ["build", "-o", ORACLE, "."], { cwd: join(ROOT, "testdata/trace/oracle"), env: GO_ENV, stdio: "pipe", timeout: 300_000 });
  }, 600_000);

  // One test per file: a long synchronous test starves vitest's worker RPC.
  const files = HAVE_GO ? readdirSync(goTestdata()).filter((f) => f.endsWith("_good")) : [];
  it("finds Go's old-format test traces (1.11, 1.19, 1.21) in place", () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const v of ["1_11", "1_19", "1_21"]) expect(files.some((f) => f.includes(`_${v}_`))).toBe(true);
  });

  it.each(files)("reads Go's %s as x/exp/trace does", (f) => {
    const path = join(goTestdata(), f);
    const want = oracleEvents(path);
    expect(want.some((l) => l.startsWith("ERROR"))).toBe(false);
    const got = ourEvents((v) => readTraceFile(path, v));
    expect(got.error).toBeUndefined();
    expect(got.result!.version).toBe(Number(/_1_(\d+)_/.exec(f)![1]));
    expect(got.result!.warnings).toEqual([]);
    expect(got.result!.events).toBe(want.length);
    // Ties are rare: nearly every line matches in place.
    expect(expectSameEvents(got.lines, want, f)).toBeLessThanOrEqual(Math.max(4, want.length / 1000));
  });

  it("keeps what Go's converter makes of the old events", () => {
    // user_task_region_1_21_good: Go's runtime/trace test of tasks and regions (task0,
    // regions region0 > region1 in it, a log key0 = "0123456789abcdef", then a region
    // begun outside any task that is still open when tracing stops).
    const lines = ourEvents((v) => readTraceFile(join(goTestdata(), "user_task_region_1_21_good"), v)).lines;
    expect(lines[0]).toBe("Sync t=-1 g=-1 p=-1 m=-1 stk=[] n=1");
    expect(lines[lines.length - 1]).toMatch(/^Sync t=\d+ g=-1 p=-1 m=-1 stk=\[\] n=2$/);
    const field = (l: string, f: string) => new RegExp(` ${f}=("[^"]*"|\\S+)`).exec(l)![1];
    const tasks = lines.filter((l) => l.startsWith("Task"));
    // The v1 task had no parent (0 on the wire): NoTask at its begin, but Go's converter
    // hands the end the wire value.
    expect(tasks.map((l) => `${l.split(" ")[0]} ${field(l, "id")} ${field(l, "parent")} ${field(l, "type")}`)).toEqual([
      'TaskBegin 1 18446744073709551615 "task0"',
      'TaskEnd 1 0 "task0"',
    ]);
    const regions = lines.filter((l) => l.startsWith("Region"));
    expect(regions.map((l) => `${l.split(" ")[0]} ${field(l, "task")} ${field(l, "type")}`)).toEqual([
      'RegionBegin 1 "region0"',
      'RegionBegin 1 "region1"',
      'RegionEnd 1 "region1"',
      'RegionEnd 1 "region0"',
      'RegionBegin 0 "post-existing region"',
    ]);
    expect(lines.filter((l) => l.startsWith("Log ")).map((l) => `${field(l, "cat")} ${field(l, "msg")}`)).toEqual(['"key0" "0123456789abcdef"']);
  });

  it("clones stay valid after the visitor returns", () => {
    const path = join(goTestdata(), "user_task_region_1_21_good");
    const lines: string[] = [];
    const clones: TraceEvent[] = [];
    const r = readTraceFile(path, (ev, tables) => {
      lines.push(canonical(ev, tables));
      clones.push(ev.clone());
    });
    expect(clones.map((c) => canonical(c, r.tables))).toEqual(lines);
  });

  it("reads gzip files and streams of small chunks to the same events", async () => {
    const path = join(goTestdata(), "http_1_19_good");
    const want = ourEvents((v) => readTraceFile(path, v)).lines;
    expect(want.length).toBeGreaterThan(1000);
    mkdirSync(OUT, { recursive: true });
    const gz = join(OUT, "http_1_19.trace.gz");
    writeFileSync(gz, gzipSync(readFileSync(path)));
    expect(ourEvents((v) => readTraceFile(gz, v)).lines).toEqual(want);
    const data = readFileSync(path);
    async function* chunks(size: number) {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    }
    for (const size of [1, 4096]) {
      const lines: string[] = [];
      const r = await readTraceStream(chunks(size), "stream", (ev, tables) => void lines.push(canonical(ev, tables)));
      expect(r.version).toBe(19);
      expect(lines).toEqual(want);
    }
  });

  it("a cut-short old trace is one InputError with the offset, as x/exp/trace reads nothing either", () => {
    const path = join(goTestdata(), "stress_start_stop_1_19_good");
    const data = readFileSync(path);
    mkdirSync(OUT, { recursive: true });
    for (const frac of [0.0001, 0.1, 0.5, 0.9, 0.999]) {
      const cut = Math.max(17, Math.floor(data.length * frac));
      const file = join(OUT, `cut-${cut}.trace`);
      writeFileSync(file, data.subarray(0, cut));
      const want = oracleEvents(file);
      expect(want.length, `cut at ${cut}`).toBe(1);
      expect(want[0]).toMatch(/^ERROR /);
      const got = ourEvents((v) => readTraceFile(file, v));
      expect(got.lines, `cut at ${cut}`).toEqual([]);
      expect(got.error, `cut at ${cut}`).toBeInstanceOf(InputError);
      const e = got.error as InputError;
      expect(e.message).toMatch(new RegExp(`^${file}: .*\\(at byte \\d+\\)$`));
      expect(e.offset!).toBeGreaterThanOrEqual(16);
      expect(e.offset!).toBeLessThanOrEqual(cut);
    }
  });

  it("cut anywhere: an InputError with an offset, or (cut inside the final stack table) x/exp/trace's events and a warning", () => {
    mkdirSync(OUT, { recursive: true });
    let inStackTable = 0;
    let oracleAgreed = 0;
    for (const f of ["stress_start_stop_1_11_good", "http_1_19_good", "http_1_21_good", "user_task_region_1_21_good"]) {
      const data = readFileSync(join(goTestdata(), f));
      for (let i = 1; i < 40; i++) {
        const cut = 16 + Math.floor(((data.length - 16) * i) / 40);
        const t0 = Date.now();
        const got = ourEvents((v) => readTraceBytes(data.subarray(0, cut), `${f}@${cut}`, v));
        expect(Date.now() - t0).toBeLessThan(2000);
        if (got.error !== undefined) {
          expect(got.error, `${f} cut at ${cut}`).toBeInstanceOf(InputError);
          expect((got.error as InputError).offset, `${f} cut at ${cut}`).toBeLessThanOrEqual(cut);
          expect(got.lines).toEqual([]);
          continue;
        }
        // A cut between two events of the stack table: every event is there, some stacks
        // are not. x/exp/trace says nothing, or panics when a GoCreate's stack is missing.
        inStackTable++;
        expect(got.result!.warnings, `${f} cut at ${cut}`).toEqual([expect.stringMatching(/^.*: \d+ events refer to stacks the trace does not have/)]);
        const file = join(OUT, `${f}-cut-${cut}.trace`);
        writeFileSync(file, data.subarray(0, cut));
        const r = spawnSync(ORACLE, ["events", file], { encoding: "utf8", maxBuffer: 1 << 30, timeout: 120_000 });
        if (r.status === 0) {
          expectSameEvents(got.lines, r.stdout.split("\n").filter((l) => l !== ""), `${f} cut at ${cut}`);
          oracleAgreed++;
        } else {
          expect(r.stderr).toMatch(/^panic: expected id \d+ in trace\.stack table/);
          // The same events as the whole trace's, but for the stacks.
          const noStacks = (ls: string[]) => ls.map((l) => l.replace(/ (t?stk)=\[[^\]]*\]/g, " $1=[]"));
          expectSameEvents(noStacks(got.lines), noStacks(oracleEvents(join(goTestdata(), f))), `${f} cut at ${cut}`);
        }
      }
    }
    expect(oracleAgreed).toBeGreaterThan(0);
    expect(inStackTable).toBeLessThan(20);
  });

  it("fails corrupt old traces with an InputError naming the file and offset, quickly", () => {
    const hdr = (v: number) => new TextEncoder().encode(`go 1.${v} trace\u0000\u0000\u0000`);
    const cases: [string, Uint8Array][] = [
      ["header only", hdr(19)],
      // Event type 0 and 63 do not exist.
      ["unknown event", Buffer.concat([hdr(19), Buffer.from([0x41, 0, 0, 0x3f])])],
      // A CPU sample (type 49) in a 1.11 trace: the format had none yet.
      ["too new an event", Buffer.concat([hdr(11), Buffer.from([0x41, 0, 5, 0xc0 | 49, 2, 0, 0])])],
      // A length-prefixed event (type 45) claiming 2^20 bytes of arguments.
      ["huge arguments", Buffer.concat([hdr(21), Buffer.from([0x41, 0, 5, 0xc0 | 45, 0x80, 0x80, 0x40])])],
      // A string of 2^40 bytes, and one with an over-long varint id.
      ["huge string", Buffer.concat([hdr(21), Buffer.from([37, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20])])],
      ["overlong varint", Buffer.concat([hdr(21), Buffer.from([37, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])])],
      // An event before any batch.
      ["no batch", Buffer.concat([hdr(19), Buffer.from([0x02, 100])])],
    ];
    for (const [name, bytes] of cases) {
      const t0 = Date.now();
      let err: unknown;
      try {
        readTraceBytes(bytes, name, () => {});
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(InputError);
      expect((err as InputError).message, name).toMatch(new RegExp(`^${name}: .*\\(at byte \\d+\\)$`));
      expect(Date.now() - t0).toBeLessThan(1000);
    }
    // Flipped bytes anywhere: an InputError or (a changed value the format cannot tell) a
    // normal read; never another exception or a hang.
    const data = readFileSync(join(goTestdata(), "http_1_21_good"));
    expect(flipAndRead(data, 80)).toBeGreaterThan(20);
  });

  it("stays linear when many Ps wait for a goroutine state that never comes", () => {
    // 20,000 Ps whose only event starts goroutine 1 at a sequence it never reaches, and one
    // P with 200,000 events that need nothing. Checking every waiting P after each event,
    // as Go does, would take 4e9 steps; we set waiting Ps aside until their state changes.
    const bytes: number[] = [...new TextEncoder().encode("go 1.19 trace\u0000\u0000\u0000")];
    const uv = (v: number) => {
      while (v >= 0x80) {
        bytes.push((v & 0x7f) | 0x80);
        v = Math.floor(v / 128);
      }
      bytes.push(v);
    };
    const P = 20_000;
    for (let p = 0; p < P; p++) {
      bytes.push(0x41); // Batch, 2 args
      uv(p);
      uv(1);
      bytes.push(0x80 | 14, 1, 1, 5); // GoStart g=1 seq=5
    }
    bytes.push(0x41);
    uv(P);
    uv(1);
    for (let i = 0; i < 200_000; i++) bytes.push(0x40 | 33, 1, 1); // HeapAlloc
    bytes.push(0x02, 100); // Frequency
    const t0 = Date.now();
    let err: unknown;
    try {
      readTraceBytes(Uint8Array.from(bytes), "blocked", () => {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/^blocked: no consistent ordering of events possible.*\(at byte \d+\)$/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("caps the size of an old trace, which is held whole", () => {
    const path = join(goTestdata(), "stress_1_19_good");
    let err: unknown;
    try {
      readTraceFile(path, () => {}, { limits: { maxV1TraceBytes: 100_000 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/over the 100000-byte limit for the pre-1\.22 format/);
  });

  describe.skipIf(!HAVE_GO119)("traces written by Go 1.19 programs", () => {
    const traces: string[] = [];
    beforeAll(() => {
      mkdirSync(OUT, { recursive: true });
      const build = (pkg: string) => {
        const out = join(BIN, `${pkg}-go119`);
        // Go 1.19 builds the module whatever its go line says (it only notes it on errors).
        execFileSync(GO119, ["build", "-o", out, `./${pkg}`], { cwd: join(ROOT, "testdata/trace/progs"), env: GO_ENV, stdio: "pipe", timeout: 300_000 });
        return out;
      };
      execFileSync(build("tracebasic"), ["-out", join(OUT, "basic119")], { stdio: "pipe", timeout: 120_000 });
      const busy = join(OUT, "busy119.trace");
      execFileSync(build("tracebusy"), ["-out", busy, "-mb", "1", "-goroutines", "50"], { stdio: "pipe", timeout: 120_000 });
      const cpu = join(OUT, "cpu119.trace");
      execFileSync(build("tracecpuburn"), ["-out", cpu, "-ms", "600"], { stdio: "pipe", timeout: 120_000 });
      traces.push(join(OUT, "basic119-1.trace"), join(OUT, "basic119-2.trace"), busy, cpu);
    }, 600_000);

    it.each([0, 1, 2, 3])("reads trace %i as x/exp/trace does", (n) => {
      const t = traces[n];
      expect(readFileSync(t).subarray(0, 16).toString("latin1")).toBe("go 1.19 trace\u0000\u0000\u0000");
      const want = oracleEvents(t);
      expect(want.some((l) => l.startsWith("ERROR")), t).toBe(false);
      const got = ourEvents((v) => readTraceFile(t, v));
      expect(got.error, t).toBeUndefined();
      expect(got.result!.version).toBe(19);
      expect(got.result!.generations).toBe(1);
      expect(got.result!.warnings).toEqual([]);
      expectSameEvents(got.lines, want, t);
    });

    it("has the CPU profile's samples in the trace of a program that profiled while tracing", () => {
      // tracecpuburn burns CPU in 4 goroutines for 600 ms under a CPU profile (100 Hz): the
      // samples are StackSample events whose stacks are in main.burn.
      const lines = ourEvents((v) => readTraceFile(traces[3], v)).lines;
      const samples = lines.filter((l) => l.startsWith("StackSample "));
      expect(samples.length).toBeGreaterThan(0);
      expect(samples.filter((l) => l.includes("main.burn@")).length).toBeGreaterThan(samples.length / 2);
    });

    it("sees the program's own annotations in both trace.Start/Stop sessions", () => {
      for (const t of traces.slice(0, 2)) {
        const lines = ourEvents((v) => readTraceFile(t, v)).lines;
        // tracebasic: 3 rounds per session, each a task "round-N" with a child "alloc",
        // regions pipeline/mutex/tcp/files, and a log of the pipeline's sum: 2 * (0+...+199).
        expect(lines.filter((l) => l.startsWith("TaskBegin") && l.includes('type="round-')).length).toBe(3);
        expect(lines.filter((l) => l.startsWith("TaskEnd") && l.includes('type="alloc"')).length).toBe(3);
        expect(lines.filter((l) => l.startsWith("RegionBegin") && l.includes('type="tcp"')).length).toBe(3);
        expect(lines.some((l) => l.startsWith("Log ") && l.includes('cat="sum" msg="39800"'))).toBe(true);
        // runtime.GC() once per round: the GC mark phase begins at least three times.
        expect(lines.filter((l) => l.startsWith("RangeBegin") && l.includes("GC concurrent mark phase")).length).toBeGreaterThanOrEqual(3);
      }
    });
  });
});
