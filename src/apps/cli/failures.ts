// The exit-code contract for failures that are not godiag's bug: the reader of
// our output went away (EPIPE: `godiag raw x | head -1`), or the system refused
// a write (missing directory, full disk, no permission). Each is one line on
// stderr, never a stack trace; none is "internal error" (70).

import type { IO } from "./flags.js";
import { EXIT } from "./exit.js";

/** Codes of errors the system, not godiag, causes when a file or stream is written. */
const SYSTEM_CODES: Record<string, string> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "a path component is not a directory",
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  EEXIST: "file exists",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
  ELOOP: "too many symbolic links",
  EPIPE: "broken pipe",
};

/** One line for a system error (fs, streams), or null when `e` is not one. */
export function systemErrorLine(e: unknown): string | null {
  if (!(e instanceof Error)) return null;
  const err = e as NodeJS.ErrnoException;
  if (typeof err.code !== "string" || SYSTEM_CODES[err.code] === undefined || typeof err.syscall !== "string") return null;
  const what = err.path !== undefined ? err.path : err.syscall;
  // Inputs are read through readFileCapped (InputError); what reaches here opening or
  // writing a file is output.
  const verb = ["open", "write", "mkdir", "rename", "close", "fsync", "copyfile"].includes(err.syscall) ? "cannot write" : `${err.syscall} failed:`;
  return `${verb} ${what}: ${SYSTEM_CODES[err.code]} (${err.code})`;
}

/**
 * Stream errors arrive as 'error' events after the command returned, where no
 * try/catch sees them (Node would print its stack). A closed reader (EPIPE) ends
 * godiag quietly with status 0, as a pipeline into `head` expects; any other
 * failure of stdout is one line and exit 2: the output the user asked for is lost.
 */
export function guardStreams(io: IO): void {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(EXIT.OK);
    safeWrite(io, `godiag: cannot write standard output: ${SYSTEM_CODES[e.code ?? ""] ?? e.message} (${e.code ?? "error"})\n`);
    process.exit(EXIT.USAGE);
  });
  // Nowhere left to report a failure of stderr itself: keep the status, say nothing.
  process.stderr.on("error", () => process.exit(process.exitCode ?? EXIT.USAGE));
}

function safeWrite(io: IO, s: string): void {
  try {
    io.err(s);
  } catch {
    // stderr is gone too
  }
}

/** Error messages on one line: V8's JSON errors quote the input, newlines included. */
export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
