// Stack records -> godiag's Profile, laid out as go tool trace's profiles are
// (internal/trace/traceviewer/pprof.go BuildProfile, read not copied): one location per
// PC with the line of the frame, one function per (file, name) with the name as its
// system name, no mappings. pprof's reports then print the same text for both.

import { ProfileBuilder, type Profile, type ValueType } from "../../core/model/index.js";
import type { TraceTables } from "../model/event.js";

/** What a profile says per stack: one value per sample type. */
export interface StackValues {
  stack: number;
  values: number[];
}

export interface ProfileShape {
  sampleTypes: ValueType[];
  periodType: ValueType;
  period: number;
  timeNanos?: bigint;
  durationNanos?: number;
}

/**
 * Values per stack, where stacks with the same PCs are one stack, as go tool trace keys them
 * (its stackMap). That matters for stacks that differ only in names: a stack of one
 * unsymbolised frame at PC 0 (seen on runtime-internal unblocks) is go tool trace's "no
 * stack". The stack kept for a key is the one added last in trace order (`seq`), so the
 * frames printed are the ones go tool trace prints.
 */
export class StackAccumulator {
  private readonly keys = new Map<number, string>();
  /** key -> [stack, seq of the add that named it, values...]; Map order = first seen */
  private readonly byKey = new Map<string, { stack: number; seq: number; values: number[] }>();

  constructor(private readonly tables: TraceTables) {}

  private keyOf(stack: number): string {
    let k = this.keys.get(stack);
    if (k === undefined) {
      // go tool trace keys on a fixed array of PCs padded with zeros, so trailing PC-0
      // frames do not count: [0] and [] are the same stack.
      const pcs = this.tables.frames(stack).map((f) => f.pc);
      while (pcs.length > 0 && pcs[pcs.length - 1] === 0) pcs.pop();
      k = pcs.map((pc) => pc.toString(36)).join(",");
      this.keys.set(stack, k);
    }
    return k;
  }

  /** Add values to the stack's record; seq orders adds as go tool trace made them. */
  add(stack: number, seq: number, values: readonly number[]): void {
    const key = this.keyOf(stack);
    const r = this.byKey.get(key);
    if (r === undefined) {
      this.byKey.set(key, { stack, seq, values: [...values] });
      return;
    }
    for (let i = 0; i < values.length; i++) r.values[i] += values[i];
    if (seq > r.seq) {
      r.stack = stack;
      r.seq = seq;
    }
  }

  records(): StackValues[] {
    return [...this.byKey.values()].map((r) => ({ stack: r.stack, values: r.values }));
  }
}

/** One sample per record, its stack's frames as locations (leaf first, as traces store them). */
export function buildStackProfile(records: Iterable<StackValues>, tables: TraceTables, shape: ProfileShape): Profile {
  const b = new ProfileBuilder();
  b.sampleTypes = shape.sampleTypes;
  b.periodType = shape.periodType;
  b.period = shape.period;
  b.timeNanos = shape.timeNanos ?? 0n;
  b.durationNanos = shape.durationNanos ?? 0;
  const locByPc = new Map<number, number>();
  const funcByKey = new Map<string, number>();
  const locs: number[] = [];
  for (const r of records) {
    locs.length = 0;
    for (const f of tables.frames(r.stack)) {
      let loc = locByPc.get(f.pc);
      if (loc === undefined) {
        const key = f.file + "\u0000" + f.func;
        let fn = funcByKey.get(key);
        if (fn === undefined) {
          fn = b.addFunction(f.func, f.func, f.file);
          funcByKey.set(key, fn);
        }
        loc = b.addLocation([{ func: fn, line: f.line }], BigInt(f.pc));
        locByPc.set(f.pc, loc);
      }
      locs.push(loc);
    }
    b.addSample(locs, r.values);
  }
  return b.build();
}
