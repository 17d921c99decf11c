// Reading input files whole, with caps. Regular files are sized first and read in
// one allocation; stdin ("-"), pipes, FIFOs and character devices have no size up
// front, so they are read as streams until EOF, under the same cap, and with a
// time limit while no writer has appeared (a FIFO nobody writes to would otherwise
// block godiag forever).

import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { DEFAULT_LIMITS, InputError, type ReadLimits } from "./errors.js";

/** How long a stream may stay silent before it is an error (GODIAG_STREAM_TIMEOUT, ms, overrides). */
export const STREAM_IDLE_MS = 10_000;

/** open(2) for an input file; a failure is an InputError naming the file and why. */
export function openInput(path: string, flags: string | number = "r"): number {
  try {
    return openSync(path, flags);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(path, code === "ENOENT" ? "no such file" : `cannot open: ${code ?? (e as Error).message}`);
  }
}

/** Read a whole file, refusing files over the input cap before allocating for them. */
export function readFileCapped(path: string, limits: ReadLimits = DEFAULT_LIMITS): Uint8Array {
  if (path === "-") return readStream(0, "-", limits, false);
  let fifo = false;
  try {
    fifo = statSync(path).isFIFO();
  } catch {
    // open() below says why
  }
  // A FIFO is opened without blocking: open() would wait for a writer with no time limit.
  const fd = openInput(path, fifo ? constants.O_RDONLY | constants.O_NONBLOCK : "r");
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(path, "is a directory");
    if (!st.isFile()) return readStream(fd, path, limits, st.isFIFO());
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

/**
 * Read fd to EOF. Non-blocking descriptors (a FIFO, sometimes stdin) answer EAGAIN
 * while the writer is silent, and a FIFO reads 0 bytes until a writer opens it:
 * both are waited for, up to the idle limit, in short synchronous sleeps.
 */
function readStream(fd: number, name: string, limits: ReadLimits, fifo: boolean): Uint8Array {
  const idleMs = Number(process.env.GODIAG_STREAM_TIMEOUT) > 0 ? Number(process.env.GODIAG_STREAM_TIMEOUT) : STREAM_IDLE_MS;
  const chunks: Uint8Array[] = [];
  let total = 0;
  let writerSeen = !fifo; // for a FIFO, 0 bytes before any writer is "not yet", not EOF
  let lastProgress = Date.now();
  for (;;) {
    const chunk = new Uint8Array(Math.min(1 << 20, Math.max(1, limits.maxInputBytes + 1 - total)));
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EAGAIN") throw new InputError(name, `cannot read: ${code ?? (e as Error).message}`, total);
      writerSeen = true;
      n = -1;
    }
    if (n > 0) {
      writerSeen = true;
      lastProgress = Date.now();
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limits.maxInputBytes) {
        throw new InputError(name, `stream is over the ${limits.maxInputBytes}-byte input limit (raise with --max_input)`, total);
      }
      continue;
    }
    if (n === 0 && writerSeen) break;
    if (Date.now() - lastProgress > idleMs) {
      throw new InputError(name, writerSeen ? `no data for ${idleMs / 1000} s (the writer stalled)` : `no writer opened the FIFO within ${idleMs / 1000} s`, total);
    }
    sleepSync(10);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Block the thread for ms (the readers are synchronous; this is only for polling a silent stream). */
function sleepSync(ms: number): void {
  Atomics.wait(SLEEPER, 0, 0, ms);
}
