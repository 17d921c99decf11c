// Reading profile files of any format godiag understands into the model.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { DEFAULT_LIMITS, InputError, type ReadLimits } from "./errors.js";

/** Read a whole file, refusing files over the input cap before allocating for them. */
export function readFileCapped(path: string, limits: ReadLimits = DEFAULT_LIMITS): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(path, code === "ENOENT" ? "no such file" : `cannot open: ${code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(path, "is a directory");
    if (st.size > limits.maxInputBytes) {
      throw new InputError(path, `file is ${st.size} bytes, over the ${limits.maxInputBytes}-byte input limit (raise with --max_input)`);
    }
    const buf = new Uint8Array(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === buf.length ? buf : buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}
