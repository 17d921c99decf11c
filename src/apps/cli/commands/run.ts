// `godiag run [--seconds 30] -- <command...>`: run a Go program with
// GODEBUG=gctrace=1, capture it while it runs, stop it cleanly, write the
// bundle. Exit codes as `godiag capture`: 0 complete, 2 bad usage or the
// command could not start, 4 partial bundle, 130 when Ctrl-C cut the capture
// short (the program is stopped and the bundle written all the same).

import type { Command } from "commander";
import { durationFlag, numberFlag, type IO } from "../flags.js";
import { type CaptureOptions, Runner } from "../../../api/capture.js";
import { formatSummary, progressRenderer } from "../progress.js";
import { addCaptureFlags, captureOptionsFromFlags } from "./capture.js";
import { EXIT } from "../exit.js";


interface RunFlags {
  output?: string;
  seconds: string;
  capture?: string;
  grace: string;
  pprof?: string;
  quiet?: boolean;
  ebpf?: boolean;
  probes?: string;
  [k: string]: unknown;
}

export function registerRunCommand(program: Command, io: IO): void {
  const cmd = program
    .command("run")
    .description("run a Go program with GODEBUG=gctrace=1, capture it while it runs, stop it (exit 0 complete, 2 usage, 4 partial)")
    .argument("<command...>", "the program and its arguments (after --)")
    .option("-o, --output <path>", "bundle directory, or a .tar.gz (default ./godiag-run-TIME)")
    .option("--grace <duration>", "after SIGTERM, wait this long before SIGKILL", "5s")
    .option("--pprof <url>", "where the program serves /debug/pprof (default: found from the ports it listens on)")
    .option("--capture-seconds <n>", "CPU profile length (default: fitted into --seconds)")
    .option("--ebpf", "also run the eBPF probes (godiag probe) on the program over the CPU profile's window (the whole run without /debug/pprof) and add them to the bundle (root, bpftrace)")
    .option("--probes <list>", "with --ebpf: which probes (as godiag probe; default runq,cpu,tcp,fds; add syscalls for fsync-per-request and slow-io, gopark,netpoll for waiting-on-goroutines, at a cost; all = every probe but funcs)");
  addCaptureFlags(cmd).action(async (command: string[], f: RunFlags) => {
    let capture: CaptureOptions;
    let seconds: number;
    let grace: number;
    try {
      capture = captureOptionsFromFlags(f as unknown as Parameters<typeof captureOptionsFromFlags>[0]);
      seconds = capture.seconds;
      grace = durationFlag("--grace", f.grace);
      if (seconds <= 0) throw new Error("--seconds must be > 0 for run");
      const cs = f.captureSeconds as string | undefined;
      capture.seconds = cs !== undefined ? numberFlag("--capture-seconds", cs, { min: 0, integer: true }) : seconds;
      if (command.length === 0) throw new Error("no command to run (godiag run [flags] -- program args...)");
      if (f.probes !== undefined && !f.ebpf) throw new Error("--probes needs --ebpf");
    } catch (e) {
      io.err(`godiag run: ${(e as Error).message}\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    // Loaded only when asked for: the probes' code (capstone, the bpftrace generator) is large.
    const probeApi = f.ebpf ? await import("../../../api/probe.js") : undefined;
    let probes;
    try {
      probes = probeApi && f.probes !== undefined ? probeApi.parseProbeList(f.probes) : undefined;
    } catch (e) {
      io.err(`godiag run: ${(e as Error).message}\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    const out = f.output ?? `godiag-run-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}`;
    const r = progressRenderer(process.stderr, f.quiet ?? false);
    const runner = new Runner();
    const alongside = probeApi ? (pid: number, s: number) => [probeApi.probeSidecar(pid, s, probes)] : undefined;
    let told = false;
    const onSignal = () => {
      io.err(
        told
          ? "\ngodiag run: interrupted again: killing the program now\n"
          : "\ngodiag run: interrupted: stopping the program and finishing the bundle (press Ctrl-C again to kill it at once)\n",
      );
      told = true;
      runner.requestStop();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      const res = await runner.run(
        { command, seconds, graceMs: grace * 1000, pprofUrl: f.pprof, out, capture, tee: (d) => process.stderr.write(d), ...(alongside ? { alongside } : {}) },
        r.onEvent,
      );
      r.stop();
      const failures = [...(res.capture?.failures ?? []), ...res.alongsideFailures];
      // --pprof named a URL that never served /debug/pprof: the bundle is gctrace only, and partial.
      if (f.pprof !== undefined && !res.pprofUrl) failures.push({ url: `${f.pprof.replace(/\/+$/, "")}/debug/pprof/`, error: res.pprofError ?? "no /debug/pprof" });
      io.err(formatSummary({ dir: res.dir, manifest: res.manifest, failures, warnings: res.capture?.warnings ?? [], unreachable: false, interrupted: res.capture?.interrupted }));
      io.err(`godiag run: program ended: ${res.manifest.env?.exit}\n`);
      io.out(`${res.dir}\n`);
      if (res.capture?.interrupted) process.exitCode = EXIT.INTERRUPTED;
      else process.exitCode = failures.length > 0 ? EXIT.PARTIAL : EXIT.OK;
    } catch (e) {
      r.stop();
      io.err(`godiag run: ${(e as Error).message}\n`);
      process.exitCode = EXIT.USAGE;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });
}
