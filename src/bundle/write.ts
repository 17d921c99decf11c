// Writing a capture bundle: files go into a directory as they arrive (so a
// capture that is interrupted still leaves what it got), manifest.json last.
// A `.tar.gz` output is that directory packed with the `tar` package, entries
// at the archive root (tar -xzf puts manifest.json in the current directory,
// like the directory form's contents).

import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { create as tarCreate } from "tar";
import { manifestSchema, type Manifest } from "./manifest.js";

/** Whether an output path names an archive rather than a directory. */
export function isTarGz(path: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(path);
}

export interface BundleTarget {
  /** the directory files are written into */
  dir: string;
  /** the archive the directory is packed into at the end, when asked for */
  archive?: string;
  /** dir is ours (a temporary directory) */
  temporary: boolean;
}

/** Prepare where a bundle goes: out as a directory, out as .tar.gz (via a temporary directory), or a new temporary directory. */
export function createBundle(out: string | undefined): BundleTarget {
  if (out === undefined) return { dir: mkdtempSync(join(tmpdir(), "godiag-capture-")), temporary: true };
  if (isTarGz(out)) {
    mkdirSync(dirname(out) || ".", { recursive: true });
    return { dir: mkdtempSync(join(tmpdir(), "godiag-capture-")), archive: out, temporary: true };
  }
  mkdirSync(out, { recursive: true });
  return { dir: out, temporary: false };
}

export function writeBundleFile(dir: string, path: string, data: Uint8Array | string): number {
  // Names can come from the service (its custom profiles): a bare file name only, never a path.
  if (basename(path) !== path || path === "." || path === "..") throw new Error(`refusing to write "${path}": not a plain file name`);
  const file = join(dir, path);
  try {
    writeFileSync(file, data);
  } catch (e) {
    throw naming(e, file);
  }
  return typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
}

/**
 * A failed write(2) (ENOSPC, EIO...) carries no path, unlike a failed open: give it the
 * file's, so the one-line error names what could not be written.
 */
function naming(e: unknown, file: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (e instanceof Error && typeof err.code === "string" && err.path === undefined) err.path = file;
  return e;
}

/** Validate and write manifest.json (the schema catches our own mistakes before a reader does). */
export function writeManifest(dir: string, m: Manifest): void {
  const checked = manifestSchema.parse(m);
  // Atomically: a full disk mid-write left a 0-byte manifest.json that hid 12 intact
  // files; now the manifest is whole or absent (readers then go by content).
  const tmp = join(dir, ".manifest.json.tmp");
  try {
    writeFileSync(tmp, JSON.stringify(checked, null, 2) + "\n");
    renameSync(tmp, join(dir, "manifest.json"));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw naming(e, join(dir, "manifest.json"));
  }
}

/** Pack dir into a gzipped tarball; removes dir afterwards when it was temporary. Returns the archive path. */
export async function finishBundle(t: BundleTarget): Promise<string> {
  if (t.archive === undefined) return t.dir;
  const entries = readdirSync(t.dir).sort();
  await tarCreate({ gzip: true, file: t.archive, cwd: t.dir, portable: true }, entries);
  if (t.temporary) rmSync(t.dir, { recursive: true, force: true });
  return t.archive;
}
