// eBPF probes of a running Go program (godiag probe, capture --ebpf): run them,
// write the report and its profiles to a directory, render them.

import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeProfileGz } from "../core/codec/index.js";
import { PROBES, runProbes, type ProbeName, type ProbeOptions, type ProbeOutput } from "../ebpf/index.js";
import { UsageError } from "../core/input/index.js";
import { findListeningPid, type CaptureSidecar } from "../capture/index.js";
import { MANIFEST_VERSION, parseManifest, writeBundleFile, writeManifest, type FileKind, type Manifest, type ManifestFile } from "../bundle/index.js";

export { DEFAULT_PROBES, OPT_IN_PROBES, PROBES, ProbeUnavailable, renderProbeText, runProbes, type ProbeName, type ProbeOptions, type ProbeOutput, type ProbeReport } from "../ebpf/index.js";

/** "gopark,runq" -> probe names; "all" = every probe but funcs. */
export function parseProbeList(s: string): ProbeName[] {
  const names = s.split(",").map((x) => x.trim()).filter((x) => x !== "");
  if (names.length === 1 && names[0] === "all") return PROBES.filter((p) => p !== "funcs");
  for (const n of names) {
    if (!(PROBES as readonly string[]).includes(n)) throw new UsageError(`--probes: unknown probe "${n}" (want some of ${PROBES.join(",")}, or all)`);
  }
  return names as ProbeName[];
}

/** A bundle kind per profile a probe run makes. */
const PROFILE_KIND = { oncpu: "ebpf-oncpu", offcpu: "ebpf-offcpu", syscalls: "ebpf-syscalls" } as const;

/**
 * Writes a probe run's files into a bundle directory (ebpf.json and one
 * ebpf-NAME.pb.gz per stack profile) and returns their manifest entries; a run
 * that failed is one ebpf entry with its error.
 */
export function writeProbeFiles(dir: string, out: ProbeOutput | { error: string; pid?: number }): ManifestFile[] {
  const source = "godiag probe (eBPF, bpftrace)";
  if (!("report" in out)) return [{ path: "ebpf.json", kind: "ebpf", source, error: out.error }];
  const time = new Date(out.report.window.startUnixMs).toISOString();
  const seconds = out.report.window.seconds;
  const entries: ManifestFile[] = [];
  const add = (path: string, kind: FileKind, data: Uint8Array | string) => {
    const bytes = writeBundleFile(dir, path, data);
    const entry: ManifestFile = { path, kind, time, seconds, source, bytes };
    // bpftrace's lost events make every count an undercount: the user must see it.
    if (kind === "ebpf" && out.report.bpftrace.lostEvents > 0) entry.warnings = [`bpftrace lost ${out.report.bpftrace.lostEvents} events: counts are lower bounds`];
    entries.push(entry);
  };
  add("ebpf.json", "ebpf", JSON.stringify(out.report, null, 2) + "\n");
  for (const p of out.profiles) add(`ebpf-${p.name}.pb.gz`, PROFILE_KIND[p.name as keyof typeof PROFILE_KIND] ?? "other", writeProfileGz(p.profile));
  return entries;
}

/**
 * Writes a probe run into a bundle directory and lists its files in manifest.json
 * (created when the directory has none, so the directory is a bundle `godiag
 * diagnose` reads; appended to after `godiag capture`). Returns the file names.
 */
export function addProbeToBundle(dir: string, out: ProbeOutput | { error: string; pid?: number }): string[] {
  mkdirSync(dir, { recursive: true });
  const mf = join(dir, "manifest.json");
  const m: Manifest = existsSync(mf)
    ? parseManifest(readFileSync(mf, "utf8"))
    : {
        godiag: MANIFEST_VERSION,
        target: "report" in out ? (out.report.target.pid !== undefined ? `pid:${out.report.target.pid}` : out.report.target.binary) : `pid:${out.pid ?? "?"}`,
        ...("report" in out ? { goVersion: out.report.target.goVersion } : {}),
        captureTime: new Date().toISOString(),
        files: [],
      };
  const entries = writeProbeFiles(dir, out);
  const paths = new Set(entries.map((e) => e.path));
  m.files = [...m.files.filter((f) => !paths.has(f.path)), ...entries];
  writeManifest(dir, m);
  return entries.filter((e) => e.error === undefined).map((e) => e.path);
}

/**
 * godiag run --ebpf: the probes of one process as a capture sidecar, so their files join
 * the bundle (.tar.gz too). They start with the capture window and run `seconds` from
 * the moment bpftrace has attached (seconds on a loaded machine: ending them with the
 * CPU profile would leave a short or empty window), or until the program exits; the
 * capture waits for them. ebpf.json's window says when they ran.
 */
export function probeSidecar(pid: number, seconds: number, probes?: ProbeName[]): CaptureSidecar {
  let dir = "";
  let running: Promise<ProbeOutput | { error: string; pid?: number }> | undefined;
  return {
    label: "ebpf",
    start: (d) => {
      dir = d;
      running = runProbes({ pid, seconds: Math.max(1, seconds), ...(probes ? { probes } : {}) }).catch((e: unknown) => ({ error: (e as Error).message, pid }));
      return Promise.resolve();
    },
    stop: async () => writeProbeFiles(dir, await running!),
  };
}

/**
 * capture --ebpf: probe the service while the capture runs (same window as the CPU
 * profile), then add the results to the bundle. The PID is --pid or the local
 * process listening on the URL's port. Never throws: a failed run is returned as
 * { error } (the capture itself still counts).
 */
export async function probeDuringCapture(url: string, pid: number | undefined, seconds: number, probes?: ProbeName[]): Promise<ProbeOutput | { error: string; pid?: number }> {
  const port = new URL(url).port || "80";
  const target = pid ?? findListeningPid(port) ?? undefined;
  if (target === undefined) return { error: `no local process listens on port ${port}: pass --pid` };
  try {
    return await runProbes({ pid: target, seconds, ...(probes ? { probes } : {}) });
  } catch (e) {
    return { error: (e as Error).message, pid: target };
  }
}

export async function probe(opts: ProbeOptions): Promise<ProbeOutput> {
  return runProbes(opts);
}
