// Issue 20, the exit-code contract as scripts meet it: every failure that is not
// godiag's bug is exit 2 with exactly one line (README "Exit codes"); a reader
// that goes away (EPIPE) is a quiet exit 0; streams and FIFOs are read, not
// taken for empty files; messages name commands and flags that exist.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, ROOT, runCli } from "./helpers/run.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-rel-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CAP = join(ROOT, "testdata/corpus/profilesvc/capture-go126-heavy");
const CPU = join(CAP, "cpu.pb.gz");
const DUMP = join(CAP, "goroutine.debug2.1.txt");
const GCTRACE = join(CAP, "stderr.txt");

function oneLine(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l !== "");
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |internal error/);
  return lines[0]!;
}

/** Runs a shell pipeline; returns godiag's own exit status (PIPESTATUS[0]) and stderr. */
function pipeline(godiagArgs: string, after: string): { code: number; stderr: string } {
  const script = `node ${CLI} ${godiagArgs} 2>${join(tmp, "err.txt")} ${after}; echo "\${PIPESTATUS[0]}" > ${join(tmp, "code.txt")}`;
  spawnSync("bash", ["-c", script], { encoding: "utf8", timeout: 30_000 });
  return { code: Number(readFileSync(join(tmp, "code.txt"), "utf8").trim()), stderr: readFileSync(join(tmp, "err.txt"), "utf8") };
}

describe("output failures", () => {
  it("`godiag raw x | head -1`: EPIPE is a quiet exit 0 (was: a stack trace)", () => {
    const r = pipeline(`raw ${CPU}`, "| head -1 >/dev/null");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("stdout on a full disk (/dev/full): one line, exit 2 (was: a stack trace)", () => {
    const r = pipeline(`top ${CPU}`, ">/dev/full");
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe("godiag: cannot write standard output: no space left on device (ENOSPC)");
  });

  it("-o / --md into a missing directory: one line naming the path, exit 2 (was: internal error)", () => {
    const out = join(tmp, "no/such/dir/x");
    for (const args of [["convert", "--to", "folded", "-o", out, CPU], ["flame", CPU, "-o", `${out}.html`], ["diagnose", "--md", `${out}.md`, CAP]]) {
      const r = runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(oneLine(r.stderr)).toMatch(new RegExp(`^godiag: cannot write ${out.replace(/[/.]/g, "\\$&")}(\\.html|\\.md)?: no such file or directory \\(ENOENT\\)$`));
    }
  });
});

describe("inputs", () => {
  it("a corrupt single input to diagnose is exit 2 naming it, not 'no problem found' exit 0", () => {
    const v = join(tmp, "vars.json");
    writeFileSync(v, '{"cmdline":["x"],"memstats":{"Alloc":1}}');
    const r = runCli(["diagnose", v]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain(`${v}: not /debug/vars JSON: memstats.NumGC`);
    expect(r.stdout).not.toContain("no problem found");
  });

  it("stdin '-' and /dev/stdin from a pipe are read (was: 'no such file' / 'empty input file')", () => {
    for (const name of ["-", "/dev/stdin"]) {
      const r = spawnSync("bash", ["-c", `cat ${CPU} | node ${CLI} top --nodecount 1 ${name}`], { encoding: "utf8", timeout: 30_000 });
      const want = runCli(["top", "--nodecount", "1", CPU]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.split("\n").slice(2)).toEqual(want.stdout.split("\n").slice(2));
    }
    const g = spawnSync("bash", ["-c", `node ${CLI} goroutines - < ${DUMP}`], { encoding: "utf8", timeout: 30_000 });
    expect(g.status, g.stderr).toBe(0);
    expect(g.stdout).toMatch(/^-: 332 goroutines/);
  });

  it("a FIFO: read once a writer comes; with no writer, one line after the idle timeout (was: blocked forever)", async () => {
    const fifo = join(tmp, "fifo");
    spawnSync("mkfifo", [fifo]);
    const t0 = Date.now();
    const lonely = spawnSync(process.execPath, [CLI, "top", fifo], { encoding: "utf8", timeout: 20_000, env: { ...process.env, GODIAG_STREAM_TIMEOUT: "1000" } });
    expect(lonely.signal).toBeNull();
    expect(lonely.status).toBe(2);
    expect(oneLine(lonely.stderr)).toBe(`godiag: ${fifo}: no writer opened the FIFO within 1 s (at byte 0)`);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // With a writer arriving after godiag opened the FIFO.
    const child = spawn(process.execPath, [CLI, "top", "--nodecount", "1", fifo], { env: { ...process.env, GODIAG_STREAM_TIMEOUT: "5000" } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 300));
    spawnSync("bash", ["-c", `cat ${CPU} > ${fifo}`], { timeout: 10_000 });
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code).toBe(0);
    expect(out).toContain("Type: cpu");
  }, 30_000);

  it("a goroutine dump or gctrace log given to top/flame names the command that reads it", () => {
    const top = runCli(["top", DUMP]);
    expect(top.code).toBe(2);
    expect(oneLine(top.stderr)).toContain("not a profile: this is a goroutine dump (goroutine?debug=2 or a crash traceback): read it with `godiag goroutines`");
    const flame = runCli(["flame", GCTRACE, "-o", join(tmp, "x.html")]);
    expect(flame.code).toBe(2);
    expect(oneLine(flame.stderr)).toContain("not a profile: this is a gctrace log: read it with `godiag gc`");
  });

  it("JSON errors: one line with the byte offset, no excerpt carrying the input's newline", () => {
    const f = join(tmp, "nl.json");
    // The fault 'x' is at byte 58 (counted by hand: 19 + 25 + 14).
    writeFileSync(f, '{"cmdline": ["x"],\n"memstats": {"NumGC": 1,\n "HeapAlloc": x}}\n');
    const r = runCli(["gc", f]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`godiag: ${f}: not /debug/vars JSON: Unexpected token 'x' (at byte 58)`);
  });
});

describe("usage", () => {
  it("a near-miss flag: one line with 'Did you mean' (was: two lines)", () => {
    for (const flag of ["--sampleindex=x", "-sampleindex=x"]) {
      const r = runCli(["top", flag, CPU]);
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toBe("godiag: unknown option '--sampleindex=x' (Did you mean --sample_index?)");
    }
  });

  it("every flag a message suggests exists on the commands that can print it", () => {
    // Suggestions in the sources: "(raise with --x)", "raise the limit with --x".
    const suggested = new Set<string>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts")) for (const m of readFileSync(p, "utf8").matchAll(/raise[^`"\n]*?(--[a-z_-]+)/g)) suggested.add(m[1]!);
      }
    };
    walk(join(ROOT, "src"));
    expect([...suggested].sort()).toEqual(["--max_bytes", "--max_decompressed", "--max_input"]);
    const help = (cmd: string) => runCli([cmd, "--help"]).stdout;
    for (const cmd of ["top", "flame", "convert", "goroutines", "gc", "diagnose"]) {
      expect(help(cmd), cmd).toContain("--max_input");
      expect(help(cmd), cmd).toContain("--max_decompressed");
    }
    expect(help("bench")).toContain("--max_input");
    for (const cmd of ["capture", "run"]) {
      expect(help(cmd), cmd).toContain("--max_bytes");
      expect(help(cmd), cmd).toContain("--max_decompressed");
    }
  }, 60_000);
});

describe("live targets", () => {
  async function closedPort(): Promise<number> {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    await new Promise((r) => srv.close(r));
    return port;
  }

  it("`diagnose 127.0.0.1:PORT` is a live target like capture's (was: 'no such file'); nothing there: exit 2, fast", async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const r = runCli(["diagnose", "-q", `127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("no such file");
    expect(r.stderr).toContain("connection refused");
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 30_000);

  it("a port fetch refuses (:9): one reason, exit 2 at once (was: 15 failures and the whole CPU window)", () => {
    for (const args of [["diagnose", "-q", "127.0.0.1:9"], ["capture", "-q", "http://127.0.0.1:9", "-o", join(tmp, "cap9")]]) {
      const t0 = Date.now();
      const r = runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(oneLine(r.stderr)).toContain("blocked port: Node's fetch refuses to connect to it");
      expect(Date.now() - t0).toBeLessThan(8_000);
    }
  }, 30_000);
});
