// Legacy (pre-proto) profile formats: try each reader in pprof's order
// (parseLegacy) — binary CPU, heap, Go count, threadz, contention, Java —
// and return the first that recognizes the input, with pprof's
// drop_frames/keep_frames defaults for its kind (addLegacyFrameInfo).

import type { Profile } from "../../model/index.js";
import { DEFAULT_LIMITS, InputError, type ReadLimits, maybeGunzip, textOf } from "../../input/index.js";
import { parseGoCount } from "./count.js";
import { LegacyParseError, type LProfile, Unrecognized, excerpt, toProfile } from "./common.js";
import { parseContention } from "./contention.js";
import { parseCPU } from "./cpu.js";
import { parseHeap, type MemStats } from "./heap.js";
import { parseJavaProfile } from "./java.js";
import { parseThread } from "./thread.js";

export { symbolizeFromComments } from "./heap.js";

interface Parsed {
  profile: LProfile;
  format: string;
  memStats?: MemStats;
  /** where a text profile that should go on stops (heap?debug=1 without its MemStats block) */
  truncation?: string;
}

type Reader = (data: Uint8Array, text: () => string) => Parsed;

const READERS: Reader[] = [
  (data) => {
    const r = parseCPU(data);
    return { profile: r.profile, format: r.java ? "java-cpu" : "legacy-cpu" };
  },
  (_d, text) => {
    const r = parseHeap(text());
    return { profile: r.profile, format: "heap-text", memStats: r.memStats, truncation: r.truncation };
  },
  (_d, text) => {
    const r = parseGoCount(text());
    return { profile: r.profile, format: `${r.name}-text` };
  },
  (_d, text) => ({ profile: parseThread(text()), format: "threadz-text" }),
  (_d, text) => ({ profile: parseContention(text()), format: "contention-text" }),
  (_d, text) => ({ profile: parseJavaProfile(text()), format: "java-text" }),
];

const heapzSampleTypes = [
  ["allocations", "size"], // early Go pprof profiles
  ["objects", "space"],
  ["inuse_objects", "inuse_space"],
  ["alloc_objects", "alloc_space"],
  ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"], // Go legacy heap
];
const contentionzSampleTypes = [["contentions", "delay"]];

const allocRxStr = [
  // POSIX entry points.
  "calloc", "cfree", "malloc", "free", "memalign", "do_memalign", "(__)?posix_memalign",
  "pvalloc", "valloc", "realloc",
  // TC malloc.
  "tcmalloc::.*", "tc_calloc", "tc_cfree", "tc_malloc", "tc_free", "tc_memalign",
  "tc_posix_memalign", "tc_pvalloc", "tc_valloc", "tc_realloc", "tc_new", "tc_delete",
  "tc_newarray", "tc_deletearray", "tc_new_nothrow", "tc_newarray_nothrow",
  // Memory-allocation routines on OS X.
  "malloc_zone_malloc", "malloc_zone_calloc", "malloc_zone_valloc", "malloc_zone_realloc",
  "malloc_zone_memalign", "malloc_zone_free",
  // Go runtime
  "runtime\\..*",
  // Other misc. memory allocation routines
  "BaseArena::.*", "(::)?do_malloc_no_errno", "(::)?do_malloc_pages", "(::)?do_malloc",
  "DoSampledAllocation", "MallocedMemBlock::MallocedMemBlock", "_M_allocate",
  "__builtin_(vec_)?delete", "__builtin_(vec_)?new", "__gnu_cxx::new_allocator::allocate",
  "__libc_malloc", "__malloc_alloc_template::allocate", "allocate", "cpp_alloc",
  "operator new(\\[\\])?", "simple_alloc::allocate",
].join("|");

// Keep Go runtime frames that appear in the middle/bottom of the stack.
const allocSkipRxStr = ["runtime\\.panic", "runtime\\.reflectcall", "runtime\\.call[0-9]*"].join("|");

const cpuProfilerRxStr = [
  "ProfileData::Add", "ProfileData::prof_handler", "CpuProfiler::prof_handler",
  "__pthread_sighandler", "__restore",
].join("|");

const lockRxStr = [
  "RecordLockProfileData", "(base::)?RecordLockProfileData.*", "(base::)?SubmitMutexProfileData.*",
  "(base::)?SubmitSpinLockProfileData.*", "(base::Mutex::)?AwaitCommon.*", "(base::Mutex::)?Unlock.*",
  "(base::Mutex::)?UnlockSlow.*", "(base::Mutex::)?ReaderUnlock.*", "(base::MutexLock::)?~MutexLock.*",
  "(Mutex::)?AwaitCommon.*", "(Mutex::)?Unlock.*", "(Mutex::)?UnlockSlow.*", "(Mutex::)?ReaderUnlock.*",
  "(MutexLock::)?~MutexLock.*", "(SpinLock::)?Unlock.*", "(SpinLock::)?SlowUnlock.*",
  "(SpinLockHolder::)?~SpinLockHolder.*",
].join("|");

function isProfileType(p: LProfile, types: string[][]): boolean {
  return types.some((t) => t.length === p.sampleTypes.length && t.every((x, i) => p.sampleTypes[i].type === x));
}

/** pprof's addLegacyFrameInfo: which frames reports should drop (allocator, profiler, lock internals). */
function addLegacyFrameInfo(p: LProfile): void {
  if (isProfileType(p, heapzSampleTypes)) {
    [p.dropFrames, p.keepFrames] = [allocRxStr, allocSkipRxStr];
  } else if (isProfileType(p, contentionzSampleTypes)) {
    [p.dropFrames, p.keepFrames] = [lockRxStr, ""];
  } else {
    [p.dropFrames, p.keepFrames] = [cpuProfilerRxStr, ""];
  }
}

/** The parts of pprof's CheckValid a legacy reader can violate. */
function checkValid(p: LProfile): string | null {
  const n = p.sampleTypes.length;
  if (n === 0 && p.samples.length !== 0) return "missing sample type information";
  for (const s of p.samples) {
    if (s.values.length !== n) return `mismatch: sample has ${s.values.length} values vs. ${n} types`;
  }
  return null;
}

/**
 * Parse a legacy profile (already decompressed). Throws InputError when no
 * reader recognizes it or the recognized format is malformed.
 */
export function parseLegacy(data: Uint8Array, file: string): Profile {
  if (data.length === 0) throw new InputError(file, "empty input file");
  let latin1: string | null = null;
  const text = (): string =>
    (latin1 ??= textOf(data, file, "latin1"));
  for (const read of READERS) {
    let parsed: Parsed;
    try {
      parsed = read(data, text);
    } catch (e) {
      if (e instanceof Unrecognized) continue;
      if (e instanceof LegacyParseError) throw new InputError(file, e.detail, undefined, e.line);
      throw e;
    }
    const p = parsed.profile;
    addLegacyFrameInfo(p);
    const bad = checkValid(p);
    if (bad !== null) throw new InputError(file, `malformed profile: ${bad}`);
    const out = toProfile(p);
    out.extras.sourceFormat = parsed.format;
    if (parsed.memStats) out.extras.memStats = parsed.memStats;
    if (parsed.truncation) out.extras.truncation = `${file}: ${parsed.truncation}`;
    return out;
  }
  const t = text();
  const nl = t.indexOf("\n");
  const first = nl < 0 ? t : t.slice(0, nl);
  throw new InputError(file, `unrecognized profile format (first line: ${excerpt(first, 60)})`, undefined, 1);
}

/** Read a legacy profile file's bytes: gunzip if needed, then parseLegacy. */
export function readLegacyProfile(data: Uint8Array, file: string, limits: ReadLimits = DEFAULT_LIMITS): Profile {
  return parseLegacy(maybeGunzip(data, file, limits), file);
}
