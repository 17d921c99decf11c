// Recognise what a capture file is from its content, not its name, so `diagnose`
// works on a loose directory of files however they were saved. Profiles are told
// apart by their sample types (and, for block vs mutex which share them, by the
// leaf frames: the mutex profile records the Unlock that ended the contention).

import { isGzip, maybeGunzip, type ReadLimits } from "../input/index.js";
import { decodeProfile, isProbablyProto } from "../codec/index.js";
import type { Profile } from "../model/index.js";
import type { FileKind } from "./kinds.js";

const TEXT_PROBE = 64 << 10; // bytes of text looked at to recognise a format

export interface Sniffed {
  kind: FileKind;
  /** the decoded profile when the file is a proto profile (saves decoding twice) */
  profile?: Profile;
}

/** Best guess of a file's kind; "other" when unknown. Throws InputError only for corrupt gzip. */
export function sniffKind(data: Uint8Array, file: string, limits: ReadLimits): Sniffed {
  if (data.length === 0) return { kind: "other" };
  if (startsWith(data, "go 1.") && Buffer.from(data.subarray(0, 16)).toString("latin1").includes(" trace")) {
    return { kind: "trace" };
  }
  const raw = isGzip(data) ? maybeGunzip(data, file, limits) : data;
  if (isProbablyProto(raw)) {
    try {
      const p = decodeProfile(raw, file);
      return { kind: profileKind(p), profile: p };
    } catch {
      // not a profile after all: fall through to the text probes
    }
  }
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.length, TEXT_PROBE)).toString("utf8");
  return { kind: textKind(head) };
}

function startsWith(data: Uint8Array, s: string): boolean {
  if (data.length < s.length) return false;
  for (let i = 0; i < s.length; i++) if (data[i] !== s.charCodeAt(i)) return false;
  return true;
}

/** The /debug/pprof endpoint a decoded profile came from. */
export function profileKind(p: Profile): FileKind {
  const types = p.sampleTypes.map((t) => `${t.type}/${t.unit}`);
  const has = (t: string) => types.includes(t);
  if (has("cpu/nanoseconds") || has("samples/count") && p.periodType?.type === "cpu") return "cpu";
  if (has("inuse_space/bytes") || has("alloc_space/bytes")) {
    return p.defaultSampleType === "alloc_space" ? "allocs" : "heap";
  }
  if (has("goroutine/count") || has("goroutines/count")) return "goroutine";
  if (has("threadcreate/count")) return "threadcreate";
  if (has("contentions/count") && has("delay/nanoseconds")) return isMutexProfile(p) ? "mutex" : "block";
  return "other";
}

// Leaf functions of mutex profile samples: the unlock that released a contended lock.
const UNLOCK_LEAF = /^(sync\.\(\*(RW)?Mutex\)\.(R)?Unlock|internal\/sync\.\(\*Mutex\)\.Unlock|runtime\.unlock.*|runtime\._LostContendedRuntimeLock)$/;

function isMutexProfile(p: Profile): boolean {
  const { samples, locations, lines, functions } = p;
  let unlock = 0;
  let other = 0;
  for (let s = 0; s < samples.length && unlock + other < 200; s++) {
    const start = samples.stackStart[s]!;
    if (start === samples.stackStart[s + 1]) continue;
    const loc = samples.stack[start]!;
    const line = locations.lineStart[loc]!;
    if (line === locations.lineStart[loc + 1]) continue;
    const f = lines.func[line]!;
    if (f < 0) continue;
    if (UNLOCK_LEAF.test(p.str(functions.name[f]!))) unlock++;
    else other++;
  }
  return unlock > other;
}

/** Text formats, from their first lines. */
export function textKind(head: string): FileKind {
  if (/^goroutine profile: total \d+/m.test(head)) return "goroutine-debug1";
  if (/^goroutine \d+ (gp=\S+ m=\S+ (mp=\S+ )?)?\[[^\]]+\]:$/m.test(head)) return "goroutine-debug2";
  if (/^heap profile: /m.test(head)) return "heap-debug1";
  if (/^threadcreate profile: total/m.test(head)) return "other";
  if (/^(gc \d+ @\d+(\.\d+)?s \d+%: |scvg\d*: |scav \d+ )/m.test(head)) return "gctrace";
  if (/^\s*\{/.test(head) && /"memstats"\s*:/.test(head)) return "expvar";
  if (/^\S+\.go:\d+:\d+: .*(escapes to heap|moved to heap|does not escape|inlining call|can inline)/m.test(head)) {
    return "escape";
  }
  return "other";
}
