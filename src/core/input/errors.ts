// Input errors: everything a user can cause with a bad file ends up as one of
// these, printed as one line naming the file (and byte offset or line) with exit code 2.

export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    /** byte offset into the (decompressed) data, when known */
    readonly offset?: number,
    /** 1-based line number, for text formats */
    readonly line?: number,
  ) {
    super(
      `${file}: ${detail}` +
        (offset !== undefined ? ` (at byte ${offset})` : "") +
        (line !== undefined ? ` (at line ${line})` : ""),
    );
    this.name = "InputError";
  }
}

/** Limits on what we read, so a hostile or broken file cannot exhaust memory. */
export interface ReadLimits {
  /** largest input file read, bytes */
  maxInputBytes: number;
  /** largest decompressed size, bytes: per input, and for all inputs together (raw ones too) when `budget` is set */
  maxDecompressedBytes: number;
  /** what one command has decompressed so far (see DecompressBudget); absent: a per-input cap only */
  budget?: DecompressBudget;
}

/**
 * The bytes one command may decompress in total. A cap per input let twenty
 * 10 MB gzip bombs cost 2 GB each in turn (and all together in a bundle); one
 * counter shared by the command keeps the whole run under the cap. The same
 * buffer inflated twice (recognised, then decoded) is counted once.
 */
export class DecompressBudget {
  private used = 0;
  private readonly seen = new WeakMap<Uint8Array, number>();
  constructor(readonly max: number) {}

  /** Bytes still allowed for inflating `data` (what it already took counts as free). */
  remainingFor(data: Uint8Array): number {
    return Math.max(0, this.max - this.used + (this.seen.get(data) ?? 0));
  }

  charge(data: Uint8Array, bytes: number): void {
    const before = this.seen.get(data) ?? 0;
    if (bytes > before) {
      this.used += bytes - before;
      this.seen.set(data, bytes);
    }
  }

  get total(): number {
    return this.used;
  }
}

/**
 * 192 MiB of decoded input (inflated, or raw when not gzipped) per command. A decoded
 * profile takes 5x its proto bytes (docs/PERFORMANCE.md: 54 MB -> 261 MB RSS) and up
 * to 5x more for the densest (8-byte samples: 250 MB -> 1.2 GB); 192 MiB keeps a run
 * with default limits under 1 GB RSS and is 3.5x the largest profile we benchmark.
 */
export const DEFAULT_MAX_DECOMPRESSED = 192 << 20;

export const DEFAULT_LIMITS: ReadLimits = {
  maxInputBytes: 1 << 30,
  maxDecompressedBytes: DEFAULT_MAX_DECOMPRESSED,
};

/** Limits for one command: the caps plus a fresh budget shared by all its inputs. */
export function commandLimits(maxInputBytes: number, maxDecompressedBytes: number): ReadLimits {
  return { maxInputBytes, maxDecompressedBytes, budget: new DecompressBudget(maxDecompressedBytes) };
}

/** Bad flags or arguments: one line, exit code 2. */
export class UsageError extends Error {}

/** The inputs do not make the requested report (e.g. profiles that do not combine): exit code 2. */
export class ReportError extends Error {}
