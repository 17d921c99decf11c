// Gzip handling for profile input. Go's pprof gunzips any input that starts
// with the gzip magic, reading every concatenated member (multistream) and
// failing on anything after the last member; we do the same, but with a hard
// cap on the output size so a gzip bomb fails fast instead of exhausting memory.

import { constants as bufferConstants } from "node:buffer";
import { gunzipSync, gzipSync } from "node:zlib";
import { InputError, type ReadLimits } from "./errors.js";

/** True if data starts with the gzip magic bytes 1f 8b. */
export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/**
 * Decompress data if it is gzip, else return it unchanged.
 * Throws InputError for truncated or corrupt data, trailing garbage, or output
 * larger than limits.maxDecompressedBytes.
 */
export function maybeGunzip(data: Uint8Array, file: string, limits: ReadLimits): Uint8Array {
  if (!isGzip(data)) {
    chargeRaw(data, file, limits);
    return data;
  }
  // zlib rejects a cap above the largest possible Buffer, so clamp to it.
  const perInput = Math.max(1, Math.min(limits.maxDecompressedBytes, bufferConstants.MAX_LENGTH));
  const left = limits.budget?.remainingFor(data) ?? perInput;
  const max = Math.max(1, Math.min(perInput, left));
  let out: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    // info:true exposes how much input the inflater consumed, to spot trailing bytes.
    out = gunzipSync(data, { maxOutputLength: max, info: true, chunkSize: outputChunkSize(data, max) }) as unknown as typeof out;
  } catch (e) {
    throw new InputError(file, gunzipErrorDetail(e, max, max < perInput ? limits.budget?.total : undefined), errorOffset(e, data, max));
  }
  limits.budget?.charge(data, out.buffer.byteLength);
  const used = out.engine.bytesWritten;
  if (used < data.length) {
    // Node silently ignores trailing zero bytes; Go's multistream reader
    // treats any non-member bytes after the last member as a bad header.
    throw new InputError(file, `invalid gzip data: ${data.length - used} trailing bytes after the last gzip member (at compressed byte ${used})`);
  }
  const b = out.buffer;
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Raw (not gzipped) input counts against the same budget as inflated bytes: what a
 * decoder builds grows with the bytes it reads, compressed or not (a 250 MB raw
 * profile of 8-byte samples took 1.2 GB), so the budget bounds the command's memory.
 */
function chargeRaw(data: Uint8Array, file: string, limits: ReadLimits): void {
  const b = limits.budget;
  if (b === undefined) return;
  const left = b.remainingFor(data);
  if (data.length > left) {
    throw new InputError(file, `${data.length} bytes of input exceed the ${left} bytes left of the command's decoding budget (${b.total} bytes already read; raise with --max_decompressed)`);
  }
  b.charge(data, data.length);
}

/**
 * zlib's output chunk: the size the gzip trailer announces (ISIZE, the last member's
 * size mod 2^32), so a usual single-member file inflates into one buffer instead of
 * thousands of 16 KiB chunks concatenated at the end (a quarter of the gunzip time on
 * a 100 MB profile). Only a buffering hint: a wrong ISIZE (multistream, garbage) just
 * means more chunks. Bounded by deflate's best ratio (~1032:1), the output cap and 256 MiB.
 */
function outputChunkSize(data: Uint8Array, max: number): number {
  const n = data.length;
  const isize = (data[n - 4] | (data[n - 3] << 8) | (data[n - 2] << 16) | (data[n - 1] << 24)) >>> 0;
  return Math.max(16 * 1024, Math.min(isize + 64, n * 1032 + 64, max, 256 * 1024 * 1024));
}

function gunzipErrorDetail(e: unknown, max: number, usedByOthers: number | undefined): string {
  const err = e as { code?: string; message?: string };
  switch (err.code) {
    case "ERR_BUFFER_TOO_LARGE":
      return usedByOthers !== undefined
        ? `decompressed size exceeds the ${max} bytes left of the command's decompression budget (${usedByOthers} bytes already inflated; raise with --max_decompressed)`
        : `decompressed size exceeds ${max} bytes (raise with --max_decompressed)`;
    case "Z_BUF_ERROR":
      return "truncated gzip data (unexpected end of file)";
    case "Z_DATA_ERROR":
      return `corrupt gzip data (${err.message ?? "data error"})`;
    default:
      return `cannot decompress gzip data (${err.message ?? String(e)})`;
  }
}

/**
 * The compressed byte offset of a gzip error. zlib does not report it: a truncated
 * stream fails at its end; for corrupt data, the shortest prefix that already fails
 * as corrupt (not merely truncated) is found by bisection: at most ~22 inflations of
 * at most 4 MB of input and 16 MiB of output each (a corrupt bomb gives no offset
 * rather than minutes of inflating).
 */
function errorOffset(e: unknown, data: Uint8Array, max: number): number | undefined {
  const code = (e as { code?: string }).code;
  if (code === "Z_BUF_ERROR") return data.length;
  if (code !== "Z_DATA_ERROR" || data.length > 4 << 20) return undefined;
  const outCap = Math.min(max, 16 << 20);
  /** true: fails as corrupt; false: inflates or is only truncated; null: too big to tell */
  const corrupt = (n: number): boolean | null => {
    try {
      gunzipSync(data.subarray(0, n), { maxOutputLength: outCap });
      return false;
    } catch (err) {
      const c = (err as { code?: string }).code;
      return c === "ERR_BUFFER_TOO_LARGE" ? null : c === "Z_DATA_ERROR";
    }
  };
  let lo = 0;
  let hi = data.length; // corrupt(hi) holds
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    const c = corrupt(mid);
    if (c === null) return undefined;
    if (c) hi = mid;
    else lo = mid;
  }
  return hi - 1;
}

/** Gzip data the way Go's profile.Write does (default compression level). */
export function gzip(data: Uint8Array, level = 6): Uint8Array {
  const b = gzipSync(data, { level });
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
