// eBPF probes of a running Go program (godiag probe, capture --ebpf): run them,
// write the report and its profiles to a directory, render them.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeProfileGz } from "../core/codec/index.js";
import { PROBES, runProbes, type ProbeName, type ProbeOptions, type ProbeOutput } from "../ebpf/index.js";
import { UsageError } from "../core/input/index.js";

export { DEFAULT_PROBES, PROBES, ProbeUnavailable, renderProbeText, runProbes, type ProbeName, type ProbeOptions, type ProbeOutput, type ProbeReport } from "../ebpf/index.js";

/** "gopark,runq" -> probe names; "all" = every probe but funcs. */
export function parseProbeList(s: string): ProbeName[] {
  const names = s.split(",").map((x) => x.trim()).filter((x) => x !== "");
  if (names.length === 1 && names[0] === "all") return PROBES.filter((p) => p !== "funcs");
  for (const n of names) {
    if (!(PROBES as readonly string[]).includes(n)) throw new UsageError(`--probes: unknown probe "${n}" (want some of ${PROBES.join(",")}, or all)`);
  }
  return names as ProbeName[];
}

/** The files a probe run writes: ebpf.json plus one .pb.gz per stack profile. Returns their names. */
export function writeProbeFiles(dir: string, out: ProbeOutput): string[] {
  mkdirSync(dir, { recursive: true });
  const files = ["ebpf.json"];
  writeFileSync(join(dir, "ebpf.json"), JSON.stringify(out.report, null, 2) + "\n");
  for (const p of out.profiles) {
    const name = `ebpf-${p.name}.pb.gz`;
    writeFileSync(join(dir, name), writeProfileGz(p.profile));
    files.push(name);
  }
  return files;
}

export async function probe(opts: ProbeOptions): Promise<ProbeOutput> {
  return runProbes(opts);
}
