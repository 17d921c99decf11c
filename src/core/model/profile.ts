// The one in-memory profile model every reader fills and every analysis reads.
//
// It holds everything profile.proto holds, but columnar: each table is a set of
// typed arrays indexed by a dense row number (not the proto's ids), and every
// string is an index into one interned string table. Samples point at
// location rows, locations at line rows, lines at function rows. This keeps a
// 50 MB profile in a few flat buffers instead of millions of small objects.
//
// Values are JS numbers (float64): exact for integers up to 2^53, which covers
// every counter Go emits (2^53 ns is 104 days of CPU). Addresses are uint64 in
// profile.proto and may exceed 2^53 (kernel frames), so they are BigUint64.

import { type StringTable } from "./strings.js";

export interface ValueType {
  type: string;
  unit: string;
}

export interface Mapping {
  /** proto id (unique, non-zero) */
  id: number;
  start: bigint;
  limit: bigint;
  offset: bigint;
  file: string;
  buildId: string;
  hasFunctions: boolean;
  hasFilenames: boolean;
  hasLineNumbers: boolean;
  hasInlineFrames: boolean;
}

/** A mapping with every field zero/empty (pprof's fake mapping, and the decoder's starting point). */
export function emptyMapping(id: number): Mapping {
  return {
    id,
    start: 0n,
    limit: 0n,
    offset: 0n,
    file: "",
    buildId: "",
    hasFunctions: false,
    hasFilenames: false,
    hasLineNumbers: false,
    hasInlineFrames: false,
  };
}

/** Functions, one row each. Strings are indexes into Profile.strings. */
export interface FunctionTable {
  length: number;
  id: Float64Array;
  name: Uint32Array;
  systemName: Uint32Array;
  filename: Uint32Array;
  startLine: Float64Array;
}

/**
 * Locations, one row each. A location's lines are rows
 * lineStart[i] .. lineStart[i+1]-1 of the line table, innermost (inlined callee) first,
 * as in profile.proto.
 */
export interface LocationTable {
  length: number;
  id: Float64Array;
  /** index into Profile.mappings, or -1 */
  mapping: Int32Array;
  address: BigUint64Array;
  isFolded: Uint8Array;
  /** length+1 offsets into the line table */
  lineStart: Uint32Array;
}

export interface LineTable {
  length: number;
  /** function row, or -1 when the line names no function */
  func: Int32Array;
  line: Float64Array;
  column: Float64Array;
}

/**
 * Samples, one row each. Values are row-major: sample i's value for sample type t
 * is values[i * sampleTypes.length + t]. The stack of sample i is
 * stack[stackStart[i] .. stackStart[i+1]-1], leaf first, as location rows.
 * Its labels are label rows labelStart[i] .. labelStart[i+1]-1.
 */
export interface SampleTable {
  length: number;
  values: Float64Array;
  stackStart: Uint32Array;
  stack: Uint32Array;
  labelStart: Uint32Array;
}

/**
 * Sample labels. A string label has str != 0 (a string index); a numeric one has
 * str == 0 and carries num with an optional unit (string index, 0 = none).
 * Readers drop proto labels that have neither (as pprof does), so every row with
 * str == 0 is a numeric label, even when num is 0 (legacy heap profiles' bytes=0).
 */
export interface LabelTable {
  length: number;
  key: Uint32Array;
  str: Uint32Array;
  num: Float64Array;
  unit: Uint32Array;
}

/** Extra facts some formats carry that profile.proto has no room for. */
export interface ProfileExtras {
  /** `# runtime.MemStats` block of a legacy heap profile (heap?debug=1): name -> value(s). */
  memStats?: Record<string, number | number[]>;
  /** the format the profile was read from, e.g. "pprof-proto", "heap-text", "goroutine-text". */
  sourceFormat?: string;
  /** "FILE: truncated: ... at byte N": the input stops before its format's end */
  truncation?: string;
}

/** The profile-wide fields (everything but the tables), shared by Profile and ProfileBuilder. */
export interface ProfileHeader {
  sampleTypes: ValueType[];
  defaultSampleType: string;
  periodType: ValueType | null;
  period: number;
  timeNanos: bigint;
  durationNanos: number;
  dropFrames: string;
  keepFrames: string;
  comments: string[];
  docUrl: string;
  mappings: Mapping[];
}

/** Copy the profile-wide fields (sharing arrays, which are treated as immutable). */
export function copyHeader(to: ProfileHeader, from: ProfileHeader): void {
  to.sampleTypes = from.sampleTypes;
  to.defaultSampleType = from.defaultSampleType;
  to.periodType = from.periodType;
  to.period = from.period;
  to.timeNanos = from.timeNanos;
  to.durationNanos = from.durationNanos;
  to.dropFrames = from.dropFrames;
  to.keepFrames = from.keepFrames;
  to.comments = from.comments;
  to.docUrl = from.docUrl;
  to.mappings = from.mappings;
}

export class Profile implements ProfileHeader {
  strings: StringTable;
  sampleTypes: ValueType[] = [];
  defaultSampleType = "";
  periodType: ValueType | null = null;
  period = 0;
  /** wall-clock capture time in ns since the epoch; bigint because today's values exceed 2^53 */
  timeNanos = 0n;
  durationNanos = 0;
  dropFrames = "";
  keepFrames = "";
  comments: string[] = [];
  docUrl = "";
  mappings: Mapping[] = [];
  functions: FunctionTable;
  locations: LocationTable;
  lines: LineTable;
  samples: SampleTable;
  labels: LabelTable;
  extras: ProfileExtras = {};

  constructor(init: {
    strings: StringTable;
    functions: FunctionTable;
    locations: LocationTable;
    lines: LineTable;
    samples: SampleTable;
    labels: LabelTable;
  }) {
    this.strings = init.strings;
    this.functions = init.functions;
    this.locations = init.locations;
    this.lines = init.lines;
    this.samples = init.samples;
    this.labels = init.labels;
  }

  /** Number of values per sample. */
  get numValues(): number {
    return this.sampleTypes.length;
  }

  /** The string behind a string-table index. */
  str(i: number): string {
    return this.strings.get(i);
  }

  sampleValue(sample: number, typeIndex: number): number {
    return this.samples.values[sample * this.sampleTypes.length + typeIndex];
  }
}
