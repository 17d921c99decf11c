// The goroutine dump readers: the goleak corpus, our own captures (debug=2, debug=1,
// proto), every header/frame layout Go 1.13-1.26 prints, and real crash output of
// a small Go program built here. Expected counts come from counting the dump's
// own "goroutine N [" headers with a separate regex, from "goroutine profile:
// total N", or from go tool pprof; never from our parser.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readGoroutineFile, parseGoroutineData } from "../src/goroutines/read/dump.js";
import { parseGoroutineText } from "../src/goroutines/read/text.js";
import { goroutineDumpToProfile, goroutineTotal, waitClassOf } from "../src/goroutines/model.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { CORPUS, ROOT, runPprof } from "./helpers/run.js";

const headerCount = (text: string): number => text.split("\n").filter((l) => /^goroutine \d+ .*\[.*\]:$/.test(l)).length;
const GOLEAK = join(CORPUS, "goleak");
const CAPTURES = join(ROOT, "testdata/captures");
const OURS = ["leakserver", "notimeout", "deadlock", "healthy"];

describe("goleak corpus", () => {
  for (const f of readdirSync(GOLEAK).filter((x) => x.endsWith(".txt"))) {
    it(`${f}: every goroutine accounted for`, () => {
      const text = readFileSync(join(GOLEAK, f), "utf8");
      const d = readGoroutineFile(join(GOLEAK, f), DEFAULT_LIMITS);
      expect(d.goroutines.length).toBe(headerCount(text));
      expect(d.warnings).toEqual([]);
      // every frame line pair read: a frame per "\t...:N" line, minus created-by and ancestor lines
      const fileLines = text.split("\n").filter((l) => /^\t.*:\d+( \+0x[0-9a-f]+)?$/.test(l)).length;
      const createdBy = text.split("\n").filter((l) => l.startsWith("created by ")).length;
      let frames = 0;
      for (const g of d.goroutines) {
        frames += g.frames.length + (g.createdBy ? 1 : 0);
        for (const a of g.ancestors) frames += a.frames.length + (a.createdBy ? 1 : 0);
      }
      expect(frames).toBe(fileLines);
      expect(d.goroutines.filter((g) => g.createdBy !== null).length + d.goroutines.flatMap((g) => g.ancestors).filter((a) => a.createdBy).length).toBe(createdBy);
    });
  }

  it("reads tracebackancestors sections", () => {
    const d = readGoroutineFile(join(GOLEAK, "http.tracebackancestors.txt"), DEFAULT_LIMITS);
    const g24 = d.goroutines.find((g) => g.id === 24)!;
    // goroutine 24 was created by dialConn in goroutine 21, itself from goroutine 1 (see the file)
    expect(g24.createdBy).toMatchObject({ func: "net/http.(*Transport).dialConn", goroutine: 21, line: 1776 });
    expect(g24.ancestors.map((a) => a.id)).toEqual([21, 1]);
    expect(g24.ancestors[0]!.createdBy?.func).toBe("net/http.(*Transport).queueForDial");
    expect(g24.ancestors[0]!.frames[0]).toMatchObject({ func: "net/http.(*Transport).dialConn", args: "...", line: 1777, offset: 0x169f });
  });
});

describe("our captures", () => {
  for (const w of OURS) {
    const dir = join(CAPTURES, w);
    it(`${w}: debug=2 snapshots account for every header`, () => {
      for (const f of ["goroutine.debug2.1.txt", "goroutine.debug2.2.txt"]) {
        const text = readFileSync(join(dir, f), "utf8");
        const d = readGoroutineFile(join(dir, f), DEFAULT_LIMITS);
        expect(d.format).toBe("goroutine-debug2");
        expect(goroutineTotal(d)).toBe(headerCount(text));
        expect(d.warnings).toEqual([]);
        for (const g of d.goroutines) expect(g.frames.length > 0 || g.stackUnavailable).toBe(true);
      }
    });
    it(`${w}: debug=1 records sum to the profile's own total`, () => {
      const text = readFileSync(join(dir, "goroutine.debug1.txt"), "utf8");
      const claimed = Number(/^goroutine profile: total (\d+)$/m.exec(text)![1]);
      const d = readGoroutineFile(join(dir, "goroutine.debug1.txt"), DEFAULT_LIMITS);
      expect(d.format).toBe("goroutine-debug1");
      expect(d.claimedTotal).toBe(claimed);
      expect(goroutineTotal(d)).toBe(claimed);
      // records: one per "N @ 0x..." line
      expect(d.goroutines.length).toBe(text.split("\n").filter((l) => /^\d+ @ /.test(l)).length);
    });
    it(`${w}: proto total equals go tool pprof's`, () => {
      const f = join(dir, "goroutine.pb.gz");
      const d = readGoroutineFile(f, DEFAULT_LIMITS);
      expect(d.format).toBe("goroutine-proto");
      const top = runPprof(["-top", "-nodecount=1", f]).stdout;
      const m = /of (\d+) total/.exec(top);
      expect(m).not.toBeNull();
      expect(goroutineTotal(d)).toBe(Number(m![1]));
    });
  }

  it("leakserver: debug=1 keeps user frames and both formats count the leak", () => {
    // debug=1 hides the runtime frames at the top (printCountProfile), so its records
    // have no chansend frame; the user frame and the count are still there.
    const d1 = readGoroutineFile(join(CAPTURES, "leakserver/goroutine.debug1.txt"), DEFAULT_LIMITS);
    const pb = readGoroutineFile(join(CAPTURES, "leakserver/goroutine.pb.gz"), DEFAULT_LIMITS);
    const leak1 = d1.goroutines.find((g) => g.frames[0]?.func === "main.notifyAudit")!;
    const leakPb = pb.goroutines.find((g) => g.frames.some((f) => f.func === "main.notifyAudit"))!;
    // The harness writes goroutine.pb.gz, then goroutine.debug1.txt, while requests
    // keep leaking; leaked goroutines never go away, so the later debug=1 record can
    // only hold as many or a few more (the leak grows by a handful per millisecond).
    expect(leak1.count).toBeGreaterThanOrEqual(leakPb.count);
    expect(leak1.count - leakPb.count).toBeLessThanOrEqual(10);
    expect(waitClassOf(leakPb)).toBe("chan:send"); // proto keeps runtime.chansend1
  });

  it("converts to a Profile: one sample per goroutine with state and wait_class labels", () => {
    const d = readGoroutineFile(join(CAPTURES, "leakserver/goroutine.debug2.2.txt"), DEFAULT_LIMITS);
    const p = goroutineDumpToProfile(d);
    expect(p.samples.length).toBe(d.goroutines.length);
    let sum = 0;
    for (let i = 0; i < p.samples.length; i++) sum += p.samples.values[i]!;
    expect(sum).toBe(headerCount(readFileSync(join(CAPTURES, "leakserver/goroutine.debug2.2.txt"), "utf8")));
    const keys = new Set<string>();
    for (let i = 0; i < p.labels.length; i++) keys.add(p.str(p.labels.key[i]!));
    expect([...keys].sort()).toEqual(["state", "wait_class"]);
  });
});

// Layouts the machine's Go 1.26 does not print by default, written after the
// runtime's printing code (src/runtime/traceback.go of the versions named).
describe("layouts", () => {
  it("Go 1.13-1.20: created by without goroutine id; minutes; locked to thread", () => {
    const text = [
      "goroutine 1 [running]:",
      "main.main()",
      "\t/app/main.go:10 +0x1d",
      "",
      "goroutine 34 [chan send, 12 minutes]:",
      "main.worker(0xc00001e0c0, 0x3)",
      "\t/app/main.go:22 +0x45",
      "created by main.start",
      "\t/app/main.go:15 +0x85",
      "",
      "goroutine 7 [syscall, 3 minutes, locked to thread]:",
      "syscall.Syscall(0x0, 0x3, 0xc000100000, 0x1000)",
      "\t/usr/local/go/src/syscall/asm_linux_amd64.s:18 +0x5",
      "created by os/signal.init.0",
      "\t/usr/local/go/src/os/signal/signal_unix.go:23 +0x41",
      "",
    ].join("\n");
    const d = parseGoroutineText(text, "t");
    expect(d.goroutines.map((g) => g.id)).toEqual([1, 34, 7]);
    const g34 = d.goroutines[1]!;
    expect(g34).toMatchObject({ state: "chan send", waitMinutes: 12, lockedToThread: false });
    expect(g34.createdBy).toEqual({ func: "main.start", file: "/app/main.go", line: 15, goroutine: 0 });
    expect(g34.frames[0]).toEqual({ func: "main.worker", args: "0xc00001e0c0, 0x3", file: "/app/main.go", line: 22, offset: 0x45 });
    expect(d.goroutines[2]).toMatchObject({ state: "syscall", waitMinutes: 3, lockedToThread: true });
  });

  it("Go 1.21+ deep stacks: ...N frames elided... and ...additional frames elided...", () => {
    const text = [
      "goroutine 5 [running]:",
      "main.f(...)",
      "\t/app/main.go:3",
      "...250 frames elided...",
      "main.g()",
      "\t/app/main.go:9 +0x11",
      "",
      "goroutine 6 [select]:",
      "main.h()",
      "\t/app/main.go:12 +0x11",
      "...additional frames elided...",
      "created by main.k in goroutine 5",
      "\t/app/main.go:20 +0x2",
      "",
    ].join("\n");
    const d = parseGoroutineText(text, "t");
    expect(d.goroutines[0]!.elided).toBe(250);
    expect(d.goroutines[0]!.frames).toHaveLength(2);
    expect(d.goroutines[0]!.frames[0]).toMatchObject({ args: "...", offset: -1, line: 3 });
    expect(d.goroutines[1]!.elided).toBe(-1);
    expect(d.goroutines[1]!.createdBy?.goroutine).toBe(5);
  });

  it("Go 1.26: gp= m= mp= headers, (scan)/(leaked)/(durable), synctest bubble and labels", () => {
    // goroutineheader in Go 1.26 runtime/traceback.go: " gp=", gp, " m=", id, " mp=", m
    // (or " m=nil"), then " [", status, " (leaked)", " (scan)", " (durable)", ", N minutes",
    // ", locked to thread", ", synctest bubble N", " labels:{...}" (GODEBUG=tracebacklabels=1), "]:".
    const text = [
      'goroutine 9 gp=0xc000007a40 m=nil [chan receive (leaked), 2 minutes, locked to thread labels:{"handler": "order", "k": "a\\"b"}]:',
      "main.wait(0xc000020060)",
      "\t/app/main.go:30 +0x25 fp=0xc000051f80 sp=0xc000051f60 pc=0x48a1c5",
      "",
      "goroutine 10 gp=0xc000007c00 m=3 mp=0xc000080008 [select (durable), synctest bubble 4]:",
      "main.sel()",
      "\t/app/main.go:40 +0x25",
      "",
      "goroutine 11 [running]:",
      "\tgoroutine running on other thread; stack unavailable",
      "created by main.start in goroutine 1",
      "\t/app/main.go:15 +0x85",
      "",
      "goroutine 12 [GC worker (idle) (scan)]:",
      "runtime.gcBgMarkWorker(0xc000090000)",
      "\t/usr/local/go/src/runtime/mgc.go:1423 +0xe9",
      "",
    ].join("\n");
    const d = parseGoroutineText(text, "t");
    const [g9, g10, g11, g12] = d.goroutines;
    expect(g9).toMatchObject({ id: 9, state: "chan receive", flags: ["leaked"], waitMinutes: 2, lockedToThread: true, labels: { handler: "order", k: 'a"b' } });
    expect(g9!.frames[0]).toMatchObject({ line: 30, offset: 0x25, file: "/app/main.go" });
    expect(g10).toMatchObject({ state: "select (durable)", flags: ["synctest bubble 4"] });
    expect(waitClassOf(g10!)).toBe("select");
    expect(g11).toMatchObject({ stackUnavailable: true, frames: [] });
    expect(g11!.createdBy?.goroutine).toBe(1);
    expect(g12).toMatchObject({ state: "GC worker (idle)", flags: ["scan"] });
    expect(waitClassOf(g12!)).toBe("gc");
    expect(d.warnings).toEqual([]);
  });

  it("skips text before, between and after the dump", () => {
    const text = [
      "=== RUN   TestLeak",
      "some log line (with parens)",
      "goroutine 3 [chan receive]:",
      "main.w()",
      "\t/app/main.go:5 +0x1",
      "FAIL\tapp\t0.01s",
      "exit status 1",
      "",
    ].join("\n");
    const d = parseGoroutineText(text, "t");
    expect(d.goroutines).toHaveLength(1);
    expect(d.goroutines[0]!.frames).toHaveLength(1);
  });
});

describe("real crash output (crashers workload)", () => {
  const bin = join(ROOT, "test-output/bin/crashers");
  beforeAll(() => {
    if (!existsSync(bin)) {
      execFileSync("go", ["build", "-o", bin, "./crashers"], {
        cwd: join(ROOT, "testdata/workloads"),
        env: { ...process.env, GOFLAGS: "", GOWORK: "off", GOTOOLCHAIN: "local" },
        stdio: "pipe",
      });
    }
  });
  const run = (mode: string, env: Record<string, string> = {}, stream: "stdout" | "stderr" = "stderr") => {
    const r = spawnSync(bin, [mode], { env: { ...process.env, GOTRACEBACK: "all", ...env }, encoding: "utf8", timeout: 20_000 });
    return r[stream];
  };

  it("all goroutines are asleep - deadlock!", () => {
    const out = run("deadlock");
    const d = parseGoroutineData(Buffer.from(out), "deadlock.txt", DEFAULT_LIMITS);
    expect(d.format).toBe("traceback");
    expect(d.header).toEqual(["fatal error: all goroutines are asleep - deadlock!"]);
    expect(d.goroutines.length).toBe(headerCount(out));
    // the program's three goroutines: main in WaitGroup.Wait, a sender, a self-locker
    const classes = d.goroutines.map(waitClassOf).sort();
    expect(classes).toEqual(["chan:send", "sync:mutex", "sync:waitgroup"]);
  });

  it("panic with a locked-to-thread goroutine", () => {
    const out = run("panic");
    const d = parseGoroutineData(Buffer.from(out), "panic.txt", DEFAULT_LIMITS);
    expect(d.header[0]).toBe("panic: assignment to entry in nil map");
    expect(d.goroutines.length).toBe(headerCount(out));
    const locked = d.goroutines.filter((g) => g.lockedToThread);
    expect(locked).toHaveLength(1);
    expect(locked[0]!.frames.map((f) => f.func)).toEqual(["main.waitForever", "main.main.func3"]);
  });

  it("GOTRACEBACK=system: gp=/m= headers and fp= sp= pc= frames", () => {
    const out = run("panic", { GOTRACEBACK: "system" });
    expect(out).toMatch(/ gp=0x[0-9a-f]+ m=/);
    const d = parseGoroutineData(Buffer.from(out), "system.txt", DEFAULT_LIMITS);
    expect(d.goroutines.length).toBe(headerCount(out));
    expect(d.warnings).toEqual([]);
    const g1 = d.goroutines.find((g) => g.id === 1)!;
    expect(g1.frames.map((f) => f.func)).toContain("main.main");
    expect(g1.frames.at(-1)).toMatchObject({ func: "runtime.goexit", args: "{}" });
  });

  it("a 300-deep panic: ...N frames elided...", () => {
    const out = run("deep");
    const m = /\.\.\.(\d+) frames elided\.\.\./.exec(out);
    expect(m).not.toBeNull();
    const d = parseGoroutineData(Buffer.from(out), "deep.txt", DEFAULT_LIMITS);
    const g1 = d.goroutines.find((g) => g.id === 1)!;
    expect(g1.elided).toBe(Number(m![1]));
    // printed frames + elided = every frame: 301 recurse calls + main.main (+ runtime.main, goexit at GOTRACEBACK=all? no: hidden)
    expect(g1.frames.length + g1.elided).toBe(302);
  });

  it("tracebackancestors from runtime.Stack", () => {
    const out = run("dump", { GODEBUG: "tracebackancestors=5" }, "stdout");
    const d = parseGoroutineData(Buffer.from(out), "dump.txt", DEFAULT_LIMITS);
    expect(d.format).toBe("goroutine-debug2");
    const waiters = d.goroutines.filter((g) => g.frames[0]?.func === "main.waitForever");
    expect(waiters).toHaveLength(3);
    for (const g of waiters) expect(g.ancestors.map((a) => a.id)).toEqual([1]);
  });
});
