// Recognise what a capture file is from its content, not its name, so `diagnose`
// works on a loose directory of files however they were saved. Profiles are told
// apart by their sample types (and, for block vs mutex which share them, by the
// leaf frames: the mutex profile records the Unlock that ended the contention).

import { constants as bufferConstants } from "node:buffer";
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
  return { kind: textKindOf(raw) };
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

/**
 * Text formats. The dumps and profiles the runtime writes announce themselves in
 * their first lines; a log file may carry gctrace lines anywhere among the
 * service's own lines (GODEBUG=gctrace=1 writes to the same stderr), so a file
 * that is nothing else is searched whole for them.
 */
export function textKindOf(raw: Uint8Array): FileKind {
  if (looksBinary(raw)) return "other";
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.length, TEXT_PROBE)).toString("utf8");
  const k = textKind(head);
  // Past V8's longest string the whole-file search is skipped: the reader refuses such text anyway.
  if (k !== "other" || raw.length <= TEXT_PROBE || raw.length > bufferConstants.MAX_STRING_LENGTH) return k;
  const all = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString("utf8");
  if (isExpvar(all)) return "expvar";
  if (GOROUTINE_HEADER.test(all)) return "goroutine-debug2";
  return GCTRACE_LINE.test(all) ? "gctrace" : "other";
}

const GOROUTINE_HEADER = /^goroutine \d+ (gp=\S+ m=\S+ (mp=\S+ )?)?\[[^\]]+\]:$/m;
// gctrace since Go 1.5 ("gc 12 @3.456s 2%: ..."), and the scavenger's lines; also after
// a service's own unterminated line (the runtime writes to the same stderr), as gc/read reads them.
const GCTRACE_LINE = /(?:^|[^A-Za-z0-9_])(gc \d+ @\d+(\.\d+)?s \d+%: |scvg\d*: |scav \d+ )/m;

/** True when the text holds a gctrace or scavenger line (a log may also hold a SIGQUIT traceback). */
export function hasGcTraceLines(text: string): boolean {
  return GCTRACE_LINE.test(text);
}
const ESCAPE_LINE = /^.+\.go:\d+:\d+: /m;
const ESCAPE_WORDS = /(escapes to heap|moved to heap|does not escape|can inline|inlining call|leaking param)/;

/** /debug/vars: a JSON object with the runtime's "memstats" (expvar always publishes it, with "cmdline"). */
function isExpvar(text: string): boolean {
  return /^\s*\{/.test(text) && /"memstats"\s*:\s*\{/.test(text) && /"cmdline"\s*:/.test(text);
}

/** NUL or many control bytes in the first 4 KiB: not text. */
export function looksBinary(b: Uint8Array): boolean {
  const n = Math.min(b.length, 4096);
  let ctl = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === 0) return true;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) ctl++;
  }
  return ctl > n / 10;
}

/** Text formats, from their first lines. */
export function textKind(head: string): FileKind {
  if (/^goroutine profile: total \d+/m.test(head)) return "goroutine-debug1";
  if (GOROUTINE_HEADER.test(head)) return "goroutine-debug2";
  if (/^heap profile: /m.test(head)) return "heap-debug1";
  if (/^threadcreate profile: total/m.test(head)) return "other";
  if (isExpvar(head)) return "expvar";
  if (GCTRACE_LINE.test(head)) return "gctrace";
  if (ESCAPE_LINE.test(head) && ESCAPE_WORDS.test(head)) return "escape";
  return "other";
}
