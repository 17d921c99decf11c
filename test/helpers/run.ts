// Shared test helpers: run godiag's report pipeline in-process or as the CLI,
// and find the peer tools (go tool pprof) when the machine has them.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadProfiles } from "../../src/api/profiles.js";
import { defaultConfig, type ReportConfig, type ReportKind } from "../../src/pprof/report/config.js";
import { renderReport } from "../../src/pprof/report/render.js";
import { prepareReport } from "../../src/pprof/report/report.js";
import { DEFAULT_LIMITS } from "../../src/core/input/errors.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CORPUS = resolve(ROOT, "../shared/corpus");
export const CLI = join(ROOT, "dist/godiag.mjs"); // the bundled bin users run

export interface RunInput {
  sources: string[];
  bases?: string[];
  diffBase?: boolean;
  normalize?: boolean;
  addComment?: string;
}

/** Run a report in-process; returns [stdout, stderr]. */
export function runReport(kind: ReportKind, input: RunInput, cfg: Partial<ReportConfig>): [string, string] {
  let err = "";
  const p = loadProfiles(
    {
      sources: input.sources,
      bases: input.bases ?? [],
      diffBase: input.diffBase ?? false,
      normalize: input.normalize ?? false,
      limits: DEFAULT_LIMITS,
    },
    (s) => (err += s),
  );
  if (input.addComment) p.comments = [...p.comments, input.addComment];
  const rpt = prepareReport(p, kind, { ...defaultConfig(), ...cfg }, (m) => (err += m + "\n"));
  return [renderReport(rpt, false), err];
}

/** Run the built CLI (dist/) as a user would. */
export function runCli(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 30_000,
    env: { ...process.env, TZ: "UTC", ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

let pprofPath: string | null | undefined;

/**
 * A built `go tool pprof` binary (built once into test-output/), or null without Go.
 * Building it once avoids the go command's start-up on each of hundreds of calls.
 */
export function pprofBinary(): string | null {
  if (pprofPath !== undefined) return pprofPath;
  pprofPath = null;
  const which = spawnSync("go", ["version"], { encoding: "utf8" });
  if (which.status !== 0) return null;
  const out = join(ROOT, "test-output/bin/pprof");
  if (!existsSync(out)) {
    mkdirSync(dirname(out), { recursive: true });
    execFileSync("go", ["build", "-o", out, "cmd/pprof"], { stdio: "pipe", timeout: 300_000 });
  }
  pprofPath = out;
  return out;
}

/** Run go tool pprof with args; returns stdout, stderr and exit code. */
export function runPprof(args: string[]) {
  const bin = pprofBinary();
  if (bin === null) throw new Error("no pprof");
  const r = spawnSync(bin, args, {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, TZ: "UTC", PPROF_TMPDIR: join(ROOT, "test-output/pprof-tmp"), PPROF_BINARY_PATH: "/nonexistent" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
