// Checks a fetched body is what was asked for before it goes into a bundle: a
// proxy's login page, an error page served with 200 or a catch-all handler's JSON
// must be a per-file error, never a "profile" or "expvar" that diagnose misreads
// later. What the body is comes from the one content recogniser (core/kinds).

import { DEFAULT_LIMITS, InputError, type ReadLimits } from "../core/input/index.js";
import { sniffKind, type FileKind } from "../core/kinds/index.js";
import type { Profile } from "../core/model/index.js";
import type { ContentKind } from "./plan.js";

export interface Checked {
  /** the decoded profile, for proto content */
  profile?: Profile;
}

/** Throws a one-line Error saying what the body is instead. */
export function checkContent(content: ContentKind, want: FileKind, body: Buffer, contentType: string, label: string, limits: ReadLimits = DEFAULT_LIMITS): Checked {
  if (/text\/html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(body.subarray(0, 64).toString("latin1"))) {
    throw new Error(`expected ${describe(content)}, got an HTML page (${preview(body)})`);
  }
  if (body.length === 0) throw new Error(`expected ${describe(content)}, got an empty body`);
  let got;
  try {
    got = sniffKind(body, label, limits);
  } catch (e) {
    const why = e instanceof InputError ? e.detail : (e as Error).message;
    throw new Error(`expected ${describe(content)}: ${why} (starts ${preview(body)})`, { cause: e });
  }
  if (content === "proto") {
    // The endpoint decides heap vs allocs and block vs mutex; any decoded profile will do.
    if (got.profile) return { profile: got.profile };
    throw new Error(`not a pprof profile (${gotWhat(got.kind)}; starts ${preview(body)})`);
  }
  if (got.kind !== want) throw new Error(`expected ${describe(content)}, got ${gotWhat(got.kind)} (${preview(body)})`);
  return {};
}

function gotWhat(kind: FileKind): string {
  return kind === "other" ? "something else" : `${kind} content`;
}

function describe(c: ContentKind): string {
  return {
    proto: "a pprof profile",
    "goroutine-text": "a goroutine dump",
    "heap-text": "a heap?debug=1 text profile",
    json: "/debug/vars JSON (expvar, with memstats)",
    trace: "a Go execution trace",
  }[c];
}

/** The first bytes, printable, for error messages. */
function preview(body: Buffer): string {
  const s = body.subarray(0, 40).toString("latin1").replace(/[^\x20-\x7e]/g, ".");
  return JSON.stringify(s + (body.length > 40 ? "..." : ""));
}

/** The line to add when a block or mutex profile is empty, or undefined when it is not. */
export function emptyProfileWarning(name: string, p: Profile): string | undefined {
  if (p.samples.length > 0) return undefined;
  if (name === "block") {
    return "block profile is empty: the program probably never called runtime.SetBlockProfileRate; add `runtime.SetBlockProfileRate(10000)` at the start of main (records blocking events of ~10µs and more)";
  }
  if (name === "mutex") {
    return "mutex profile is empty: the program probably never called runtime.SetMutexProfileFraction; add `runtime.SetMutexProfileFraction(100)` at the start of main (samples 1 in 100 contention events)";
  }
  return undefined;
}
