// Recognise a profile file by content, the way pprof's ParseData does: gunzip if
// gzipped, try profile.proto, and fall back to the legacy text/binary formats.

import type { Profile } from "../model/index.js";
import { InputError, type ReadLimits, maybeGunzip } from "../input/index.js";
import { parseLegacy } from "./legacy/legacy.js";
import { decodeProfile, isProbablyProto } from "./pprof-proto.js";

export function parseProfileData(data: Uint8Array, file: string, limits: ReadLimits): Profile {
  if (data.length === 0) throw new InputError(file, "empty input file", 0);
  const raw = maybeGunzip(data, file, limits);
  if (raw.length === 0) throw new InputError(file, "empty profile after decompression", 0);
  let protoError: InputError | null = null;
  if (isProbablyProto(raw)) {
    try {
      return decodeProfile(raw, file);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      protoError = e;
    }
  }
  try {
    return parseLegacy(raw, file);
  } catch (e) {
    // A file that looked like protobuf is best explained by the protobuf error.
    if (protoError !== null && e instanceof InputError && /unrecognized/.test(e.detail)) throw protoError;
    throw e;
  }
}
