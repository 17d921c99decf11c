// Real network traffic for the net tests: Go programs from testdata/net run inside a
// network namespace the test creates (ip netns), with tcpdump capturing and nftables
// rules making faults (packet loss with `numgen random`). Everything the namespace holds
// (processes, nft rules) goes with destroy(), which the tests call in afterAll/finally.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ANY_RETRANSMISSION, TCP_ANALYSIS as A } from "../../src/api/net.js";
import { ROOT } from "./run.js";

const GOENV = { ...process.env, GOWORK: "off", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" };

/** The tools the net tests need: root (namespaces, tcpdump), ip, nft, tcpdump, tshark, go. */
export function netToolsPresent(): boolean {
  if (process.getuid?.() !== 0) return false;
  for (const tool of ["ip", "nft", "tcpdump", "tshark", "editcap", "go", "openssl"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return false;
  }
  return true;
}

/** Builds testdata/net/<name> into dir; returns the binary's path. */
export function buildNetProgram(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, name);
  if (existsSync(out)) return out;
  const r = spawnSync("go", ["build", "-o", out, `./${name}`], { cwd: join(ROOT, "testdata/net"), encoding: "utf8", timeout: 180_000, env: GOENV });
  if (r.status !== 0) throw new Error(`go build ${name} failed: ${r.stderr}`);
  return out;
}

let counter = 0;

export class NetNs {
  private readonly children: ChildProcess[] = [];
  private constructor(readonly name: string) {}

  static create(): NetNs {
    const name = `gdnet${process.pid}x${counter++}`;
    run("ip", ["netns", "add", name]);
    const ns = new NetNs(name);
    try {
      run("ip", ["-n", name, "link", "set", "lo", "up"]);
    } catch (e) {
      ns.destroy();
      throw e;
    }
    return ns;
  }

  /** Runs cmd inside the namespace to completion; returns stdout. */
  run(cmd: string, args: string[], input?: string): string {
    return run("ip", ["netns", "exec", this.name, cmd, ...args], input);
  }

  /** Starts cmd inside the namespace; killed by destroy(). */
  start(cmd: string, args: string[]): ChildProcess {
    const c = spawn("ip", ["netns", "exec", this.name, cmd, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.children.push(c);
    return c;
  }

  /** Starts a server that prints its URL first; resolves with it. */
  async serve(prog: string, args: string[]): Promise<string> {
    return (await this.serveChild(prog, args)).url;
  }

  /** serve(), with the started process (its pid is the program's: `ip netns exec` and prlimit exec it). */
  serveChild(prog: string, args: string[]): Promise<{ url: string; child: ChildProcess }> {
    const c = this.start(prog, args);
    return new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`${prog} printed no URL`)), 10_000);
      c.stdout!.on("data", (b: Buffer) => {
        out += b.toString();
        if (out.includes("\n")) {
          clearTimeout(timer);
          resolve({ url: out.split("\n")[0]!.trim(), child: c });
        }
      });
      c.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${prog} exited (${code}) before serving`));
      });
    });
  }

  /** Runs a program to completion asynchronously (the event loop keeps serving); resolves with stdout. */
  exec(cmd: string, args: string[], timeoutMs = 60_000, okCodes: number[] = [0]): Promise<string> {
    const c = this.start(cmd, args);
    return new Promise((resolve, reject) => {
      let out = "";
      let err = "";
      const timer = setTimeout(() => {
        c.kill("SIGKILL");
        reject(new Error(`${cmd} timed out`));
      }, timeoutMs);
      c.stdout!.on("data", (b: Buffer) => (out += b.toString()));
      c.stderr!.on("data", (b: Buffer) => (err += b.toString()));
      c.on("exit", (code) => {
        clearTimeout(timer);
        if (code !== null && okCodes.includes(code)) resolve(out);
        else reject(new Error(`${cmd} exited ${code}: ${err}`));
      });
    });
  }

  /** tcpdump on the namespace's loopback until stop() (32 MB buffer: 64 KB loopback packets overflow the default; immediate mode: at SIGINT, packets still in a TPACKET_V3 block would be lost); resolves once it listens. */
  async tcpdump(file: string, args: string[]): Promise<{ stop(): Promise<void> }> {
    const c = this.start("tcpdump", ["-i", "lo", "-B", "32768", "--immediate-mode", "-U", "-w", file, ...args]);
    await new Promise<void>((resolve, reject) => {
      let err = "";
      const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
      c.stderr!.on("data", (b: Buffer) => {
        err += b.toString();
        if (err.includes("listening on")) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.on("exit", () => reject(new Error(`tcpdump exited: ${err}`)));
    });
    return {
      stop: () =>
        new Promise<void>((resolve) => {
          // let the last packets reach the file, then SIGINT (tcpdump flushes and exits)
          setTimeout(() => {
            c.on("exit", () => resolve());
            c.kill("SIGINT");
          }, 300);
        }),
    };
  }

  /** Loads nft rules (nft -f syntax) inside the namespace. */
  nft(rules: string): void {
    this.run("nft", ["-f", "-"], rules);
  }

  destroy(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    // processes started with `ip netns exec` are killed above; the namespace (and its nft
    // tables) is removed with it
    spawnSync("ip", ["netns", "pids", this.name], { encoding: "utf8" })
      .stdout?.split("\n")
      .filter((p) => /^\d+$/.test(p))
      .forEach((p) => {
        try {
          process.kill(Number(p), "SIGKILL");
        } catch {
          // already gone
        }
      });
    spawnSync("ip", ["netns", "del", this.name]);
  }
}

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", input, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/** tshark -T fields over a capture: one array of strings per frame. */
export function tsharkFields(file: string, fields: string[], filter = "tcp", extra: string[] = []): string[][] {
  const args = ["-r", file, "-T", "fields", "-E", "separator=\t", "-Y", filter, ...extra];
  for (const f of fields) args.push("-e", f);
  const r = spawnSync("tshark", args, { encoding: "utf8", maxBuffer: 1 << 30, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));
}

/** tshark's tcp.analysis flag fields and the bit of ours each one is compared with, frame by frame. */
export const TSHARK_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ["tcp.analysis.retransmission", ANY_RETRANSMISSION],
  ["tcp.analysis.fast_retransmission", A.FAST_RETRANSMISSION],
  ["tcp.analysis.spurious_retransmission", A.SPURIOUS_RETRANSMISSION],
  ["tcp.analysis.out_of_order", A.OUT_OF_ORDER],
  ["tcp.analysis.duplicate_ack", A.DUPLICATE_ACK],
  ["tcp.analysis.zero_window", A.ZERO_WINDOW],
  ["tcp.analysis.lost_segment", A.LOST_SEGMENT],
  ["tcp.analysis.window_update", A.WINDOW_UPDATE],
];
