// Source files for `list`, found as pprof's sourceReader / openSourceFile finds them
// (internal/report/source.go): absolute paths as they are, relative ones under each
// --source_path directory or any of its parents, after --trim_path is applied.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { trimPath } from "../graph/paths.js";

/** Source files are small; a bigger "source" is not one, and must not exhaust memory. */
const MAX_SOURCE_BYTES = 64 << 20;

/** Go's *PathError text for an os.Open failure. */
function openError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENOENT: "no such file or directory",
    EACCES: "permission denied",
    ENOTDIR: "not a directory",
    ELOOP: "too many levels of symbolic links",
  };
  return `open ${path}: ${why[code ?? ""] ?? (e as Error).message}`;
}

function tryOpen(path: string): number | null {
  try {
    return openSync(path, "r");
  } catch {
    return null;
  }
}

function readLines(fd: number): string[] {
  try {
    const st = fstatSync(fd);
    // os.Open succeeds on a directory and reading it yields no lines
    if (st.isDirectory()) return [];
    const size = Math.min(st.size, MAX_SOURCE_BYTES);
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    const text = buf.subarray(0, off).toString("utf8");
    // bufio.Scanner lines: split at \n, a trailing \r dropped, no empty last line
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether a source file may be read (the web UI serves only files under its source roots;
 * the CLI reads any file, as pprof does). Called with the path about to be opened.
 */
export type SourceGuard = (path: string) => boolean;

export class SourceReader {
  private readonly files = new Map<string, string[]>();
  private readonly errors = new Map<string, string>();
  constructor(
    readonly searchPath: string,
    readonly trim: string,
    readonly allow?: SourceGuard,
  ) {}

  private open(path: string): string[] {
    const p = trimPath(path, this.trim, this.searchPath);
    if (isAbsolute(p)) {
      if (this.allow !== undefined && !this.allow(p)) throw new Error(`open ${p}: outside the source roots`);
      let fd: number;
      try {
        fd = openSync(p, "r");
      } catch (e) {
        throw new Error(openError(p, e), { cause: e });
      }
      return readLines(fd);
    }
    // filepath.SplitList: nothing for "", else every entry (an empty one is the cwd)
    for (let dir of this.searchPath === "" ? [] : this.searchPath.split(":")) {
      for (;;) {
        const candidate = join(dir, p);
        const fd = this.allow === undefined || this.allow(candidate) ? tryOpen(candidate) : null;
        if (fd !== null) return readLines(fd);
        const parent = dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    }
    throw new Error(`could not find file ${p} on path ${this.searchPath}`);
  }

  /** Line `lineno` (1-based) of the file, or null past its end or when it cannot be read. */
  line(path: string, lineno: number): string | null {
    let lines = this.files.get(path);
    if (lines === undefined) {
      try {
        lines = this.open(path);
      } catch (e) {
        this.errors.set(path, (e as Error).message);
        lines = [];
      }
      this.files.set(path, lines);
    }
    return lineno >= 1 && lineno <= lines.length ? lines[lineno - 1] : null;
  }

  error(path: string): string | undefined {
    return this.errors.get(path);
  }
}
