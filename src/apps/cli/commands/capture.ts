// `godiag capture <http://host:port>`: collect a bundle from a live Go service's
// /debug/pprof (and /proc, when it runs here). Exit codes: 0 complete bundle
// (optional endpoints the service does not serve, /debug/vars without expvar,
// are recorded as not offered: no failure), 2 bad usage, nothing reachable at
// the URL, or no /debug/pprof there (one line, naming the port of the same
// local process where it answers; no bundle), 4 partial bundle (some file
// failed; the manifest says which and why), 130 interrupted (Ctrl-C; the
// bundle holds what arrived before).

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { durationFlag, numberFlag, parseBytes, type IO } from "../flags.js";
import { captureBundle, targetRoot, type CaptureOptions, checkOnly } from "../../../api/capture.js";
import { networkSidecars } from "../../../api/net.js";
import { formatSummary, progressRenderer } from "../progress.js";
import { withInterrupt } from "../interrupt.js";
import { EXIT } from "../exit.js";
import { systemErrorLine } from "../failures.js";


interface CaptureFlags {
  output?: string;
  seconds: string;
  interval?: string;
  trace?: string;
  gc?: boolean;
  only?: string;
  timeout: string;
  retries: string;
  pid?: string;
  redact?: boolean;
  redactRegex?: string;
  redactKey?: string;
  quiet?: boolean;
  max_bytes?: string;
  max_profiles?: string;
  max_decompressed?: string;
  pcap?: boolean;
}


class FlagError extends Error {}

/** A time flag: a Go duration ("30s", "1m30s", "500ms") or plain seconds. */
function secs(name: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = durationFlag(`--${name}`, v);
  if (n < min) throw new FlagError(`invalid value "${v}" for --${name} (want at least ${min} s)`);
  return n;
}

function bytesFlag(flag: string, v: string): number {
  try {
    return parseBytes(v);
  } catch (e) {
    throw new FlagError(`${flag}: ${(e as Error).message}`);
  }
}

/** Turn flags into captureBundle options; throws FlagError for bad values. Shared with `godiag run`. */
export function captureOptionsFromFlags(f: CaptureFlags): CaptureOptions {
  const only = f.only ? f.only.split(",").map((s) => s.trim()).filter((s) => s !== "") : [];
  try {
    checkOnly(only);
  } catch (e) {
    throw new FlagError((e as Error).message);
  }
  let pattern: RegExp | undefined;
  if (f.redactRegex !== undefined) {
    try {
      pattern = new RegExp(f.redactRegex, "g");
    } catch (e) {
      throw new FlagError(`invalid --redact-regex: ${(e as Error).message}`);
    }
  }
  const seconds = secs("seconds", f.seconds)!;
  // net/http/pprof reads ?seconds= as a whole number (strconv.ParseInt).
  if (!Number.isInteger(seconds)) throw new FlagError(`invalid value "${f.seconds}" for --seconds (want whole seconds: /debug/pprof takes an integer)`);
  const pid = f.pid === undefined ? undefined : numberFlag("--pid", f.pid, { min: 1, integer: true });
  const key = f.redactKey ?? process.env.GODIAG_REDACT_KEY;
  return {
    out: f.output,
    seconds,
    interval: secs("interval", f.interval),
    traceSeconds: secs("trace", f.trace) ?? 0,
    gc: f.gc ?? false,
    only,
    timeoutMs: secs("timeout", f.timeout, 0.001)! * 1000,
    retry: { retries: numberFlag("--retries", f.retries, { min: 0, integer: true }), backoffMs: 250 },
    pid,
    redact: f.redact || pattern ? { pattern, key } : undefined,
    maxBytes: f.max_bytes === undefined ? undefined : bytesFlag("--max_bytes", f.max_bytes),
    maxDecompressed: f.max_decompressed === undefined ? undefined : bytesFlag("--max_decompressed", f.max_decompressed),
    maxProfiles: f.max_profiles === undefined ? undefined : numberFlag("--max_profiles", f.max_profiles, { min: 0, integer: true }),
  };
}

/** Options shared by capture and run. */
export function addCaptureFlags(cmd: Command): Command {
  return cmd
    .option("--seconds <duration>", "CPU profile duration (Go duration or seconds: 30s, 1m)", "30")
    .option("--interval <duration>", "time between the two goroutine debug=2 snapshots (0 = one snapshot; default --seconds)")
    .option("--trace <duration>", "also record an execution trace this long (opt-in: tracing slows the service down)")
    .option("--gc", "heap?gc=1: run a GC before the heap profile")
    .option("--only <list>", "only these: cpu,heap,allocs,block,mutex,goroutine,threadcreate,memstats,trace,vars,proc")
    .option("--timeout <duration>", "per-request timeout for instantaneous profiles", "10s")
    .option("--retries <n>", "retries on refused/reset connections and 502/503/504", "2")
    .option("--max_bytes <size>", "largest response body per request (default 128MiB)")
    .option("--max_profiles <n>", "most custom profiles fetched from the index (default 32)")
    .option("--max_decompressed <size>", "largest decompressed profile checked (default 192MiB)")
    .option("--redact", "replace pprof label values by stable keyed hashes")
    .option("--redact-regex <re>", "also replace every match of this regular expression (implies --redact)")
    .option("--redact-key <key>", "HMAC key for --redact tokens (default $GODIAG_REDACT_KEY, else random per capture)")
    .option("-q, --quiet", "no progress output");
}

export function registerCaptureCommand(program: Command, io: IO): void {
  const cmd = program
    .command("capture")
    .description("collect a capture bundle from a running Go service's /debug/pprof (exit 0 complete, 2 unreachable or no /debug/pprof, 4 partial, 130 interrupted)")
    .argument("<url>", "the service, http://host:port")
    .option("-o, --output <path>", "bundle directory, or a .tar.gz (default ./godiag-capture-HOST-PORT-TIME)")
    .option("--pid <n>", "local process for /proc facts (default: the one listening on the URL's port)")
    .option("--pcap", "also run tcpdump on the service's port for the CPU window (capture.pcap) and, for a local target, audit the host's network limits (netaudit.json); needs root or CAP_NET_RAW")
    .option("--ebpf", "also run the eBPF probes (godiag probe) for --seconds and add them to the bundle (root, bpftrace)")
    .option("--probes <list>", "with --ebpf: which probes (as godiag probe; default runq,cpu,tcp,fds; add syscalls for fsync-per-request and slow-io, gopark,netpoll for waiting-on-goroutines, at a cost; all = every probe but funcs)");
  addCaptureFlags(cmd).action(async (url: string, f: CaptureFlags & { ebpf?: boolean; probes?: string }) => {
    let opts: CaptureOptions;
    try {
      const root = targetRoot(url);
      opts = captureOptionsFromFlags(f);
      opts.out ??= defaultOutput(root);
      if (f.pcap) opts.sidecars = networkSidecars(root, { pid: opts.pid ?? undefined });
    } catch (e) {
      io.err(`godiag capture: ${(e as Error).message}\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    if (f.probes !== undefined && !f.ebpf) {
      io.err("godiag capture: --probes needs --ebpf\n");
      process.exitCode = EXIT.USAGE;
      return;
    }
    if (f.ebpf && /\.(tar\.gz|tgz)$/.test(opts.out ?? "")) {
      io.err("godiag capture: --ebpf needs a directory output (-o DIR), not a .tar.gz\n");
      process.exitCode = EXIT.USAGE;
      return;
    }
    if (!f.ebpf) {
      process.exitCode = await runCapture(url, opts, io, f.quiet ?? false);
      return;
    }
    // The probes run alongside the capture, over the CPU profile's window.
    const { addProbeToBundle, parseProbeList, probeDuringCapture } = await import("../../../api/probe.js");
    let probes;
    try {
      probes = f.probes !== undefined ? parseProbeList(f.probes) : undefined;
    } catch (e) {
      io.err(`godiag capture: ${(e as Error).message}\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    const probing = probeDuringCapture(url, opts.pid ?? undefined, opts.seconds, probes);
    let code = await runCapture(url, opts, io, f.quiet ?? false);
    const result = await probing;
    if (code === EXIT.USAGE && !existsSync(join(opts.out!, "manifest.json"))) {
      process.exitCode = code;
      return;
    }
    addProbeToBundle(opts.out!, result);
    if ("error" in result) {
      io.err(`godiag capture: eBPF probes: ${result.error}\n`);
      if (code === EXIT.OK) code = EXIT.PARTIAL;
    }
    process.exitCode = code;
  });
}

/** Run a capture with progress and the summary; returns the exit code. */
export async function runCapture(url: string, opts: CaptureOptions, io: IO, quiet: boolean): Promise<number> {
  const r = progressRenderer(process.stderr, quiet);
  try {
    const res = await withInterrupt(io.err, "godiag capture", (signal) => captureBundle(url, { ...opts, signal }, r.onEvent));
    r.stop();
    // Nothing answered: one line (exit 2), not a table repeating the reason per file;
    // the manifest still says it for each file.
    if (res.unreachable && !res.interrupted) {
      io.err(`godiag capture: ${res.failures[0]?.error ?? "unreachable"}\n`);
      io.out(`${res.dir}\n`);
      return EXIT.USAGE;
    }
    io.err(formatSummary(res));
    io.out(`${res.dir}\n`);
    if (res.interrupted) return EXIT.INTERRUPTED;
    if (res.unreachable) return EXIT.USAGE;
    return res.failures.length > 0 ? EXIT.PARTIAL : EXIT.OK;
  } catch (e) {
    r.stop();
    // A write the system refused (full disk, permissions) in the same words as every command.
    io.err(`godiag capture: ${systemErrorLine(e) ?? (e as Error).message}\n`);
    return EXIT.USAGE;
  }
}

function defaultOutput(root: string): string {
  const u = new URL(root);
  const t = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
  return `godiag-capture-${u.hostname.replace(/[^\w.-]/g, "_")}-${u.port || "80"}-${t}`;
}
