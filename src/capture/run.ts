// `godiag run -- <command...>`: start a Go program with GODEBUG=gctrace=1,
// tee its stderr (the gctrace lines go into the bundle as gctrace.log), find
// its /debug/pprof from the ports its processes listen on (or --pprof URL),
// capture during the run, then stop it: SIGTERM to its process group, SIGKILL
// after a grace period. The program runs as the leader of a new process group
// so `go run` and shell wrappers are stopped with it: no orphans.

import { spawn } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync } from "node:fs";
import { type Manifest, type ManifestFile, MANIFEST_VERSION, finishBundle, createBundle, writeManifest } from "../bundle/index.js";
import { captureBundle, startSidecars, stopSidecars, targetRoot, type CaptureFailure, type CaptureOptions, type CaptureProgress, type CaptureResult, type CaptureSidecar } from "./capture.js";
import { noPprofMessage, probePprof } from "./nopprof.js";
import { findListeningPid, listeningPorts } from "./sources/proc.js";
import { Redactor } from "./redact.js";

export interface RunOptions {
  command: string[];
  /** how long the program runs before it is stopped */
  seconds: number;
  /** SIGTERM -> SIGKILL grace, ms */
  graceMs: number;
  /** where /debug/pprof is, when not found from the listening ports */
  pprofUrl?: string;
  /** bundle directory or .tar.gz; undefined = temporary directory */
  out?: string;
  /** capture settings (seconds/interval are fitted into the run when not given) */
  capture: Omit<CaptureOptions, "out" | "dir" | "pid">;
  /** where the program's stderr is copied to, besides gctrace.log */
  tee: (chunk: Buffer) => void;
  /**
   * Work that needs the program's pid, over the capture window (godiag run --ebpf: the
   * probes, from a domain run does not import; api composes it). Without /debug/pprof it
   * runs over the rest of the run instead.
   */
  alongside?: (pid: number, seconds: number) => CaptureSidecar[];
}

export interface RunResult {
  dir: string;
  manifest: Manifest;
  /** the capture, when /debug/pprof was found */
  capture?: CaptureResult;
  pprofUrl?: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** the program had to be killed (ignored SIGTERM for the grace period) */
  killed: boolean;
  /** --pprof was given and never answered with /debug/pprof: what it answered last */
  pprofError?: string;
  /** alongside work that failed when there was no capture to report it */
  alongsideFailures: CaptureFailure[];
}

/** GODEBUG with gctrace=1 added, keeping the user's settings (theirs wins for gctrace). */
export function mergeGodebug(user: string | undefined): string {
  const parts = (user ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (!parts.some((p) => p.startsWith("gctrace="))) parts.push("gctrace=1");
  return parts.join(",");
}

/** Pids whose process group is pgid (from /proc/<pid>/stat field 5). */
export function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // f[0] state, f[1] ppid, f[2] pgrp; zombies are gone for our purposes
      if (Number(f[2]) === pgid && f[0] !== "Z") out.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export class Runner {
  private stopRequested: (() => void) | null = null;
  private stopping = false;
  /** aborts a capture in flight when the run is asked to stop */
  private readonly abort = new AbortController();
  /** cuts the SIGTERM grace short: the program is killed at once */
  private readonly killNow = new AbortController();

  /**
   * Ask the run to end now (Ctrl-C): the capture is cut short, the program stopped and the
   * bundle finished. Asked again (a second Ctrl-C), the program is not given its grace:
   * its group is killed at once and the bundle still finished — quitting without that
   * would leave it running, since it has a process group of its own the terminal's
   * signals do not reach.
   */
  requestStop(): void {
    if (this.stopping) this.killNow.abort();
    this.stopping = true;
    this.abort.abort();
    this.stopRequested?.();
  }

  async run(o: RunOptions, progress: CaptureProgress): Promise<RunResult> {
    const target = createBundle(o.out);
    const godebug = mergeGodebug(process.env.GODEBUG);
    const start = Date.now();
    const captureTime = new Date(start).toISOString();
    const log = createWriteStream(`${target.dir}/gctrace.log`);
    const child = spawn(o.command[0]!, o.command.slice(1), {
      detached: true, // its own process group, so we can signal all of it
      stdio: ["inherit", "inherit", "pipe"],
      env: { ...process.env, GODEBUG: godebug },
    });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    child.stderr!.on("data", (d: Buffer) => {
      log.write(d);
      o.tee(d);
    });
    const stderrDone = new Promise<void>((r) => child.stderr!.once("close", () => r()));
    try {
      await spawned;
    } catch (e) {
      log.end();
      throw new Error(`cannot start ${o.command[0]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    const pgid = child.pid!;
    let running = true;
    void exited.then(() => (running = false));
    const deadline = start + o.seconds * 1000;
    const stopSignal = new Promise<void>((r) => (this.stopRequested = r));
    if (this.stopping) this.stopRequested?.();

    // Find /debug/pprof while the program starts up.
    let pprofUrl: string | undefined;
    let pprofPid: number | undefined;
    const tried = new Map<number, string>(); // port -> why it is not pprof
    let lastAnswer: string | undefined; // --pprof: what it last said
    while (running && !this.stopping && Date.now() < deadline - 1000) {
      if (o.pprofUrl) {
        const p = await probePprof(o.pprofUrl);
        if (p.ok) pprofUrl = o.pprofUrl;
        else lastAnswer = p.why;
      } else {
        for (const pid of groupPids(pgid)) {
          for (const port of listeningPorts(pid)) {
            if (tried.has(port)) continue;
            const url = `http://127.0.0.1:${port}`;
            const p = await probePprof(url);
            if (p.ok) {
              pprofUrl = url;
              pprofPid = pid;
              break;
            }
            tried.set(port, p.why);
          }
          if (pprofUrl) break;
        }
      }
      if (pprofUrl) break;
      await waitAny(200, exited, stopSignal);
    }

    // One redactor for the capture and the stderr log, so a value gets the same token in both.
    const redactor = o.capture.redact ? new Redactor(o.capture.redact) : undefined;
    let capture: CaptureResult | undefined;
    let pprofError: string | undefined;
    const alongsideFailures: CaptureFailure[] = [];
    const extraFiles: ManifestFile[] = [];
    // The program's process: the one serving /debug/pprof, else the group member listening on a port, else the leader.
    const programPid = () => pprofPid ?? (pprofUrl ? findListeningPid(new URL(pprofUrl).port || "80") : undefined) ?? groupPids(pgid).find((p) => listeningPorts(p).length > 0) ?? pgid;
    if (pprofUrl) {
      // Fit the CPU profile into what is left of the run, keeping a second for the rest.
      const left = Math.floor((deadline - Date.now()) / 1000) - 1;
      const seconds = o.capture.seconds > 0 ? Math.max(1, Math.min(o.capture.seconds, left)) : 0;
      progress({ type: "note", text: `found ${pprofUrl}/debug/pprof/; capturing ${seconds} s` });
      const sidecars = [...(o.capture.sidecars ?? []), ...(o.alongside?.(programPid(), Math.max(1, seconds)) ?? [])];
      try {
        capture = await captureBundle(pprofUrl, { ...o.capture, seconds, interval: o.capture.interval ?? seconds, dir: target.dir, pid: pprofPid ?? null, signal: this.abort.signal, redactor, sidecars }, progress);
      } catch (e) {
        // It answered a moment ago (the program may have taken pprof down): the run still yields gctrace.
        pprofUrl = undefined;
        progress({ type: "note", text: `${(e as Error).message}; collecting gctrace only` });
      }
    } else if (o.pprofUrl) {
      // The same line as `godiag capture` for a URL without /debug/pprof, naming the program's other ports.
      const why = lastAnswer ?? "no answer before the run ended";
      pprofError = why;
      const root = targetRoot(o.pprofUrl);
      const msg = running && /^HTTP /.test(why) ? await noPprofMessage(root, why) : `no /debug/pprof at ${root} (${why})`;
      progress({ type: "note", text: `${msg}; collecting gctrace only` });
    } else {
      const ports = [...tried].map(([port, why]) => `:${port} ${why}`).join("; ");
      progress({ type: "note", text: ports ? `no /debug/pprof found on the ports the program listens on (${ports}): collecting gctrace only` : "no /debug/pprof found: the program listens on no TCP port; collecting gctrace only" });
    }

    // No capture to carry the alongside work: it runs over the rest of the run (a program
    // without /debug/pprof can still be probed).
    if (!capture && o.alongside && running && !this.stopping) {
      const left = Math.max(1, Math.floor((deadline - Date.now()) / 1000));
      const cars = await startSidecars(o.alongside(programPid(), left), target.dir, progress, alongsideFailures);
      await waitAny(Math.max(0, deadline - Date.now()), exited, stopSignal);
      await stopSidecars(cars, progress, alongsideFailures, extraFiles);
    }

    // Run to the end (or until the program exits, or Ctrl-C), then stop the whole group.
    await waitAny(Math.max(0, deadline - Date.now()), exited, stopSignal);
    const killed = await stopGroup(pgid, exited, o.graceMs, () => running, this.killNow.signal);
    const status = await exited;
    await stderrDone;
    await new Promise<void>((r) => log.end(r));

    const gctrace: ManifestFile = {
      path: "gctrace.log",
      kind: "gctrace",
      time: captureTime,
      seconds: (Date.now() - start) / 1000,
      source: `GODEBUG=${godebug} ${o.command.join(" ")}`,
    };
    gctrace.bytes = readFileSync(`${target.dir}/gctrace.log`).length;
    // The program's stderr may print what the labels hold, or what --redact-regex names.
    redactor?.sweepTextFiles(target.dir, [gctrace]);
    const files = [...(capture?.manifest.files ?? []), ...extraFiles, gctrace];
    const notOffered = capture?.manifest.notOffered;
    const manifest: Manifest = {
      godiag: MANIFEST_VERSION,
      target: capture?.manifest.target ?? `pid:${pgid}`,
      captureTime,
      files,
      env: {
        ...(capture?.manifest.env ?? {}),
        GODEBUG: godebug,
        command: o.command.join(" "),
        ...(redactor ? { redacted: redactor.describe() } : {}),
        exit: status.signal ? `signal ${status.signal}${killed ? " (killed after the grace period)" : ""}` : `code ${status.code}`,
      },
    };
    if (notOffered) manifest.notOffered = notOffered;
    if (capture?.manifest.goVersion) manifest.goVersion = capture.manifest.goVersion;
    writeManifest(target.dir, manifest);
    const dir = await finishBundle(target);
    return { dir, manifest, capture, pprofUrl, exitCode: status.code, signal: status.signal, killed, pprofError, alongsideFailures };
  }
}

/** SIGTERM the group, wait up to graceMs (or until killNow) for every member to go, then SIGKILL. Returns whether it had to kill. */
async function stopGroup(pgid: number, leaderExit: Promise<unknown>, graceMs: number, leaderRunning: () => boolean, killNow: AbortSignal): Promise<boolean> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pgid, s);
    } catch {
      // group already empty
    }
  };
  if (!leaderRunning() && groupPids(pgid).length === 0) return false;
  if (!killNow.aborted) {
    signal("SIGTERM");
    const until = Date.now() + graceMs;
    const killed = new Promise<void>((r) => killNow.addEventListener("abort", () => r(), { once: true }));
    await waitAny(graceMs, leaderExit, killed);
    while (Date.now() < until && !killNow.aborted && groupPids(pgid).length > 0) await sleep(50);
  }
  if (groupPids(pgid).length === 0 && !leaderRunning()) return false;
  signal("SIGKILL");
  await leaderExit;
  return true;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Wait for the first of the promises or ms, then clear the timer (a pending timer would keep Node alive). */
async function waitAny(ms: number, ...others: Promise<unknown>[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<void>((r) => (timer = setTimeout(r, ms)));
  try {
    await Promise.race([t, ...others]);
  } finally {
    clearTimeout(timer);
  }
}
