// `godiag probe --pid PID | --binary PATH [--seconds 10] [--probes list] [--json] [-o dir]`:
// eBPF probes of a running Go program (docs/EBPF.md). Needs root and bpftrace.

import type { Command } from "commander";
import { numberFlag, type IO } from "../flags.js";
import { UsageError } from "../../../api/errors.js";
import { parseProbeList, probe, renderProbeText, addProbeToBundle } from "../../../api/probe.js";

interface ProbeFlags {
  pid?: string;
  binary?: string;
  seconds: string;
  probes?: string;
  func?: string[];
  json?: boolean;
  output?: string;
}

export function registerProbeCommand(program: Command, io: IO): void {
  program
    .command("probe")
    .description("eBPF probes of a running Go program: wait reasons, run-queue latency, syscalls, off/on-CPU stacks, netpoll, TCP, fds (root, bpftrace)")
    .option("--pid <pid>", "the process to probe")
    .option("--binary <path>", "probe every process running this Go executable")
    .option("--seconds <n>", "how long to probe", "10")
    .option("--probes <list>", "comma-separated: gopark,runq,syscalls,cpu,netpoll,tcp,fds,funcs (default: runq,cpu,tcp,fds; syscalls is opt-in (~0.2 µs on every system call of the host), gopark and netpoll are opt-in uprobes, paid per park and per netpoll call; all = every probe but funcs)")
    .option("--func <name...>", "Go function(s) to time (entry and every RET; adds the funcs probe)")
    .option("--json", "print the report as JSON")
    .option("-o, --output <dir>", "write ebpf.json, the profiles (ebpf-oncpu.pb.gz, ebpf-offcpu.pb.gz, ebpf-syscalls.pb.gz) and manifest.json there: a bundle godiag diagnose reads")
    .action(async (f: ProbeFlags) => {
      if ((f.pid === undefined) === (f.binary === undefined)) throw new UsageError("probe: give exactly one of --pid PID or --binary PATH");
      const out = await probe({
        ...(f.pid !== undefined ? { pid: numberFlag("--pid", f.pid, { integer: true, min: 1 }) } : {}),
        ...(f.binary !== undefined ? { binary: f.binary } : {}),
        seconds: numberFlag("--seconds", f.seconds, { min: 1 }),
        ...(f.probes ? { probes: parseProbeList(f.probes) } : {}),
        ...(f.func ? { funcs: f.func } : {}),
      });
      if (f.output) addProbeToBundle(f.output, out);
      io.out(f.json ? JSON.stringify(out.report, null, 2) + "\n" : renderProbeText(out.report));
      if (out.report.window.endedBy === "signal") process.exitCode = 130;
    });
}
