// --redact: replace pprof label values (and, with --redact-regex, any matching
// text) by stable keyed hashes before anything is written, so a bundle can be
// shared without the personal data labels often carry (user ids, emails).
//
// Stable: the same value always becomes the same token within a capture (and
// across captures given the same --redact-key), so grouping by label still
// works. Keyed (HMAC-SHA256): without the key, a token cannot be confirmed by
// hashing guessed values.
//
// Profiles are rewritten through the string table (decode with our decoder,
// replace strings, re-encode with pprof-write.ts); text dumps carry labels as
// `# labels: {"k":"v", ...}` (debug=1) and ` labels:{"k": "v"}` (debug=2 with
// GODEBUG=tracebacklabels=1). A final sweep replaces every label value seen
// anywhere in every file of the bundle, whatever form it appeared in.

import { createHmac, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ManifestFile } from "../bundle/index.js";
import { maybeGunzip, DEFAULT_LIMITS } from "../core/input/index.js";
import { decodeProfile, writeProfileGz } from "../core/codec/index.js";
import { type Profile, StringTable } from "../core/model/index.js";
import type { ContentKind } from "./plan.js";

export interface RedactOptions {
  /** also replace every match of this pattern, anywhere */
  pattern?: RegExp;
  /** HMAC key; default: random per capture (tokens then match only within one bundle) */
  key?: string;
}

/** Label values shorter than this are replaced only where they appear as labels, not by the sweep ("1" would hit every number). */
const MIN_SWEEP = 3;

const PROTO_KINDS = new Set(["cpu", "heap", "allocs", "block", "mutex", "goroutine", "threadcreate", "other"]);

export class Redactor {
  private readonly key: string;
  private readonly pattern?: RegExp;
  /** original label values seen so far */
  readonly known = new Set<string>();

  constructor(private readonly options: RedactOptions) {
    this.key = options.key ?? randomBytes(16).toString("hex");
    if (options.pattern) this.pattern = new RegExp(options.pattern.source, options.pattern.flags.includes("g") ? options.pattern.flags : options.pattern.flags + "g");
  }

  token(value: string): string {
    return `redacted-${createHmac("sha256", this.key).update(value).digest("hex").slice(0, 12)}`;
  }

  describe(): string {
    return `label values${this.pattern ? ` and /${this.pattern.source}/` : ""} (HMAC-SHA256, ${this.options.key ? "given key" : "per-capture key"})`;
  }

  /** Redact one fetched body; profile is the decoded proto when content is "proto". */
  redact(content: ContentKind, body: Buffer, profile?: Profile): Buffer {
    if (content === "proto" && profile) {
      this.redactProfile(profile, true);
      return Buffer.from(writeProfileGz(profile));
    }
    if (content === "trace") return body; // binary; labels are not recorded in traces
    return Buffer.from(this.redactText(body.toString("utf8")), "utf8");
  }

  private applyPattern(s: string): string {
    return this.pattern ? s.replace(this.pattern, (m) => this.token(m)) : s;
  }

  private redactProfile(p: Profile, labels: boolean): boolean {
    const list = p.strings.all().slice();
    let changed = false;
    if (labels) {
      for (let i = 0; i < p.labels.length; i++) {
        const s = p.labels.str[i]!;
        if (s === 0) continue;
        const v = list[s]!;
        if (v.startsWith("redacted-")) continue;
        this.known.add(v);
        list[s] = this.token(v);
        changed = true;
      }
    }
    for (let i = 1; i < list.length; i++) {
      const r = this.sweepString(this.applyPattern(list[i]!));
      if (r !== list[i]) {
        list[i] = r;
        changed = true;
      }
    }
    if (changed) p.strings = new StringTable(list);
    if (this.pattern) {
      p.comments = p.comments.map((c) => this.applyPattern(c));
      p.mappings = p.mappings.map((m) => ({ ...m, file: this.applyPattern(m.file), buildId: this.applyPattern(m.buildId) }));
    }
    return changed;
  }

  /** Replace label values inside label maps ({"k":"v", ...}), then the pattern, then known values. */
  redactText(text: string): string {
    const labelMaps = /(labels: ?)\{((?:"(?:[^"\\]|\\.)*"\s*:\s*"(?:[^"\\]|\\.)*"(?:,\s*)?)*)\}/g;
    let out = text.replace(labelMaps, (_all, prefix: string, body: string) => {
      const pairs = body.replace(/("(?:[^"\\]|\\.)*")(\s*:\s*)("(?:[^"\\]|\\.)*")/g, (_p, k: string, sep: string, v: string) => {
        const value = unquote(v);
        if (value.startsWith("redacted-")) return `${k}${sep}${v}`; // already a token (second pass)
        this.known.add(value);
        return `${k}${sep}"${this.token(value)}"`;
      });
      return `${prefix}{${pairs}}`;
    });
    out = this.applyPattern(out);
    return this.sweepString(out);
  }

  private sweepString(s: string): string {
    for (const v of this.known) {
      if (v.length >= MIN_SWEEP && s.includes(v)) s = s.replaceAll(v, this.token(v));
    }
    return s;
  }

  /**
   * Second pass over the written bundle: a label value learnt from one file
   * (say the CPU profile) may appear in another fetched before it.
   */
  sweepTextFiles(dir: string, files: ManifestFile[]): void {
    for (const f of files) {
      if (f.error !== undefined || f.kind === "trace") continue;
      const path = join(dir, f.path);
      let data: Buffer;
      try {
        data = readFileSync(path);
      } catch {
        continue;
      }
      if (PROTO_KINDS.has(f.kind)) {
        const p = decodeProfile(maybeGunzip(data, f.path, DEFAULT_LIMITS), f.path);
        if (this.redactProfile(p, true)) {
          const out = writeProfileGz(p);
          writeFileSync(path, out);
          f.bytes = out.byteLength;
        }
      } else {
        const text = data.toString("utf8");
        const out = this.redactText(text);
        if (out !== text) {
          writeFileSync(path, out);
          f.bytes = Buffer.byteLength(out);
        }
      }
    }
  }
}

/** A Go %q string: JSON-compatible except for \x and \u{...}-style escapes, which we keep verbatim. */
function unquote(q: string): string {
  try {
    return JSON.parse(q) as string;
  } catch {
    return q.slice(1, -1);
  }
}
