// Execution traces in the bundle (kind "trace"): each read once with the bundle's limits
// and analysed as `godiag trace` analyses it, plus the stacks diagnose needs to name a
// user function (mark assists, task and region openings). A trace that cannot be read
// is a warning about the evidence, never a failed diagnosis.

import type { Bundle, BundleFile } from "../bundle/index.js";
import { analyzeTrace, EventKind, readTraceBytes, SiteCollector, type TraceReport, type TraceSites } from "../trace/index.js";
import { BlockCollector, type BlockSite } from "./trace-blocks.js";
import { RequestCollector, type TraceRequest } from "./trace-requests.js";

export interface TraceInput {
  file: BundleFile;
  report: TraceReport;
  sites: TraceSites;
  /** blocked time by stack and reason (trace-blocks.ts) */
  blocks: BlockSite[];
  /**
   * Wall clock (ms since the epoch) at the trace's first event, from its first clock
   * snapshot (Go 1.25+); undefined for older traces. Lets a rule place the trace on the
   * wall-clock timeline of a packet capture.
   */
  wallStartMs?: number;
  /**
   * The first clock snapshot: wall clock = trace time + (wall - trace), in whole seconds
   * and nanoseconds apart so no precision is lost (Unix ns do not fit a double).
   */
  clock?: { trace: number; wallSec: number; wallNsec: number };
  /** net/http requests cut from the trace, one by one (trace-requests.ts) */
  requests: TraceRequest[];
  /** the GC's P-time between two trace times (ns of one goroutine's wait): see trace-requests.ts */
  gcBetween(t0: number, t1: number): number;
  /** the handler goroutines' P-time between two trace times, the same way */
  handlersBetween(t0: number, t1: number): number;
}

/** Reads and analyses the bundle's traces; what cannot be read goes to bundle.warnings. */
export function readTraces(files: BundleFile[], bundle: Pick<Bundle, "limits" | "warnings">): TraceInput[] {
  const out: TraceInput[] = [];
  for (const file of files) {
    try {
      const sites = new SiteCollector();
      const blocks = new BlockCollector();
      const requests = new RequestCollector();
      let clock: TraceInput["clock"];
      let tables: Parameters<SiteCollector["finish"]>[0] | undefined;
      let first = -1;
      let wallStartMs: number | undefined;
      const report = analyzeTrace(file.path, (visit) => {
        const r = readTraceBytes(
          file.data,
          file.path,
          (ev, t) => {
            visit(ev, t);
            sites.event(ev);
            blocks.event(ev);
            requests.event(ev, t);
            if (first < 0) first = ev.time;
            if (wallStartMs === undefined && ev.kind === EventKind.Sync) {
              const c = ev.sync().clockSnapshot;
              // the snapshot pairs a trace time with the wall clock: step back to the first event
              if (c !== null) {
                wallStartMs = c.wallSec * 1e3 + c.wallNsec / 1e6 - (c.trace - first) / 1e6;
                clock = { trace: c.trace, wallSec: c.wallSec, wallNsec: c.wallNsec };
              }
            }
          },
          { limits: bundle.limits },
        );
        tables = r.tables;
        return r;
      });
      for (const w of report.warnings) bundle.warnings.push(w.startsWith(file.path) ? w : `${file.path}: ${w}`);
      if (report.generations === 0) {
        bundle.warnings.push(`${file.path}: execution trace has no complete generation; nothing read from it`);
        continue;
      }
      if (requests.dropped > 0) bundle.warnings.push(`${file.path}: ${requests.dropped} requests past the first ${requests.finish().length} not cut from the trace`);
      out.push({
        file,
        report,
        sites: sites.finish(tables!),
        blocks: blocks.finish(tables!),
        requests: requests.finish(),
        gcBetween: (t0, t1) => requests.gcBetween(t0, t1),
        handlersBetween: (t0, t1) => requests.handlersBetween(t0, t1),
        ...(wallStartMs === undefined ? {} : { wallStartMs }),
        ...(clock === undefined ? {} : { clock }),
      });
    } catch (e) {
      // InputError names the file and offset already; anything else is said with the file.
      const msg = (e as Error).message;
      bundle.warnings.push(`${msg.startsWith(file.path) ? msg : `${file.path}: ${msg}`}; execution trace skipped`);
    }
  }
  return out;
}
