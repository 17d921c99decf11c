// Flag parsing shared by every command: byte sizes, input limits, numbers,
// durations, and the output streams a command writes to.

import { DEFAULT_LIMITS, UsageError, commandLimits, type ReadLimits } from "../../api/errors.js";

/** Where a command writes (stdout, stderr); tests pass their own. */
export interface IO {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Parse a byte size like 512MiB, 2GB, 1048576. */
export function parseBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?$/i.exec(s.trim());
  if (!m) throw new UsageError(`invalid size "${s}" (want e.g. 512MiB, 2GB, 1048576)`);
  const unit = (m[2] ?? "").toLowerCase().replace(/i?b$/, "");
  const mult = { "": 1, k: 1 << 10, m: 1 << 20, g: 1 << 30, t: 2 ** 40 }[unit] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}

/** The read limits of one command run: one decompression budget shared by all its inputs. */
export function limitOptions(maxInput?: string, maxDecompressed?: string): ReadLimits {
  return commandLimits(
    maxInput ? parseBytes(maxInput) : DEFAULT_LIMITS.maxInputBytes,
    maxDecompressed ? parseBytes(maxDecompressed) : DEFAULT_LIMITS.maxDecompressedBytes,
  );
}


export interface NumberRule {
  /** smallest value accepted */
  min?: number;
  integer?: boolean;
}

/** A numeric flag; `flag` as the user typed it (--seconds, -nodecount). */
export function numberFlag(flag: string, v: string, rule: NumberRule = {}): number {
  const n = Number(v);
  const bad =
    v.trim() === "" || !Number.isFinite(n) || (rule.integer === true && !Number.isInteger(n)) || (rule.min !== undefined && n < rule.min);
  if (bad) {
    const want = `${rule.integer ? "a whole number" : "a number"}${rule.min !== undefined ? ` >= ${rule.min}` : ""}`;
    throw new UsageError(`invalid value "${v}" for ${flag} (want ${want})`);
  }
  return n;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, "μs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * Seconds from a Go duration (time.ParseDuration: "90s", "1m30s", "1.5h", "500ms");
 * a bare number is read as seconds, as godiag's flags always accepted.
 */
export function durationFlag(flag: string, v: string): number {
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    end = re.lastIndex;
  }
  if (s === "" || end !== s.length) throw new UsageError(`invalid duration "${v}" for ${flag} (want a Go duration, e.g. 30s, 1m30s, 500ms)`);
  return total;
}
