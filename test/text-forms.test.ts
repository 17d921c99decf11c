// Logs as users hand them over. A real Go program runs with GODEBUG=gctrace=1, its
// stdout+stderr to one file as `./svc > app.log 2>&1` does, and is stopped with
// `kill -QUIT`: the log holds gctrace lines and then the runtime's traceback. The same
// log is then written the way log collectors print it, each line behind a prefix in the
// documented format of `kubectl logs --timestamps` / `docker logs -t` (RFC 3339 time and
// a space), of the container runtime's files under /var/log/pods (CRI: time, stream,
// F), and of journalctl's short format (time, host, unit[pid]:). Expected values come
// from the raw log by line count (grep's view): the GC cycles are its lines starting
// "gc N @", the goroutines its lines starting "goroutine N ". And text saved on Windows:
// PowerShell 5.1's `>` writes UTF-16 with a byte-order mark (and CRLF line ends).
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromUtf16, stripLogPrefixes } from "../src/core/input/index.js";
import { buildWorkload } from "./helpers/live.js";
import { runCli } from "./helpers/run.js";

let dir = "";
let raw = "";

const count = (text: string, re: RegExp) => text.split("\n").filter((l) => re.test(l)).length;
const GC_LINE = /^gc \d+ @/;
const G_HEADER = /^goroutine \d+ /;

const t = (i: number) => `2026-12-06T20:${String(10 + Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.${String(123456789 + i)}Z`;
const FORMATS: Record<string, (line: string, i: number) => string> = {
  kubectl: (l, i) => `${t(i)} ${l}`,
  cri: (l, i) => `${t(i)} stderr F ${l}`,
  journald: (l, i) => `Dec  6 20:10:${String(i % 60).padStart(2, "0")} web-1 gcsteady[4242]: ${l}`,
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "godiag-logs-"));
  const bin = buildWorkload("gcsteady");
  mkdirSync(join(dir, "raw"));
  const logPath = join(dir, "raw", "app.log");
  const fd = openSync(logPath, "w");
  const child = spawn(bin, ["-live-mib", "8", "-rate-mib", "64", "-seconds", "30"], { stdio: ["ignore", fd, fd], env: { ...process.env, GODEBUG: "gctrace=1" } });
  closeSync(fd);
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const deadline = Date.now() + 20_000;
  while (count(readFileSync(logPath, "utf8"), GC_LINE) < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child.kill("SIGQUIT");
  await exited;
  raw = readFileSync(logPath, "utf8");
  for (const [name, prefix] of Object.entries(FORMATS)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, "app.log"), raw.split("\n").map((l, i) => (l === "" ? l : prefix(l, i))).join("\n"));
  }
  // as PowerShell's `>` writes it: UTF-16LE with a BOM, CRLF; and big-endian with its BOM
  const crlf = raw.replaceAll("\n", "\r\n");
  mkdirSync(join(dir, "utf16le"));
  writeFileSync(join(dir, "utf16le", "app.log"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(crlf, "utf16le")]));
  mkdirSync(join(dir, "utf16be"));
  writeFileSync(join(dir, "utf16be", "app.log"), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(crlf, "utf16le").swap16()]));
}, 60_000);

/** godiag gc and godiag goroutines on the file read what the raw log holds. */
function expectSameAsRaw(file: string): void {
  const gc = runCli(["gc", "--json", file]);
  expect(gc.code, gc.stderr).toBe(0);
  expect((JSON.parse(gc.stdout) as { gctrace: { summary: { cycles: number } } }).gctrace.summary.cycles).toBe(count(raw, GC_LINE));
  const g = runCli(["goroutines", "--json", file]);
  expect(g.code, g.stderr).toBe(0);
  expect((JSON.parse(g.stdout) as { total: number }).total).toBe(count(raw, G_HEADER));
}

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a service's log after kill -QUIT: gctrace lines, then the traceback", () => {
  it("the raw log holds both (the program's known behaviour)", () => {
    expect(count(raw, GC_LINE)).toBeGreaterThanOrEqual(5);
    expect(raw).toContain("SIGQUIT: quit");
    expect(count(raw, G_HEADER)).toBeGreaterThanOrEqual(2);
  });

  it("a folder holding it is read as the GC log and as the dump, with or without prefixes", () => {
    for (const sub of ["raw", ...Object.keys(FORMATS)]) {
      const r = runCli(["diagnose", "--json", join(dir, sub)]);
      expect(r.code, r.stderr).toBe(0);
      const read = (JSON.parse(r.stdout) as { inputs: { path: string; kind: string }[] }).inputs.map((x) => x.kind);
      expect(read.sort(), sub).toEqual(["gctrace", "goroutine-debug2"]);
    }
  });

  it("godiag gc reads its cycles", () => {
    const r = runCli(["gc", "--json", join(dir, "raw", "app.log")]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { gctrace: { summary: { cycles: number } } }).gctrace.summary.cycles).toBe(count(raw, GC_LINE));
  });
});

describe.each(["utf16le", "utf16be"])("the same log saved as %s with a byte-order mark (PowerShell's >)", (name) => {
  const file = () => join(dir, name, "app.log");

  it("gives the same GC cycles and the same goroutines as the raw log", () => {
    expectSameAsRaw(file());
    const d = runCli(["diagnose", "--json", join(dir, name)]);
    expect(d.stderr).toBe("");
    expect((JSON.parse(d.stdout) as { inputs: { kind: string }[] }).inputs.map((x) => x.kind).sort()).toEqual(["gctrace", "goroutine-debug2"]);
  });

  it("is the raw text again, CRLF aside", () => {
    expect(Buffer.from(fromUtf16(readFileSync(file()))).toString("utf8")).toBe(raw.replaceAll("\n", "\r\n"));
  });
});

describe.each(Object.keys(FORMATS))("the same log as printed with %s's prefixes", (name) => {
  const file = () => join(dir, name, "app.log");

  it("gives the same GC cycles and the same goroutines as the raw log", () => expectSameAsRaw(file()));

  it("takes the prefix off every line, one line for one line", () => {
    const prefixed = readFileSync(file());
    const out = Buffer.from(stripLogPrefixes(prefixed)).toString("utf8");
    expect(out.split("\n")).toHaveLength(raw.split("\n").length);
    expect(out).toBe(raw);
  });
});

describe("a log without a collector's prefix", () => {
  it("is left as it is (the same bytes)", () => {
    const b = Buffer.from("2026/12/06 20:00:01 listening on :8080\ngc 1 @0.01s 0%: ...\n");
    expect(stripLogPrefixes(b)).toBe(b);
  });
});
