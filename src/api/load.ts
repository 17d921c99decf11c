// Load the profiles named on the command line: read, parse, merge sources, and
// combine with -base / -diff_base profiles as go tool pprof does.

import { combineSources } from "../core/transform/combine.js";
import { readFileCapped } from "../core/input/read.js";
import { parseProfileData } from "../core/codec/decode.js";
import type { Profile } from "../core/model/profile.js";
import { ReportError } from "../pprof/report/report.js";
import { DEFAULT_LIMITS, type ReadLimits } from "../core/input/errors.js";

export interface LoadOptions {
  sources: string[];
  bases: string[];
  diffBase: boolean;
  normalize: boolean;
  limits: ReadLimits;
}

/** Parse a byte size like 512MiB, 2GB, 1048576. */
export function parseBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?$/i.exec(s.trim());
  if (!m) throw new Error(`invalid size "${s}"`);
  const unit = (m[2] ?? "").toLowerCase().replace(/i?b$/, "");
  const mult = { "": 1, k: 1 << 10, m: 1 << 20, g: 1 << 30, t: 2 ** 40 }[unit] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}

export function limitOptions(maxInput?: string, maxDecompressed?: string): ReadLimits {
  return {
    maxInputBytes: maxInput ? parseBytes(maxInput) : DEFAULT_LIMITS.maxInputBytes,
    maxDecompressedBytes: maxDecompressed ? parseBytes(maxDecompressed) : DEFAULT_LIMITS.maxDecompressedBytes,
  };
}

export function readProfile(path: string, limits: ReadLimits): Profile {
  return parseProfileData(readFileCapped(path, limits), path, limits);
}

export function loadProfiles(o: LoadOptions, _warn: (s: string) => void): Profile {
  const sources = o.sources.map((f) => readProfile(f, o.limits));
  const bases = o.bases.map((f) => readProfile(f, o.limits));
  try {
    return combineSources(sources, bases, { diffBase: o.diffBase, normalize: o.normalize, fakeMappings: true });
  } catch (e) {
    // e.g. profiles of different kinds: the user's inputs do not combine
    throw new ReportError((e as Error).message);
  }
}
