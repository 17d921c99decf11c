// eBPF test helpers: build testdata/ebpf/svc with a given Go toolchain (1.19,
// 1.26, 1.27; stripped or not) once into test-output/ebpf, start it in its own
// process group, and tell whether this machine can run bpftrace at all.

import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./run.js";

export const SVC_SRC = join(ROOT, "testdata/ebpf");
const OUT = join(ROOT, "test-output/ebpf");

export type GoToolchain = "1.19" | "1.26" | "1.27";

function goCommand(v: GoToolchain): { cmd: string; env: NodeJS.ProcessEnv } {
  const env = { ...process.env, GOFLAGS: "-mod=mod", GOWORK: "off" };
  if (v === "1.19") return { cmd: "/usr/lib/go-1.19/bin/go", env: { ...env, GOTOOLCHAIN: "local" } };
  if (v === "1.27") return { cmd: "go", env: { ...env, GOTOOLCHAIN: "go1.27.3" } };
  return { cmd: "go", env: { ...env, GOTOOLCHAIN: "local" } };
}

export function toolchainAvailable(v: GoToolchain): boolean {
  const { cmd, env } = goCommand(v);
  const r = spawnSync(cmd, ["version"], { env, encoding: "utf8", timeout: 300_000, cwd: SVC_SRC });
  return r.status === 0 && r.stdout.includes(`go${v}`);
}

/** Build svc with Go `v`; returns the binary. Rebuilt when main.go is newer. */
export function buildSvc(v: GoToolchain, stripped = false): string {
  const out = join(OUT, `svc-go${v}${stripped ? "-stripped" : ""}`);
  const src = join(SVC_SRC, "svc/main.go");
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(OUT, { recursive: true });
    const { cmd, env } = goCommand(v);
    const args = ["build", "-o", out, ...(stripped ? ["-ldflags=-s -w"] : []), "./svc"];
    execFileSync(cmd, args, { cwd: SVC_SRC, env, stdio: "pipe", timeout: 600_000 });
  }
  return out;
}

/** Why eBPF tests cannot run here, or undefined when they can. */
export function ebpfMissing(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  const r = spawnSync("bpftrace", ["--version"], { encoding: "utf8" });
  if (r.status !== 0) return "no bpftrace";
  if (!existsSync("/sys/kernel/btf/vmlinux")) return "no kernel BTF";
  return undefined;
}

export interface Svc {
  child: ChildProcess;
  pid: number;
  addr: string;
  output: () => string;
  stop(): Promise<void>;
}

/** Start svc and wait for its "listening ADDR" line ("burning" in burn mode). */
export function startSvc(bin: string, args: string[], opts: { taskset?: string; nice?: number } = {}): Promise<Svc> {
  // nice and taskset exec the program: the pid stays the program's.
  const argv = [...(opts.nice !== undefined ? ["nice", "-n", String(opts.nice)] : []), ...(opts.taskset ? ["taskset", "-c", opts.taskset] : []), bin, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const svc: Svc = {
    child,
    pid: child.pid!,
    addr: "",
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          resolve();
        }
      }),
  };
  // A neighbour that has not started burning starves nobody: burn mode says when it burns.
  // 30 s: a start-up on a shared 2-core machine at load 30 was seen to take over 10 s.
  const ready = args.includes("burn") ? /(burning)/ : /listening (\S+)/;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${bin}: no ${ready.source} line within 30 s: ${out}`)), 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited early (${code}): ${out}`));
    });
    const check = () => {
      const m = ready.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout!.off("data", check);
      svc.addr = m[1] === "burning" ? "" : m[1]!;
      resolve(svc);
    };
    child.stdout!.on("data", check);
  });
}
