// Recognise the inputs of `godiag gc` by content (core/kinds, the one recogniser): a gctrace log,
// heap?debug=1 text (a heap profile with the runtime.MemStats block), /debug/vars
// JSON, a pprof profile (CPU, heap, allocs) or go build -gcflags=-m=2 output.

import type { Profile } from "../../core/model/index.js";
import { InputError, type ReadLimits, fromUtf16, maybeGunzip, readFileCapped, stripLogPrefixes, textOf } from "../../core/input/index.js";
import { parseEscape, type EscapeReport } from "./escape.js";
import { parseExpvar, type ExpvarData } from "./expvar.js";
import { parseGcTrace, type GcTrace } from "./gctrace.js";
import { memStatsFromProfile, type MemStats } from "./memstats.js";
import { parseProfileData } from "../../core/codec/index.js";
import { hasGcTraceLines, looksBinary, textKindOf } from "../../core/kinds/index.js";

export type GcInput =
  | { kind: "gctrace"; file: string; trace: GcTrace }
  | { kind: "expvar"; file: string; data: ExpvarData }
  | { kind: "profile"; file: string; profile: Profile; memStats: MemStats | null }
  | { kind: "escape"; file: string; escape: EscapeReport };

const WHAT = "expected a gctrace log, heap?debug=1, /debug/vars JSON, a pprof profile or go build -gcflags=-m=2 output";

export function classifyGcInput(data: Uint8Array, file: string, limits: ReadLimits): GcInput {
  if (data.length === 0) throw new InputError(file, `empty file (${WHAT})`, 0);
  const unzipped = fromUtf16(maybeGunzip(data, file, limits));
  // a log as kubectl, docker or journalctl print it: the runtime's lines behind a prefix
  const raw = looksBinary(unzipped) ? unzipped : stripLogPrefixes(unzipped);
  const kind = textKindOf(raw);
  const text = () => textOf(raw, file);
  if (kind === "expvar") return { kind: "expvar", file, data: parseExpvar(text(), file) };
  if (kind === "escape") return { kind: "escape", file, escape: parseEscape(text(), file) };
  // a log that ends in a SIGQUIT traceback is still the service's gctrace
  if (kind === "gctrace" || (kind === "goroutine-debug2" && hasGcTraceLines(text()))) return { kind: "gctrace", file, trace: parseGcTrace(text(), file) };
  let profile: Profile;
  try {
    profile = parseProfileData(raw, file, limits);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(file, `not a GC input (${WHAT}); as a profile: ${e.detail}`, e.offset, e.line);
  }
  return { kind: "profile", file, profile, memStats: memStatsFromProfile(profile) };
}

export function readGcInput(path: string, limits: ReadLimits): GcInput {
  return classifyGcInput(readFileCapped(path, limits), path, limits);
}
