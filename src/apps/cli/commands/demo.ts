// `godiag demo [fault]`: the main job end to end on this machine. Builds one of our
// fault workloads (testdata/workloads/faults/) with the machine's Go, runs it on
// 127.0.0.1 with its own bounded load under `godiag run` (gctrace on, capture of
// every profile while it runs, clean stop), diagnoses the bundle and writes the
// HTML report. Without Go it diagnoses the capture of the same workload shipped in
// testdata/captures/, and says so.

import { spawnSync } from "node:child_process";
import type { IO } from "../flags.js";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { Runner } from "../../../api/capture.js";
import { openBundle, diagnose, renderDiagnosisHtml, renderDiagnosisText } from "../../../api/diagnose.js";
import { DEFAULT_LIMITS, UsageError } from "../../../api/errors.js";
import { lineRenderer } from "../progress.js";


const DEFAULT_FAULT = "lockcontention";
const noop = () => {};
/** The workload runs this long; the capture's CPU profile takes most of it. */
const RUN_SECONDS = 10;
const CAPTURE_SECONDS = 6;
const BUILD_TIMEOUT_MS = 120_000;

interface DemoFlags {
  html: string;
  list?: boolean;
  noGo?: boolean;
}

export function registerDemoCommand(program: Command, io: IO): void {
  program
    .command("demo")
    .description("build and run one of our fault workloads, diagnose it live, write an HTML report (about 20 s)")
    .argument("[fault]", `workload under testdata/workloads/faults (default ${DEFAULT_FAULT}; --list shows them)`)
    .option("--html <file>", "where to write the HTML report", "godiag-demo.html")
    .option("--list", "list the fault workloads")
    .option("--no-go", "do not use Go even if installed: diagnose the shipped capture")
    .action(async (fault: string | undefined, f: DemoFlags & { go?: boolean }) => {
      const root = repoRoot();
      const faults = root ? readdirSync(join(root, "testdata/workloads/faults")).sort() : [];
      if (f.list) {
        io.out(faults.join("\n") + "\n");
        return;
      }
      const name = fault ?? DEFAULT_FAULT;
      if (root && !faults.includes(name)) throw new UsageError(`unknown workload "${name}" (have: ${faults.join(", ")})`);
      const goVersion = f.go === false ? null : haveGo();
      let bundleDir: string;
      let cleanup = noop;
      if (root && goVersion) {
        const tmp = mkdtempSync(join(tmpdir(), "godiag-demo-"));
        cleanup = () => rmSync(tmp, { recursive: true, force: true });
        try {
          bundleDir = await liveRun(root, name, goVersion, tmp, io);
        } catch (e) {
          cleanup();
          throw e;
        }
      } else {
        const shipped = root ? join(root, "testdata/captures", name) : undefined;
        if (!shipped || !existsSync(shipped)) {
          throw new UsageError("no Go on PATH and no shipped capture found: run godiag demo from a clone of the repository");
        }
        io.err(
          `godiag demo: ${f.go === false ? "--no-go given" : "Go is not installed here"}: diagnosing the capture bundle ` +
            `shipped in ${shipped} (recorded from the same workload with the Go its manifest names).\n`,
        );
        bundleDir = shipped;
      }
      try {
        const bundle = await openBundle([bundleDir], { ...DEFAULT_LIMITS, maxFiles: 1000 }, { label: cleanup === noop ? undefined : "" });
        const d = diagnose(bundle);
        io.out(renderDiagnosisText(d, { color: process.stdout.isTTY === true }));
        writeFileSync(f.html, renderDiagnosisHtml(d, bundle));
        io.err(`godiag demo: HTML report written to ${resolve(f.html)}\n`);
      } finally {
        cleanup();
      }
    });
}

async function liveRun(root: string, name: string, goVersion: string, tmp: string, io: IO): Promise<string> {
  const bin = join(tmp, name);
  io.err(`godiag demo: building testdata/workloads/faults/${name} with ${goVersion} ...\n`);
  const b = spawnSync("go", ["build", "-o", bin, `./faults/${name}`], {
    cwd: join(root, "testdata/workloads"),
    encoding: "utf8",
    timeout: BUILD_TIMEOUT_MS,
    env: { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "" },
  });
  if (b.status !== 0) throw new UsageError(`go build failed: ${(b.stderr || String(b.error)).trim().split("\n")[0]}`);
  io.err(
    `godiag demo: running it on 127.0.0.1 for ${RUN_SECONDS} s (it drives its own load), ` +
      `capturing ${CAPTURE_SECONDS} s of profiles, then diagnosing ...\n`,
  );
  const progress = lineRenderer((s) => io.err(s));
  const out = join(tmp, "bundle");
  // Ctrl-C stops the workload (its own process group) instead of leaving it running.
  const runner = new Runner();
  const stop = () => runner.requestStop();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const r = await runner.run(
    {
      command: [bin, "-addr", "127.0.0.1:0", "-seconds", String(RUN_SECONDS + 30)],
      seconds: RUN_SECONDS,
      graceMs: 3000,
      out,
      capture: { seconds: CAPTURE_SECONDS },
      tee: () => {}, // gctrace lines go to the bundle, not the terminal
    },
    progress.onEvent,
  ).finally(() => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  });
  progress.stop();
  if (!r.capture) throw new UsageError(`the workload did not serve /debug/pprof during the run (exit ${r.exitCode ?? r.signal})`);
  return r.dir;
}

function haveGo(): string | null {
  const r = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8", timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The repository holding testdata/ (the bundle lives in dist/, sources in src/cli/). */
function repoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, "testdata/workloads/go.mod"))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}
