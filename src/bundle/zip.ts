// A .zip of captured files: what people attach to an incident ticket or a chat more often
// than a tarball. Extracted with yauzl (it checks that no name leaves the directory and
// that every entry inflates to exactly its declared size), with the same caps as a tar:
// count and declared sizes are checked before anything is written, so a zip bomb stops
// at its central directory.

import { createWriteStream, mkdirSync, utimesSync } from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import * as yauzl from "yauzl";
import { InputError } from "../core/input/index.js";

export const ZIP_RE = /\.zip$/i;

export interface ZipLimits {
  maxFiles: number;
  maxDecompressedBytes: number;
}

/** Extract the archive's regular files into dir; InputError on a damaged or over-cap archive. */
export async function extractZip(file: string, dir: string, limits: ZipLimits): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, z) => (err ? rej(err) : res(z))));
  } catch (e) {
    throw new InputError(file, `not a readable zip archive: ${(e as Error).message}`);
  }
  if (zip.entryCount > limits.maxFiles) {
    zip.close();
    throw new InputError(file, `more than ${limits.maxFiles} files in the archive`);
  }
  let total = 0;
  try {
    await new Promise<void>((res, rej) => {
      zip.on("error", rej);
      zip.on("end", () => res());
      zip.on("entry", (entry: yauzl.Entry) => {
        // Directories and anything not a regular file (a symlink's mode is in the top bits) are skipped.
        const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
        if (entry.fileName.endsWith("/") || (mode !== 0 && mode !== 0o100000)) return zip.readEntry();
        total += entry.uncompressedSize;
        if (total > limits.maxDecompressedBytes) return rej(new InputError(file, `archive expands beyond ${limits.maxDecompressedBytes} bytes`));
        zip.openReadStream(entry, (err, stream) => {
          if (err) return rej(err);
          const out = join(dir, entry.fileName);
          mkdirSync(dirname(out), { recursive: true });
          // the files' times order snapshots when nothing else does (bundle/order.ts): keep them
          const mtime = entry.getLastModDate();
          pipeline(stream, createWriteStream(out)).then(() => {
            utimesSync(out, mtime, mtime);
            zip.readEntry();
          }, rej);
        });
      });
      zip.readEntry();
    });
  } catch (e) {
    zip.close();
    if (e instanceof InputError) throw e;
    throw new InputError(file, `not a readable zip archive: ${(e as Error).message}`);
  }
}
