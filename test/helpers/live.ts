// Live Go workloads for capture/run tests: build once into test-output/bin,
// start in their own process group (so a kill takes any children too), read
// the "listening on URL" line, and always stop them (stopAll in afterAll).

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./run.js";

const WORKLOADS = join(ROOT, "testdata/workloads");
const BIN = join(ROOT, "test-output/bin");

/** Build testdata/workloads/<pkg> (e.g. "badtarget", "faults/healthy") once; returns the binary path. */
export function buildWorkload(pkg: string): string {
  const out = join(BIN, pkg.replaceAll("/", "-"));
  const src = join(WORKLOADS, pkg, "main.go");
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(BIN, { recursive: true });
    execFileSync("go", ["build", "-o", out, `./${pkg}`], { cwd: WORKLOADS, stdio: "pipe", timeout: 180_000 });
  }
  return out;
}

export interface Live {
  url: string;
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

const running = new Set<Live>();

/** Start a workload and wait for its "listening on" line (bounded). */
export function startLive(bin: string, args: string[], opts: { shell?: string } = {}): Promise<Live> {
  const child = opts.shell
    ? spawn("bash", ["-c", `${opts.shell}; exec "$0" "$@"`, bin, ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"] })
    : spawn(bin, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stderr!.resume();
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => {
      kill(child);
      reject(new Error(`${bin}: no "listening on" line within 10 s`));
    }, 10_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited early (${code})`));
    });
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (https?:\/\/\S+)/.exec(buf);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout!.removeAllListeners("data");
      child.stdout!.resume();
      const live: Live = {
        url: m[1]!,
        child,
        pid: child.pid!,
        stop: () => {
          running.delete(live);
          return stopChild(child);
        },
      };
      running.add(live);
      resolve(live);
    });
  });
}

function kill(child: ChildProcess, sig: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(-child.pid!, sig);
  } catch {
    // already gone
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => kill(child, "SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    kill(child, "SIGTERM");
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((l) => l.stop()));
}

/** Is a pid alive (and not a zombie)? */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}
