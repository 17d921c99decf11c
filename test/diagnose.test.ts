// diagnose on the captures of our fault workloads (testdata/captures/, made by
// scripts/captures.mjs from testdata/workloads/faults/ with the machine's Go).
// Expected values come from how each program is written: the category of the fault
// it injects and the function that injects it (named in each workload's comment).

import { mkdtempSync, readFileSync, cpSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tar from "tar";
import { describe, expect, it } from "vitest";
import { openBundle } from "../src/bundle/read.js";
import { diagnose } from "../src/diagnose/engine.js";
import { type CATEGORIES } from "../src/diagnose/finding.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { ROOT, runCli } from "./helpers/run.js";

const CAPTURES = join(ROOT, "testdata/captures");
const LIMITS = { ...DEFAULT_LIMITS, maxFiles: 1000 };

interface Expect {
  workload: string;
  category: (typeof CATEGORIES)[number];
  /** the injected function: must be in the top finding's functions */
  fn: string;
}

const FAULTS: Expect[] = [
  { workload: "lockcontention", category: "mutex-contention", fn: "main.(*registry).touch" },
  { workload: "cpuhotspot", category: "cpu-hotspot", fn: "main.validateEmail" },
  { workload: "backpressure", category: "channel-backpressure", fn: "main.enqueueJob" },
  { workload: "tinywrites", category: "syscall-heavy", fn: "main.writeAuditRecord" },
  { workload: "gcpressure", category: "gc-pressure", fn: "main.buildRequestTree" },
  { workload: "memlimit", category: "memory-limit-thrash", fn: "main.loadDataset" },
  { workload: "heapgrowth", category: "heap-growth", fn: "main.cacheResponse" },
  { workload: "leakserver", category: "goroutine-leak", fn: "main.notifyAudit" },
  { workload: "notimeout", category: "connection-pileup", fn: "net/http.(*conn).serve" },
  { workload: "deadlock", category: "deadlock", fn: "main.transferFunds" },
];

async function run(dir: string) {
  return diagnose(await openBundle([dir], LIMITS));
}

describe("diagnose: fault workloads", () => {
  for (const f of FAULTS) {
    it(`${f.workload}: top finding is ${f.category} naming ${f.fn}`, async () => {
      const d = await run(join(CAPTURES, f.workload));
      expect(d.ruleErrors).toEqual([]);
      const top = d.findings[0];
      expect(top, "a finding").toBeDefined();
      expect(top!.category).toBe(f.category);
      expect(top!.functions).toContain(f.fn);
      expect(top!.severity).not.toBe("info");
      // Every finding's evidence cites a file of the bundle and numbers.
      for (const fi of d.findings) {
        expect(fi.evidence.length).toBeGreaterThan(0);
        for (const e of fi.evidence) {
          expect(d.inputs.map((i) => i.path)).toContain(e.source);
          expect(Object.keys(e.numbers).length).toBeGreaterThan(0);
        }
      }
    });
  }

  it("healthy control: nothing above info", async () => {
    const d = await run(join(CAPTURES, "healthy"));
    expect(d.ruleErrors).toEqual([]);
    expect(d.findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it("lock-order deadlock names both sides of the inversion", async () => {
    // deadlock/main.go: transferFunds locks accountsMu then ledgerMu, auditLedger the reverse
    const d = await run(join(CAPTURES, "deadlock"));
    expect(d.findings[0]!.functions).toEqual(expect.arrayContaining(["main.transferFunds", "main.auditLedger"]));
  });

  it("unbuffered writes under a lock: the writes explain the lock contention", async () => {
    const d = await run(join(CAPTURES, "tinywrites"));
    const mutex = d.findings.find((f) => f.category === "mutex-contention");
    expect(mutex, "the audit lock is contended (tinywrites holds it across the writes)").toBeDefined();
    expect(d.findings[0]!.explains).toContain(mutex!.id);
  });
});

describe("diagnose: inputs", () => {
  it("recognises files by content in a loose directory with misleading names", async () => {
    const dir = mkdtempSync(join(tmpdir(), "godiag-loose-"));
    try {
      const src = join(CAPTURES, "lockcontention");
      const names: Record<string, string> = {
        "cpu.pb.gz": "a.bin",
        "mutex.pb.gz": "b.bin",
        "block.pb.gz": "c.bin",
        "goroutine.debug2.2.txt": "d.txt",
        "gctrace.log": "e.txt",
        "heap.debug1.txt": "f.txt",
        "vars.json": "g.txt",
        "allocs.pb.gz": "h.bin",
        "heap.pb.gz": "i.bin",
      };
      for (const [from, to] of Object.entries(names)) cpSync(join(src, from), join(dir, to));
      const b = await openBundle([dir], LIMITS);
      const kinds = Object.fromEntries(b.files.map((f) => [f.path.split("/").pop(), f.kind]));
      expect(kinds).toEqual({
        "a.bin": "cpu",
        "b.bin": "mutex",
        "c.bin": "block",
        "d.txt": "goroutine-debug2",
        "e.txt": "gctrace",
        "f.txt": "heap-debug1",
        "g.txt": "expvar",
        "h.bin": "allocs",
        "i.bin": "heap",
      });
      expect(diagnose(b).findings[0]!.category).toBe("mutex-contention");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads a bundle .tar.gz like its directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "godiag-tgz-"));
    try {
      const file = join(dir, "b.tar.gz");
      await tar.c({ gzip: true, file, cwd: CAPTURES }, ["cpuhotspot"]);
      const fromTar = diagnose(await openBundle([file], LIMITS));
      const fromDir = await run(join(CAPTURES, "cpuhotspot"));
      expect(fromTar.findings.map((f) => f.id)).toEqual(fromDir.findings.map((f) => f.id));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("bad inputs: one line, exit 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "godiag-bad-"));
    try {
      const junk = join(dir, "junk.bin");
      writeFileSync(junk, Buffer.from([1, 2, 3, 250, 251, 0, 9]));
      const badManifest = join(dir, "bundle");
      mkdirSync(badManifest);
      writeFileSync(join(badManifest, "manifest.json"), '{"godiag": 1, "files": 3}');
      const notTar = join(dir, "x.tar.gz");
      writeFileSync(notTar, "not a tarball");
      for (const [args, re] of [
        [[junk], /junk\.bin: no Go profiles/],
        [[join(dir, "missing")], /missing: no such file/],
        [[badManifest], /manifest\.json: invalid manifest at/],
        [[notTar], /x\.tar\.gz: not a readable tar archive/],
      ] as Array<[string[], RegExp]>) {
        const r = runCli(["diagnose", ...args]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(re);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("CLI: text fits 100 columns, exit codes follow severity, --json and --md", () => {
    const crit = runCli(["diagnose", join(CAPTURES, "cpuhotspot")]);
    expect(crit.code).toBe(3);
    for (const line of crit.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
    expect(crit.stdout).toMatch(/main\.validateEmail/);
    const ok = runCli(["diagnose", join(CAPTURES, "healthy")]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Verdict: no problem found/);
    const dir = mkdtempSync(join(tmpdir(), "godiag-md-"));
    try {
      const md = join(dir, "r.md");
      const j = runCli(["diagnose", "--json", "--md", md, join(CAPTURES, "backpressure")]);
      const parsed = JSON.parse(j.stdout) as { findings: Array<{ category: string; functions: string[] }> };
      expect(parsed.findings[0]!.category).toBe("channel-backpressure");
      expect(readFileSync(md, "utf8")).toMatch(/^# godiag diagnosis: backpressure/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
