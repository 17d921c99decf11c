// The trace's CPU samples (EventStackSample, written when runtime/pprof's CPU profiler
// runs while tracing) as a CPU profile: samples/count and cpu/nanoseconds per stack,
// the sample types runtime/pprof writes, so every CPU report reads it.
//
// A trace does not record the profiling rate. Each sample is taken as 10 ms of CPU,
// runtime/pprof's only rate (100 Hz) unless a program calls runtime.SetCPUProfileRate.

import { EventKind, type TraceEvent, type TraceTables } from "../model/event.js";
import { buildStackProfile, StackAccumulator } from "./build.js";
import type { Profile } from "../../core/model/index.js";

export const CPU_SAMPLE_PERIOD_NS = 10_000_000;
const ONE_SAMPLE: readonly number[] = [1, CPU_SAMPLE_PERIOD_NS];

export class CpuSampleProfiler {
  /** samples per stack; null until the first event hands us the tables */
  private acc: StackAccumulator | null = null;
  samples = 0;
  private firstTime = -1;
  private lastTime = 0;
  /** wall clock (ns since the epoch) at firstTime, from the first clock snapshot (Go 1.25+) */
  private wallAtFirst: bigint | null = null;

  event(ev: TraceEvent, tables: TraceTables): void {
    if (this.firstTime < 0) this.firstTime = ev.time;
    this.lastTime = ev.time;
    if (ev.kind === EventKind.Sync && this.wallAtFirst === null) {
      const c = ev.sync().clockSnapshot;
      if (c !== null) {
        const wall = BigInt(c.wallSec) * 1_000_000_000n + BigInt(c.wallNsec);
        this.wallAtFirst = wall - BigInt(c.trace - this.firstTime);
      }
      return;
    }
    if (ev.kind !== EventKind.StackSample) return;
    this.samples++;
    this.acc ??= new StackAccumulator(tables);
    this.acc.add(ev.stack, this.samples, ONE_SAMPLE);
  }

  finish(tables: TraceTables): Profile {
    return buildStackProfile(this.acc?.records() ?? [], tables, {
      sampleTypes: [
        { type: "samples", unit: "count" },
        { type: "cpu", unit: "nanoseconds" },
      ],
      periodType: { type: "cpu", unit: "nanoseconds" },
      period: CPU_SAMPLE_PERIOD_NS,
      timeNanos: this.wallAtFirst ?? 0n,
      durationNanos: this.firstTime < 0 ? 0 : this.lastTime - this.firstTime,
    });
  }
}
