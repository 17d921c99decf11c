// The page's embedded data: base64 of a gzip'd blob (written by html.ts's
// encodeFlamePayload): u32 JSON length, the JSON metadata, then the typed-array
// columns (self values, base self for a diff, frame, depth, wait class), each
// starting at a multiple of 8 bytes. Inflated by the browser's DecompressionStream.

import { finishTree } from "./layout.js";
import type { Meta, Tree } from "./types.js";


/** The metadata and the main tree of an inflated payload. */
export function decodePayload(buf: ArrayBuffer): { meta: Meta; tree: Tree } {
  const dv = new DataView(buf);
  const jsonLen = dv.getUint32(0, true);
  const meta = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, jsonLen))) as Meta;
  const n = meta.count;
  let off = 4 + jsonLen;
  off = (off + 7) & ~7;
  const take = <T>(make: (b: ArrayBuffer) => T, bytes: number): T => {
    const r = make(buf.slice(off, off + bytes));
    off += bytes;
    off = (off + 7) & ~7;
    return r;
  };
  const selfA = take((b) => new Float64Array(b), n * 8);
  const selfB = meta.diff ? take((b) => new Float64Array(b), n * 8) : new Float64Array(n);
  const frame = take((b) => new Uint32Array(b), n * 4);
  const depth = take((b) => new Uint16Array(b), n * 2);
  const cls = take((b) => new Uint8Array(b), n);
  return { meta, tree: finishTree(depth, frame, cls, selfA, selfB) };
}
