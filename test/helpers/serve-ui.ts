// Start `godiag serve` (the built CLI, as users run it) and read the URL it prints.

import { spawn } from "node:child_process";
import { CLI, ROOT } from "./run.js";

export interface RunningServe {
  url: string;
  /** the first line(s) the server printed */
  stdout: string;
  stderr(): string;
  stop(): Promise<void>;
}

export function startServe(args: string[], opts: { cwd?: string } = {}): Promise<RunningServe> {
  const child = spawn(process.execPath, [CLI, "serve", ...args], { cwd: opts.cwd ?? ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TZ: "UTC" } });
  let out = "";
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`godiag serve printed no URL in 60s; stderr: ${err}`));
    }, 60_000);
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /godiag serve: (http:\/\/\S+)/.exec(out);
      if (m !== null && out.includes("\n")) {
        clearTimeout(timer);
        // give a non-loopback server the time to print its second line
        setTimeout(
          () =>
            resolve({
              url: m[1]!,
              stdout: out,
              stderr: () => err,
              stop: () => {
                child.kill("SIGTERM");
                return exited;
              },
            }),
          50,
        );
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`godiag serve exited (${code}) before serving: ${err}`));
    });
  });
}
