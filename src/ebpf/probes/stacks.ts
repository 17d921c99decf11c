// User stacks from bpftrace's ustack(perf) text ("\n\t<hex addr> <sym> (<path>)"
// per frame, leaf first) turned into Go function names with our own symbol
// table (bpftrace cannot name functions of a stripped binary), and into pprof
// profiles that `godiag top`, `flame` and `go tool pprof` read.

import { ProfileBuilder, type Profile } from "../../core/model/index.js";
import { funcAt, type GoBinary } from "../binary/gobinary.js";

export interface Frame {
  addr: bigint;
  func: string;
  /** source position of the PC (a caller's: of its call instruction), when .gopclntab gives it */
  file?: string;
  line?: number;
}

export function parseUstack(text: string, bin: GoBinary): Frame[] {
  const frames: Frame[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*([0-9a-f]+)\s/.exec(line);
    if (!m) continue;
    const addr = BigInt("0x" + m[1]!);
    // A caller's frame holds a return address: look up the call instruction (addr - 1).
    const pc = frames.length === 0 ? addr : addr - 1n;
    const f = funcAt(bin, pc);
    const at = f ? bin.lineAt(pc) : undefined;
    frames.push({ addr, func: f?.name ?? `0x${addr.toString(16)}`, ...(at ? { file: at.file, line: at.line } : {}) });
  }
  return frames;
}

export interface StackSample {
  frames: Frame[];
  values: number[];
  labels?: Record<string, string>;
}

export interface ProfileSpec {
  sampleTypes: { type: string; unit: string }[];
  periodType?: { type: string; unit: string };
  period?: number;
  durationNanos: number;
  timeNanos: bigint;
  comment: string;
}

export function stacksToProfile(bin: GoBinary, samples: StackSample[], spec: ProfileSpec): Profile {
  const b = new ProfileBuilder();
  b.sampleTypes = spec.sampleTypes;
  b.defaultSampleType = spec.sampleTypes[spec.sampleTypes.length - 1]!.type;
  b.periodType = spec.periodType ?? null;
  b.period = spec.period ?? 0;
  b.durationNanos = spec.durationNanos;
  b.timeNanos = spec.timeNanos;
  b.comments = [spec.comment];
  const text = bin.elf.section(".text");
  b.mappings = [
    {
      id: 1,
      start: text?.addr ?? 0n,
      limit: text ? text.addr + BigInt(text.size) : 0n,
      offset: 0n,
      file: bin.file,
      buildId: "",
      hasFunctions: true,
      hasFilenames: true,
      hasLineNumbers: true,
      hasInlineFrames: false,
    },
  ];
  const locs = new Map<bigint, number>();
  for (const s of samples) {
    const ids = s.frames.map((f) => {
      let id = locs.get(f.addr);
      if (id === undefined) {
        id = b.addLocation([{ func: b.internFunction(f.func, f.func, f.file ?? ""), line: f.line ?? 0 }], f.addr, 0);
        locs.set(f.addr, id);
      }
      return id;
    });
    b.addSample(ids, s.values, s.labels ? Object.entries(s.labels).map(([key, str]) => ({ key, str })) : undefined);
  }
  return b.build();
}
