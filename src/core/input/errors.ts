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
  /** largest decompressed size, bytes */
  maxDecompressedBytes: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxInputBytes: 1 << 30,
  maxDecompressedBytes: 2 * (1 << 30) - 1,
};

/** Bad flags or arguments: one line, exit code 2. */
export class UsageError extends Error {}

/** The inputs do not make the requested report (e.g. profiles that do not combine): exit code 2. */
export class ReportError extends Error {}
