// Real Go services for the diagnosis principle tests: built from
// testdata/workloads/<name>/main.go with a given toolchain, run as servers on
// 127.0.0.1 (each prints its base URL first), driven by HTTP load from this process
// and captured as users capture a live service: curl-like fetches of /debug/pprof/*
// into loose files (no manifest: file times are the mtimes of the writes), with the
// service's stderr (GODEBUG=gctrace=1) as its log.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, cpSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./run.js";

const ENV = { ...process.env, GOWORK: "off", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" };

/** Build testdata/workloads/<name> with goBin into dir/<name>-<tag>/prog. */
export function buildWorkload(dir: string, name: string, tag: string, goBin: string): string {
  const src = join(dir, `${name}-${tag}`);
  mkdirSync(src, { recursive: true });
  cpSync(join(ROOT, "testdata/workloads", name, "main.go"), join(src, "main.go"));
  writeFileSync(join(src, "go.mod"), `module ${name}\n\ngo 1.19\n`);
  const r = spawnSync(goBin, ["build", "-o", "prog", "."], { cwd: src, encoding: "utf8", timeout: 180_000, env: ENV });
  if (r.status !== 0) throw new Error(`go build ${name} failed: ${r.stderr}`);
  return join(src, "prog");
}

export interface Served {
  url: string;
  stop(): void;
}

/** Start a built server; resolves with the URL it prints. stderr goes to logFile when given. */
export function serve(prog: string, args: string[], logFile?: string, env: Record<string, string> = {}): Promise<Served> {
  const fd = logFile ? openSync(logFile, "w") : "ignore";
  const child: ChildProcess = spawn(prog, args, { stdio: ["ignore", "pipe", fd], env: { ...ENV, ...env } });
  if (typeof fd === "number") closeSync(fd);
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${prog} printed no URL`));
    }, 10_000);
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const line = out.split("\n")[0]!;
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve({ url: line.trim(), stop: () => child.kill("SIGKILL") });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${prog} exited (${code}) before serving`));
    });
  });
}

export type Load = { kind: "light"; perSecond: number } | { kind: "busy"; clients: number };

/** Drive url with load until stopped: an open loop at perSecond (Poisson arrivals), or `clients` closed loops back to back. */
export function drive(url: string, load: Load): { stop(): Promise<number> } {
  let running = true;
  let done = 0;
  const one = async () => {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      done++;
    } catch {
      // a request cut by the stop is not the test's concern
    }
  };
  const inflight: Array<Promise<void>> = [];
  let timer: NodeJS.Timeout | undefined;
  if (load.kind === "light") {
    // Independent clients: Poisson arrivals (exponential gaps) at perSecond, so
    // requests sometimes overlap as real traffic does; a fixed period never would.
    const next = () => {
      timer = setTimeout(() => {
        if (!running) return;
        void one();
        next();
      }, -Math.log(1 - Math.random()) * (1000 / load.perSecond));
    };
    next();
  } else {
    for (let i = 0; i < load.clients; i++) {
      inflight.push(
        (async () => {
          while (running) await one();
        })(),
      );
    }
  }
  return {
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await Promise.all(inflight);
      return done;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function get(url: string, file: string): Promise<void> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  writeFileSync(file, Buffer.from(await r.arrayBuffer()));
}

/**
 * What a user fetches by hand from a live service under load: a goroutine dump, a CPU
 * profile over cpuSeconds (the load goes on), a second dump, then the cumulative
 * allocation, heap (with MemStats), mutex and block profiles.
 */
export async function captureLive(base: string, out: string, cpuSeconds = 5): Promise<void> {
  mkdirSync(out, { recursive: true });
  const p = `${base}/debug/pprof`;
  await get(`${p}/goroutine?debug=2`, join(out, "g1.txt"));
  await get(`${p}/profile?seconds=${cpuSeconds}`, join(out, "cpu.pprof"));
  await get(`${p}/goroutine?debug=2`, join(out, "g2.txt"));
  await get(`${p}/allocs`, join(out, "allocs.out"));
  await get(`${p}/heap?debug=1`, join(out, "heap.txt"));
  await get(`${p}/mutex`, join(out, "mutex.prof"));
  await get(`${p}/block`, join(out, "block"));
}

/** Run a service under load, capture it into out (log: out/app.log), stop it; returns the requests served. */
export async function loadAndCapture(
  prog: string,
  args: string[],
  path: string,
  load: Load,
  out: string,
  warmMs = 1000,
  cpuSeconds = 5,
): Promise<number> {
  mkdirSync(out, { recursive: true });
  const s = await serve(prog, args, join(out, "app.log"), { GODEBUG: "gctrace=1" });
  try {
    const d = drive(s.url + path, load);
    await sleep(warmMs);
    await captureLive(s.url, out, cpuSeconds);
    return await d.stop();
  } finally {
    s.stop();
  }
}
