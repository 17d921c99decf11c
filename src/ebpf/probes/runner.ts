// Runs one bpftrace program: spawn `bpftrace -f json`, read its line-JSON
// output, stop it after the run (its own interval probe), on SIGINT/SIGTERM of
// this process, or when the target process exits. bpftrace prints every map
// when it stops on SIGINT; we then make sure no uprobe_events entry for the
// target is left (a failed attach can leave one behind).

import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { get, isObject, parseJsonPairs, type JsonValue } from "./jsonpairs.js";
import { tracefsDir } from "./preflight.js";

export interface RawRun {
  /** map name ("@runq_us") -> its value as bpftrace printed it */
  maps: Map<string, JsonValue>;
  /** CLOCK_MONOTONIC <-> wall clock at BEGIN */
  sync?: { monoNs: string; wall: string };
  attachedProbes: number;
  lostEvents: number;
  /** bpftrace's own stderr lines (RLIMIT_MEMLOCK noise removed) */
  errors: string[];
  endedBy: "time" | "target-exit" | "signal" | "bpftrace-exit" | "killed";
  /** stacks bpftrace could not print (stack map hash collisions, full map) */
  lostStacks: number;
  exitCode: number | null;
  /** uprobe_events entries we had to remove afterwards */
  removedUprobeEvents: string[];
  seconds: number;
}

export interface RunOptions {
  script: string;
  seconds: number;
  /** stop early when this process exits */
  targetPid?: number;
  /** path of the probed executable: its leftover uprobe_events are removed */
  targetPath: string;
  bpftrace?: string;
  /** called once, when the probes are attached (BEGIN ran): the window starts */
  onAttached?: () => void;
  /** a line of bpftrace output was not JSON (kept as an error) */
  maxLineBytes?: number;
}

const MAX_LINE = 64 << 20;
const NOISE = /couldn't set RLIMIT_MEMLOCK|Could not determine instruction boundary|^\s*$/;
const LOST_STACK = /failed to look up stack id/;

export function runBpftrace(opts: RunOptions): Promise<RawRun> {
  const before = new Set(uprobeEvents());
  // A script gated by @on (script.ts) stops counting at the tick, before the slow detach.
  const off = opts.script.includes("@on = 1;") ? "@on = 0; " : "";
  const script = `${opts.script}interval:s:${Math.max(1, Math.round(opts.seconds))} { ${off}exit(); }\n`;
  const child = spawn(opts.bpftrace ?? "bpftrace", ["--unsafe", "-f", "json", "-e", script], {
    stdio: ["ignore", "pipe", "pipe"],
    // Maps keyed by goroutine or thread: room for busy services (default 4096).
    // No user symbols: we name frames ourselves (stripped binaries too), and bpftrace's own
    // resolution of a Go binary's stacks made a 5 s run take a minute to print.
    env: { ...process.env, BPFTRACE_MAP_KEYS_MAX: "65536", BPFTRACE_STRLEN: "64", BPFTRACE_NO_USER_SYMBOLS: "1" },
  });
  const run: RawRun = { maps: new Map(), attachedProbes: 0, lostEvents: 0, lostStacks: 0, errors: [], endedBy: "time", exitCode: null, removedUprobeEvents: [], seconds: opts.seconds };
  // The window starts when BEGIN runs (all probes attached), not at spawn.
  let attachedAt = Date.now();
  let stopping = false;
  let killLater: NodeJS.Timeout | undefined;
  const stop = (why: RawRun["endedBy"]) => {
    if (stopping || child.exitCode !== null) return;
    stopping = true;
    run.endedBy = why;
    child.kill("SIGINT"); // bpftrace detaches and prints its maps
    killLater = setTimeout(() => {
      run.endedBy = "killed";
      child.kill("SIGKILL");
    }, 30_000);
  };
  const onSignal = () => stop("signal");
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const watch = opts.targetPid
    ? setInterval(() => {
        try {
          process.kill(opts.targetPid!, 0);
        } catch {
          stop("target-exit");
        }
      }, 200)
    : undefined;
  // A bpftrace that ignores SIGINT or hangs is killed: the run is bounded (attaching
  // and printing take seconds on a loaded machine, hence the margin).
  const hardStop = setTimeout(() => {
    run.endedBy = "killed";
    stopping = true;
    child.kill("SIGKILL");
  }, (opts.seconds + 120) * 1000);

  createInterface({ input: child.stderr! }).on("line", (l) => {
    if (LOST_STACK.test(l)) run.lostStacks++;
    else if (!NOISE.test(l) && run.errors.length < 100) run.errors.push(l.slice(0, 500));
  });
  const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
  lines.on("line", (l) => {
    if (l.trim() === "") return;
    if (l.length > (opts.maxLineBytes ?? MAX_LINE)) {
      run.errors.push(`bpftrace printed a ${l.length}-byte line: dropped`);
      return;
    }
    let v: JsonValue;
    try {
      v = parseJsonPairs(l);
    } catch {
      run.errors.push(l.slice(0, 500));
      return;
    }
    const type = get(v, "type");
    const data = get(v, "data");
    if (type === "attached_probes") run.attachedProbes = Number(get(data, "probes") ?? 0);
    else if (type === "lost_events") run.lostEvents += Number(get(data, "events") ?? 0);
    else if ((type === "map" || type === "hist" || type === "stats") && isObject(data)) {
      for (const [name, val] of data.pairs) run.maps.set(name, val);
    } else if (type === "printf" && typeof data === "string") {
      const m = /\{"sync_mono_ns":(\d+),"sync_wall":"([\d.]+)"\}/.exec(data);
      if (m && !run.sync) {
        run.sync = { monoNs: m[1]!, wall: m[2]! };
        attachedAt = Date.now();
        opts.onAttached?.();
      }
    }
  });
  return new Promise((resolve) => {
    let closed = false;
    const finish = (code: number | null) => {
      if (closed) return;
      closed = true;
      clearTimeout(hardStop);
      clearTimeout(killLater);
      if (watch) clearInterval(watch);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      run.exitCode = code;
      if (!stopping && code !== 0) run.endedBy = "bpftrace-exit";
      run.removedUprobeEvents = removeLeftovers(before, opts.targetPath);
      run.seconds = Math.min(opts.seconds, (Date.now() - attachedAt) / 1000);
      resolve(run);
    };
    child.on("error", (e) => {
      run.errors.push(String(e.message));
      finish(null);
    });
    child.on("close", (code) => finish(code));
  });
}

/** Lines of uprobe_events (empty when tracefs is absent). */
export function uprobeEvents(): string[] {
  const d = tracefsDir();
  if (!d) return [];
  try {
    return readFileSync(`${d}/uprobe_events`, "utf8").split("\n").filter((l) => l.trim() !== "");
  } catch {
    return [];
  }
}

/** Removes uprobe_events entries on `path` that were not there before the run. */
function removeLeftovers(before: Set<string>, path: string): string[] {
  const d = tracefsDir();
  const removed: string[] = [];
  for (const l of uprobeEvents()) {
    if (before.has(l) || !l.includes(path)) continue;
    // "p:group/event path:0xoff ..." -> "-:group/event"
    const ev = /^[pr]:(\S+)/.exec(l)?.[1];
    if (!ev || !d) continue;
    try {
      writeFileSync(`${d}/uprobe_events`, `-:${ev}\n`, { flag: "a" });
      removed.push(l);
    } catch {
      // busy (still enabled by someone): leave it and say so in the result
      removed.push(`${l} (could not remove)`);
    }
  }
  return removed;
}
