// eBPF probe reports (godiag probe / capture --ebpf: the bundle's "ebpf" files),
// parsed once. A report that is not one (bad JSON, missing sections) is skipped
// with a warning: rules see only well-formed reports.

import type { ProbeReport } from "../ebpf/index.js";
import type { BundleFile } from "../bundle/index.js";
import type { DiagnoseContext } from "./context.js";

export interface EbpfInput {
  file: BundleFile;
  report: ProbeReport;
}

function parseReports(ctx: DiagnoseContext): EbpfInput[] {
  const out: EbpfInput[] = [];
  for (const file of ctx.files("ebpf")) {
    if (file.error) continue;
    try {
      const r = JSON.parse(Buffer.from(file.data).toString("utf8")) as ProbeReport;
      if (typeof r !== "object" || r === null || typeof r.window?.seconds !== "number" || !r.target) throw new Error("not a godiag probe report");
      out.push({ file, report: r });
    } catch (e) {
      ctx.bundle.warnings.push(`${file.path}: skipped (${(e as Error).message})`);
    }
  }
  return out;
}

export function ebpfReports(ctx: DiagnoseContext): EbpfInput[] {
  return ctx.once(parseReports);
}

/** What every eBPF finding's evidence says: pprof and dumps cannot show it. */
export const EBPF_ONLY = "seen only by eBPF";

/** The first frame of a stack that is the program's own code (not the runtime, syscall, os, internal/, net). */
export function userFrame(frames: string[]): string | undefined {
  return frames.find((f) => !/^(runtime[./]|syscall[./]|internal\/|os[./]|net[./]|golang\.org\/x\/sys\/)/.test(f) && !f.startsWith("0x"));
}
