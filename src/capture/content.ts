// Checks a fetched body is what was asked for before it goes into a bundle:
// a proxy's login page or an error page served with 200 must be a per-file
// error, not a "profile" that breaks diagnose later. Profiles are decoded with
// our own decoder (which is also how empty block/mutex profiles are noticed).

import { decodeProfile } from "../core/codec/index.js";
import { maybeGunzip, DEFAULT_LIMITS, InputError } from "../core/input/index.js";
import type { Profile } from "../core/model/index.js";
import type { ContentKind } from "./plan.js";

export interface Checked {
  /** the decoded profile, for proto content */
  profile?: Profile;
}

/** Throws a one-line Error saying what the body is instead. */
export function checkContent(content: ContentKind, body: Buffer, contentType: string, label: string): Checked {
  if (/text\/html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(body.subarray(0, 64).toString("latin1"))) {
    throw new Error(`expected ${describe(content)}, got an HTML page (${preview(body)})`);
  }
  if (body.length === 0) throw new Error(`expected ${describe(content)}, got an empty body`);
  switch (content) {
    case "proto": {
      try {
        const data = maybeGunzip(body, label, DEFAULT_LIMITS);
        return { profile: decodeProfile(data, label) };
      } catch (e) {
        const why = e instanceof InputError ? e.detail : (e as Error).message;
        throw new Error(`not a pprof profile (${why}; starts ${preview(body)})`, { cause: e });
      }
    }
    case "goroutine-text":
      if (!/^goroutine( profile:|\s+\d+)/.test(body.toString("utf8", 0, 64))) {
        throw new Error(`expected a goroutine dump, got ${preview(body)}`);
      }
      return {};
    case "heap-text":
      if (!body.toString("utf8", 0, 64).startsWith("heap profile:")) {
        throw new Error(`expected a heap?debug=1 text profile, got ${preview(body)}`);
      }
      return {};
    case "json":
      try {
        JSON.parse(body.toString("utf8"));
      } catch (e) {
        throw new Error(`expected JSON, got ${preview(body)} (${(e as Error).message})`, { cause: e });
      }
      return {};
    case "trace":
      if (!body.toString("latin1", 0, 16).startsWith("go 1.")) {
        throw new Error(`expected a Go execution trace ("go 1.N trace" header), got ${preview(body)}`);
      }
      return {};
  }
}

function describe(c: ContentKind): string {
  return { proto: "a pprof profile", "goroutine-text": "a goroutine dump", "heap-text": "a heap text profile", json: "JSON", trace: "an execution trace" }[c];
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
