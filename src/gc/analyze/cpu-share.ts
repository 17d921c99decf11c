// How much of a CPU profile the garbage collector takes, and where: background
// mark workers, mutator assists, root marking, object scanning, sweeping and the
// allocator itself. Shares are of the profile's total CPU; markroot is also given
// as a share of mark time (above 40 %, root scanning dominates marking: many goroutine stacks, globals or small pointer-dense roots; see runtime/mgcmark.go markroot).

import { type Profile, forEachStack, sampleTypeIndex } from "../../core/model/index.js";

export interface GcCpuShare {
  totalNs: number;
  /** percent of total CPU */
  gcPercent: number;
  markWorkerPercent: number;
  assistPercent: number;
  markPercent: number;
  markrootPercent: number;
  scanobjectPercent: number;
  sweepPercent: number;
  mallocPercent: number;
  /** markroot as a percent of mark time (samples under gcDrain / mark workers / assists) */
  markrootOfMarkPercent: number;
}

const has = (frames: { name: string }[], pred: (n: string) => boolean) => frames.some((f) => pred(f.name));

export function gcCpuShare(p: Profile): GcCpuShare | null {
  const vi = sampleTypeIndex(p, "cpu", "samples");
  if (vi < 0) return null;
  let total = 0;
  const acc = { gc: 0, worker: 0, assist: 0, mark: 0, markroot: 0, scan: 0, sweep: 0, malloc: 0 };
  forEachStack(p, (frames, value) => {
    const v = value(vi);
    total += v;
    const worker = has(frames, (n) => n === "runtime.gcBgMarkWorker");
    const assist = has(frames, (n) => n === "runtime.gcAssistAlloc" || n === "runtime.gcAssistAlloc1");
    const mark = worker || assist || has(frames, (n) => n === "runtime.gcDrain" || n === "runtime.gcDrainN");
    const sweep = has(frames, (n) => n === "runtime.bgsweep" || n === "runtime.sweepone" || n.startsWith("runtime.(*sweepLocked).sweep"));
    const stw = has(frames, (n) => n === "runtime.gcMarkTermination" || n === "runtime.gcStart" || n === "runtime.gcMarkDone");
    if (worker) acc.worker += v;
    if (assist) acc.assist += v;
    if (mark) acc.mark += v;
    if (mark && has(frames, (n) => n.startsWith("runtime.markroot"))) acc.markroot += v;
    if (has(frames, (n) => n === "runtime.scanobject" || n === "runtime.scanblock" || n === "runtime.scanstack")) acc.scan += v;
    if (sweep) acc.sweep += v;
    if (has(frames, (n) => n === "runtime.mallocgc")) acc.malloc += v;
    if (mark || sweep || stw) acc.gc += v;
  });
  const pct = (x: number) => (total > 0 ? (100 * x) / total : 0);
  return {
    totalNs: total,
    gcPercent: pct(acc.gc),
    markWorkerPercent: pct(acc.worker),
    assistPercent: pct(acc.assist),
    markPercent: pct(acc.mark),
    markrootPercent: pct(acc.markroot),
    scanobjectPercent: pct(acc.scan),
    sweepPercent: pct(acc.sweep),
    mallocPercent: pct(acc.malloc),
    markrootOfMarkPercent: acc.mark > 0 ? (100 * acc.markroot) / acc.mark : 0,
  };
}
