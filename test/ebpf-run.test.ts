// godiag run --ebpf: the program is started, captured and probed in one go, and the
// probes' files join the bundle (a .tar.gz too). A program without /debug/pprof is
// probed over the whole run: its on-CPU profile comes from eBPF alone.
// Needs root and bpftrace (skipped with the reason otherwise; CI has them).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { uprobeEvents } from "../src/ebpf/index.js";
import { available } from "./helpers/available.js";
import { buildSvc, ebpfMissing } from "./helpers/ebpf.js";
import { alive } from "./helpers/live.js";
import { runCli } from "./helpers/run.js";

const missing = ebpfMissing();
const canRun = available(missing === undefined, `eBPF (${missing})`) && available(spawnSync("go", ["version"]).status === 0, "go");

interface Json {
  findings: { category: string; functions: string[]; evidence: { kind: string }[] }[];
}

beforeAll(() => {
  if (canRun) spawnSync("sh", ["-c", "mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug"]);
});

describe("run/capture --probes without --ebpf, or a bad list: one line, exit 2", () => {
  it("run --probes without --ebpf", () => {
    const r = runCli(["run", "--probes", "cpu", "--", "true"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("godiag run: --probes needs --ebpf\n");
  });
  it("capture --ebpf --probes with an unknown probe", () => {
    const r = runCli(["capture", "http://127.0.0.1:1", "--ebpf", "--probes", "cpu,nosuch", "-o", join(mkdtempSync(join(tmpdir(), "godiag-ebpf-run-")), "b")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^godiag capture: --probes: unknown probe "nosuch".*\n$/);
  });
});

describe.skipIf(!canRun)("godiag run --ebpf", () => {
  it("a handler that fsyncs per request, bundle as .tar.gz: the probes are in it and diagnose names main.saveOrder", () => {
    const bin = buildSvc("1.26");
    const out = join(mkdtempSync(join(tmpdir(), "godiag-ebpf-run-")), "run.tar.gz");
    // syscalls is opt-in (it taxes every process's system calls): asked for, as a user would.
    const r = runCli(["run", "--ebpf", "--probes", "runq,cpu,tcp,fds,syscalls", "--seconds", "4", "-q", "-o", out, "--", bin, "-mode", "fsync", "-clients", "2"], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    // The program's own stdout comes first (run inherits it); the bundle is the last line.
    expect(r.stdout.trim().split("\n").at(-1)).toBe(out);
    const d = runCli(["diagnose", out, "--json"], { timeoutMs: 60_000 });
    const f = (JSON.parse(d.stdout) as Json).findings.find((x) => x.category === "fsync-per-request");
    expect(f, d.stdout).toBeDefined();
    expect(f!.functions[0]).toBe("main.saveOrder");
    expect(f!.evidence[0]!.kind).toContain("seen only by eBPF");
    expect(uprobeEvents().filter((l) => l.includes(bin))).toEqual([]);
  }, 150_000);

  it("a program without /debug/pprof: probed over the run; its on-CPU profile (checked by go tool pprof) shows main.spin", () => {
    const bin = buildSvc("1.26");
    const dir = join(mkdtempSync(join(tmpdir(), "godiag-ebpf-run-")), "idle");
    // idle mode: a 2 ms ticker spinning 1e6 iterations (about half a CPU), no HTTP at all.
    // --probes: only the on/off-CPU profiles and the fd sampler (the cheap set the overhead notes suggest).
    const r = runCli(["run", "--ebpf", "--probes", "cpu,fds", "--seconds", "4", "-q", "-o", dir, "--", bin, "-mode", "idle", "-nopprof", "-tickwork", "1000000"], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { files: { kind: string; error?: string }[] };
    expect(m.files.map((f) => f.kind).sort()).toEqual(["ebpf", "ebpf-offcpu", "ebpf-oncpu", "gctrace"]);
    expect(m.files.filter((f) => f.error !== undefined)).toEqual([]);
    const report = JSON.parse(readFileSync(join(dir, "ebpf.json"), "utf8")) as { target: { pid: number; binary: string }; probes: string[] };
    expect(report.target.binary).toBe(bin);
    expect(report.probes).toEqual(["cpu", "fds"]);
    expect(alive(report.target.pid)).toBe(false);
    const top = spawnSync("go", ["tool", "pprof", "-top", "-nodecount=50", join(dir, "ebpf-oncpu.pb.gz")], { encoding: "utf8" });
    expect(top.status, top.stderr).toBe(0);
    expect(top.stdout).toMatch(/\bmain\.spin\b/);
    expect(uprobeEvents().filter((l) => l.includes(bin))).toEqual([]);
  }, 150_000);
});
