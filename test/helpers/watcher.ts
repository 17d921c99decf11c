// Run `godiag watch` (the built CLI) as a user would, in its own process: read the
// metrics URL it prints, collect its log lines, stop it with SIGTERM or kill -9.

import { spawn, type ChildProcess } from "node:child_process";
import { CLI } from "./run.js";

export interface RunningWatcher {
  child: ChildProcess;
  url: string;
  lines: string[];
  /** SIGTERM and wait: the exit code */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

export function startWatcher(args: string[]): Promise<RunningWatcher> {
  const child = spawn(process.execPath, [CLI, "watch", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TZ: "UTC" } });
  const lines: string[] = [];
  let buf = "";
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`watcher printed no metrics URL in 20 s:\n${lines.join("\n")}`)), 20_000);
    child.stdout!.resume();
    child.stderr!.on("data", (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split("\n");
      buf = parts.pop()!;
      for (const l of parts) {
        lines.push(l);
        const m = /metrics on (http:\/\/\S+)\/metrics/.exec(l);
        if (m) {
          clearTimeout(timer);
          resolve({
            child,
            url: m[1]!,
            lines,
            stop: async () => {
              child.kill("SIGTERM");
              return exited;
            },
            kill9: async () => {
              child.kill("SIGKILL");
              await exited;
            },
          });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`watcher exited (${code}) before listening:\n${lines.join("\n")}${buf}`));
    });
  });
}

/** Wait until cond() holds (polling), or fail after ms. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** The value of a metric with the given labels in a /metrics text, or undefined. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{") && line.split(" ")[0] !== name) continue;
    const m = /^([^{\s]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}
