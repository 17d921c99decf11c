// The cleartext parts of a TLS handshake that time a connection without its keys: the
// ClientHello's ALPN offer, the ServerHello's version (supported_versions, RFC 8446 4.2.1),
// ALPN choice (TLS 1.2; TLS 1.3 encrypts it) and whether it is a HelloRetryRequest.
// Read from the captured bytes only: a capture cut at snaplen may end inside the hello,
// and then what lies past the cut stays unknown (null), never guessed.

/** What a ServerHello says; null fields were not captured (or are absent). */
export interface ServerHelloInfo {
  /** "1.3" from supported_versions, else from the legacy version: "1.2", "1.1", "1.0"; null when cut before it */
  version: string | null;
  /** the ALPN protocol chosen (TLS 1.2); "" when the extensions were read and hold none; null when not captured */
  alpn: string | null;
  helloRetry: boolean;
}

/** SHA-256("HelloRetryRequest"), RFC 8446 4.1.3: a ServerHello with this random asks for a second ClientHello. */
const HRR_RANDOM = [0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91];

const u16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;

function legacyVersion(v: number): string | null {
  if (v === 0x0303) return "1.2";
  if (v === 0x0302) return "1.1";
  if (v === 0x0301) return "1.0";
  return null;
}

/**
 * Walks the extensions of a hello whose body starts at `at` (after the 4-byte handshake
 * header), skipping the fields before them; calls each(type, dataStart, dataEnd) for each
 * extension wholly captured. Returns false when the capture ends before the extensions end.
 */
function extensions(b: Uint8Array, at: number, end: number, client: boolean, each: (type: number, from: number, to: number) => void): boolean {
  let p = at + 2 + 32; // legacy_version, random
  if (p + 1 > end) return false;
  p += 1 + b[p]!; // legacy_session_id
  if (client) {
    if (p + 2 > end) return false;
    p += 2 + u16(b, p); // cipher_suites
    if (p + 1 > end) return false;
    p += 1 + b[p]!; // legacy_compression_methods
  } else {
    p += 3; // cipher_suite, legacy_compression_method
  }
  if (p + 2 > end) return false;
  const extEnd = p + 2 + u16(b, p);
  p += 2;
  while (p + 4 <= Math.min(extEnd, end)) {
    const type = u16(b, p);
    const n = u16(b, p + 2);
    if (p + 4 + n > end) return false;
    each(type, p + 4, p + 4 + n);
    p += 4 + n;
  }
  return extEnd <= end;
}

/** The ALPN protocol names in an extension's data [from, to). */
function alpnNames(b: Uint8Array, from: number, to: number): string[] {
  const out: string[] = [];
  let p = from + 2;
  while (p < to) {
    const n = b[p]!;
    if (p + 1 + n > to) break;
    out.push(String.fromCharCode(...b.subarray(p + 1, p + 1 + n)));
    p += 1 + n;
  }
  return out;
}

const EXT_ALPN = 0x0010;
const EXT_SUPPORTED_VERSIONS = 0x002b;

/** The ALPN protocols a ClientHello offers ([] when it offers none); null when the capture cut it before the list. `at` is the record's first byte. */
export function clientHelloAlpn(b: Uint8Array, at: number, end: number): string[] | null {
  let offer: string[] = [];
  const whole = extensions(b, at + 5 + 4, end, true, (type, from, to) => {
    if (type === EXT_ALPN) offer = alpnNames(b, from, to);
  });
  return whole || offer.length > 0 ? offer : null;
}

/** The ServerHello starting at record byte `at`. */
export function serverHello(b: Uint8Array, at: number, end: number): ServerHelloInfo {
  const body = at + 5 + 4;
  const info: ServerHelloInfo = { version: null, alpn: null, helloRetry: false };
  if (body + 2 + HRR_RANDOM.length > end) return info;
  info.helloRetry = HRR_RANDOM.every((x, i) => b[body + 2 + i] === x);
  let alpn = "";
  let v13 = false;
  const whole = extensions(b, body, end, false, (type, from, to) => {
    if (type === EXT_SUPPORTED_VERSIONS && to - from === 2 && u16(b, from) === 0x0304) v13 = true;
    if (type === EXT_ALPN) alpn = alpnNames(b, from, to)[0] ?? "";
  });
  // TLS 1.3 keeps 0x0303 in the legacy field: it is the version only when no supported_versions was cut off
  info.version = v13 ? "1.3" : whole ? legacyVersion(u16(b, body)) : null;
  if (whole || alpn !== "") info.alpn = alpn;
  return info;
}
