// Run the built CLI under GNU time to learn its peak RSS: the reliability tests
// assert memory bounds on the process a user runs, not on an in-process call.

import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { CLI } from "./run.js";

export const HAS_GNU_TIME = existsSync("/usr/bin/time");

export interface Measured {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stderr without GNU time's own last line */
  stderr: string;
  /** peak resident set, MB (NaN without /usr/bin/time) */
  rssMB: number;
  ms: number;
}

/** Runs `node dist/godiag.mjs args` (killed after timeoutMs); `input` goes to its stdin. */
export function runMeasured(args: string[], opts: { timeoutMs?: number; input?: string | Buffer; cwd?: string } = {}): Measured {
  const t0 = Date.now();
  const argv = HAS_GNU_TIME ? ["/usr/bin/time", "-f", "RSSKB=%M", process.execPath, CLI, ...args] : [process.execPath, CLI, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 30_000,
    input: opts.input,
    cwd: opts.cwd,
    maxBuffer: 64 << 20,
    env: { ...process.env, TZ: "UTC" },
  });
  const ms = Date.now() - t0;
  let stderr = r.stderr ?? "";
  let rssMB = NaN;
  const m = /(?:^|\n)(?:Command exited with non-zero status \d+\n)?RSSKB=(\d+)\n?$/.exec(stderr);
  if (m) {
    rssMB = Number(m[1]) / 1024;
    stderr = stderr.slice(0, m.index + (m[0].startsWith("\n") ? 1 : 0));
  }
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? "", stderr, rssMB, ms };
}

/** runMeasured without blocking the event loop: for a CLI talking to a server in this process. */
export function runMeasuredAsync(args: string[], opts: { timeoutMs?: number } = {}): Promise<Measured> {
  const t0 = Date.now();
  const argv = HAS_GNU_TIME ? ["/usr/bin/time", "-f", "RSSKB=%M", process.execPath, CLI, ...args] : [process.execPath, CLI, ...args];
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, TZ: "UTC" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      let rssMB = NaN;
      const m = /(?:^|\n)(?:Command (?:exited with non-zero status \d+|terminated by signal \d+)\n)?RSSKB=(\d+)\n?$/.exec(stderr);
      if (m) {
        rssMB = Number(m[1]) / 1024;
        stderr = stderr.slice(0, m.index + (m[0].startsWith("\n") ? 1 : 0));
      }
      // Under GNU time the child's own status is time's status.
      resolve({ code, signal, stdout, stderr, rssMB, ms: Date.now() - t0 });
    });
  });
}
