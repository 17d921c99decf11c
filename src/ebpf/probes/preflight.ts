// What must be true before bpftrace can run: root, bpftrace on PATH, kernel BTF,
// tracefs mounted (tracepoint formats), no lockdown in confidentiality mode.
// Each miss is one line: what is missing and what to do.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "../../core/input/index.js";

/** The machine or the request cannot be probed: one line, exit 2 (a UsageError). */
export class ProbeUnavailable extends UsageError {}

/** The tracefs directory (holds uprobe_events), or undefined when not mounted. */
export function tracefsDir(): string | undefined {
  for (const d of ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]) {
    if (existsSync(`${d}/events`)) return d;
  }
  return undefined;
}

export function preflight(bpftrace = "bpftrace"): void {
  if (process.getuid?.() !== 0) {
    throw new ProbeUnavailable("eBPF probes need root (CAP_BPF and CAP_PERFMON): run godiag probe with sudo");
  }
  const v = spawnSync(bpftrace, ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (v.error || v.status !== 0) {
    throw new ProbeUnavailable(`${bpftrace} not found: install it (Debian/Ubuntu: apt-get install bpftrace)`);
  }
  if (!existsSync("/sys/kernel/btf/vmlinux")) {
    throw new ProbeUnavailable("the kernel has no BTF (/sys/kernel/btf/vmlinux): use a kernel built with CONFIG_DEBUG_INFO_BTF=y");
  }
  let lockdown = "";
  try {
    lockdown = readFileSync("/sys/kernel/security/lockdown", "utf8");
  } catch {
    // no lockdown LSM: nothing restricts BPF
  }
  if (lockdown.includes("[confidentiality]")) {
    throw new ProbeUnavailable("the kernel is locked down (confidentiality): BPF cannot read memory; boot with lockdown=none or integrity");
  }
  if (!tracefsDir()) {
    throw new ProbeUnavailable("tracefs is not mounted: run `mount -t tracefs nodev /sys/kernel/tracing` (or mount debugfs on /sys/kernel/debug)");
  }
}
