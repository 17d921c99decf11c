// Legacy binary CPU profiles: Go's pre-proto runtime/pprof output and
// gperftools' (C++) profilez, in 32- or 64-bit words of either endianness,
// plus Java's variant of the same container — pprof's parseCPU.
//
// Layout: header words 0, 3, 0 (C++/Go) or 1 (Java), period in µs, 0; then
// samples "count, depth, pc..." up to the marker "0, 1, 0"; then text (the
// memory map, or for Java the symbol table).

import {
  LineScanner,
  LProfile,
  MASK64,
  Unrecognized,
  cleanupDuplicateLocations,
  LocationIndex,
} from "./common.js";
import { parseMemoryMap } from "./memory-map.js";
import { parseJavaLocations, stripAddresses } from "./java.js";

/** A cursor over the words of one encoding; reading past the end yields 0 and goes nil, like Go's get32l & co. */
export class WordReader {
  off: number;
  nil = false;
  constructor(
    private readonly b: Uint8Array,
    private readonly view: DataView,
    readonly size: 4 | 8,
    readonly little: boolean,
    off = 0,
  ) {
    this.off = off;
  }

  static of(b: Uint8Array, size: 4 | 8, little: boolean): WordReader {
    return new WordReader(b, new DataView(b.buffer, b.byteOffset, b.byteLength), size, little);
  }

  get remaining(): number {
    return this.nil ? 0 : this.b.length - this.off;
  }

  next(): bigint {
    if (this.nil || this.b.length - this.off < this.size) {
      this.nil = true;
      return 0n;
    }
    const v =
      this.size === 4
        ? BigInt(this.view.getUint32(this.off, this.little))
        : this.view.getBigUint64(this.off, this.little);
    this.off += this.size;
    return v;
  }

  /** The bytes after the cursor, as latin1 text (empty when nil). */
  rest(): string {
    return this.nil ? "" : Buffer.from(this.b.buffer, this.b.byteOffset + this.off, this.b.length - this.off).toString("latin1");
  }
}

const ENCODINGS: [4 | 8, boolean][] = [
  [4, true],
  [4, false],
  [8, true],
  [8, false],
];

/** pprof's parseCPU: try each word encoding on the header. */
export function parseCPU(data: Uint8Array): { profile: LProfile; java: boolean } {
  for (const [size, little] of ENCODINGS) {
    const r = WordReader.of(data, size, little);
    const n = [r.next(), r.next(), r.next(), r.next(), r.next()];
    if (r.nil || n[0] !== 0n || n[1] !== 3n || n[4] !== 0n || n[3] === 0n) continue;
    const period = Number(BigInt.asIntN(64, n[3]));
    if (n[2] === 0n) return { profile: cpuProfile(r, period), java: false };
    if (n[2] === 1n) return { profile: javaCPUProfile(r, period), java: true };
  }
  throw new Unrecognized();
}

/** Read "count, depth, pcs" records up to the end marker. adjust: step non-leaf PCs back onto the call. */
export function parseCPUSamples(r: WordReader, adjust: boolean, p: LProfile): LocationIndex {
  const locs = new LocationIndex(p);
  while (r.remaining > 0) {
    const count = r.next();
    const nstk = r.next();
    if (r.nil || nstk > BigInt(Math.floor(r.remaining / 4))) throw new Unrecognized();
    const addrs: bigint[] = [];
    for (let i = 0n; i < nstk; i++) addrs.push(r.next());
    if (count === 0n && nstk === 1n && addrs[0] === 0n) break; // end of data
    const sloc = addrs.map((a, i) => locs.get(adjust && i > 0 ? (a - 1n) & MASK64 : a));
    const c = BigInt.asIntN(64, count);
    p.samples.push({ locs: sloc, values: [Number(c), Number(BigInt.asIntN(64, c * BigInt(p.period)))] });
  }
  return locs;
}

/** A legacy CPU profile's fixed header: period in microseconds, samples/count and cpu/nanoseconds. */
function newCpuProfile(periodMicros: number): LProfile {
  const p = new LProfile();
  p.period = Number(BigInt.asIntN(64, BigInt(periodMicros) * 1000n));
  p.periodType = { type: "cpu", unit: "nanoseconds" };
  p.sampleTypes = [
    { type: "samples", unit: "count" },
    { type: "cpu", unit: "nanoseconds" },
  ];
  return p;
}

function cpuProfile(r: WordReader, period: number): LProfile {
  const p = newCpuProfile(period);
  parseCPUSamples(r, true, p);

  // If (almost) all samples share the second frame, it is the signal
  // handler's own frame, not real code: strip it, at most twice. One
  // sample in 32 may differ.
  const margin = Math.floor(p.samples.length / 32);
  for (let iter = 0; iter < 2; iter++) {
    const addr1 = new Map<bigint, number>();
    for (const s of p.samples) {
      if (s.locs.length > 1) {
        const a = s.locs[1].address;
        addr1.set(a, (addr1.get(a) ?? 0) + 1);
      }
    }
    for (const [id1, count] of addr1) {
      if (count >= p.samples.length - margin) {
        for (const s of p.samples) {
          if (s.locs.length > 1 && s.locs[1].address === id1) s.locs.splice(1, 1);
        }
        break;
      }
    }
  }
  parseMemoryMap(p, new LineScanner(r.rest()));
  cleanupDuplicateLocations(p);
  return p;
}

/** Java CPU: the same samples (PCs not adjusted), then a symbol table instead of a memory map. */
function javaCPUProfile(r: WordReader, period: number): LProfile {
  const p = newCpuProfile(period);
  const locs = parseCPUSamples(r, false, p);
  parseJavaLocations(r.rest(), locs, p);
  stripAddresses(p);
  return p;
}
