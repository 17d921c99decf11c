// Bytes to a JS string for the text readers. V8 cannot hold a string over
// buffer.constants.MAX_STRING_LENGTH (2^29-24 characters on 64-bit): decoding a
// larger input threw a RangeError that surfaced as "internal error"; a bad input
// is the user's to fix, so it is an InputError like any other.

import { constants as bufferConstants } from "node:buffer";
import { InputError } from "./errors.js";

/** data decoded as text (UTF-8 by default); InputError when it is too long for one string. */
export function textOf(data: Uint8Array, file: string, encoding: "utf8" | "latin1" = "utf8"): string {
  if (data.length > bufferConstants.MAX_STRING_LENGTH) {
    throw new InputError(file, `${data.length} bytes of text, over the ${bufferConstants.MAX_STRING_LENGTH}-character limit of one string; split the file`);
  }
  const s = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString(encoding);
  return s;
}
