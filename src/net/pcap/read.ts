// A streaming reader of capture files: classic pcap (both byte orders, micro- and
// nanosecond magic) and pcapng (SHB/IDB/EPB/SPB/obsolete PB, options, per-interface
// timestamp resolution and offset, several sections each with its own byte order).
//
// Hand-written rather than a library: speed depends on owning the loop (docs/NET.md:
// the goal is 5x tshark on a 1 GB capture). The file is read in fixed chunks with
// readSync and each record is handed to the visitor as a view into the chunk, so memory
// is one chunk plus the largest record (capped), whatever the file's size; no per-packet
// object is allocated. Formats: https://www.tcpdump.org/manpages/pcap-savefile.5.html and
// draft-ietf-opsawg-pcapng.

import { closeSync, fstatSync, readSync } from "node:fs";
import { InputError, openInput } from "../../core/input/index.js";

/** One captured record, valid only during the visitor call: bytes [start, end) of buf, the reader's chunk (no view is made per packet). */
export interface RawPacket {
  /** 1-based frame number, as tshark counts */
  frame: number;
  /** LINKTYPE_* of the interface */
  linkType: number;
  /** seconds since the epoch (integer part) */
  sec: number;
  /** nanoseconds within sec */
  nsec: number;
  /** bytes on the wire (may exceed end - start when the capture was cut at snaplen) */
  origLen: number;
  /** the captured bytes are buf[start, end) */
  buf: Uint8Array;
  start: number;
  end: number;
  /** byte offset of the record in the file (for error messages) */
  offset: number;
}

export type PacketVisitor = (p: RawPacket) => void;

export interface PcapLimits {
  /** largest record (block) accepted; a larger length field is corruption */
  maxRecordBytes: number;
  /** largest file read */
  maxInputBytes: number;
  /** bytes read at a time (the memory the reader holds; tests make it small so records straddle refills) */
  chunkBytes: number;
}

export const DEFAULT_PCAP_LIMITS: PcapLimits = { maxRecordBytes: 16 << 20, maxInputBytes: 64 * (1 << 30), chunkBytes: 8 << 20 };

export interface PcapFileInfo {
  format: "pcap" | "pcapng";
  packets: number;
  bytes: number;
  sections: number;
  warnings: string[];
}

/** A window over the file: ensure(n) makes n bytes at pos readable in buf. */
class Window {
  /** a Buffer (a Uint8Array): its latin1 toString reads request lines at half TextDecoder's cost */
  buf: Buffer;
  dv: DataView;
  /** file offset of buf[0] */
  base = 0;
  /** valid bytes in buf */
  len = 0;
  eof = false;
  constructor(
    private readonly fd: number,
    size: number,
  ) {
    this.buf = Buffer.allocUnsafeSlow(size);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Makes [pos, pos+n) available; false at end of file. pos is a file offset. */
  ensure(pos: number, n: number): boolean {
    if (pos >= this.base && pos + n <= this.base + this.len) return true;
    if (n > this.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(n, this.buf.length * 2));
      this.buf = bigger;
      this.dv = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
      this.len = 0;
      this.base = pos;
    }
    // keep the unread tail [pos, end) at the front, then fill
    const keepFrom = pos - this.base;
    if (keepFrom >= 0 && keepFrom < this.len) {
      this.buf.copyWithin(0, keepFrom, this.len);
      this.len -= keepFrom;
    } else {
      this.len = 0;
    }
    this.base = pos;
    while (this.len < n && !this.eof) {
      const got = readSync(this.fd, this.buf, this.len, this.buf.length - this.len, this.base + this.len);
      if (got === 0) this.eof = true;
      this.len += got;
    }
    return this.len >= n;
  }
}

/** Reads every record of a pcap or pcapng file; bad input raises InputError with the offset. */
export function readCaptureFile(path: string, visit: PacketVisitor, limits: PcapLimits = DEFAULT_PCAP_LIMITS): PcapFileInfo {
  const fd = openInput(path);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(path, "is a directory");
    if (st.isFile() && st.size > limits.maxInputBytes) {
      throw new InputError(path, `file is ${st.size} bytes, over the ${limits.maxInputBytes}-byte input limit`);
    }
    const w = new Window(fd, Math.max(64, limits.chunkBytes));
    if (!w.ensure(0, 4)) throw new InputError(path, "too short for a capture file", 0);
    const magic = w.dv.getUint32(0, false);
    if (magic === 0x0a0d0d0a) return readPcapng(path, w, visit, limits);
    if (magic === 0xa1b2c3d4 || magic === 0xd4c3b2a1 || magic === 0xa1b23c4d || magic === 0x4d3cb2a1) return readPcap(path, w, visit, limits);
    throw new InputError(path, `not a pcap or pcapng file (magic 0x${magic.toString(16).padStart(8, "0")})`, 0);
  } finally {
    closeSync(fd);
  }
}

function readPcap(path: string, w: Window, visit: PacketVisitor, limits: PcapLimits): PcapFileInfo {
  if (!w.ensure(0, 24)) throw new InputError(path, "pcap file header cut short", 0);
  const m = w.dv.getUint32(0, true);
  const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
  const nano = m === 0xa1b23c4d || m === 0x4d3cb2a1;
  const snaplen = w.dv.getUint32(16, le);
  // The FCS bits live in the top of the link-type field (pcap-savefile(5)); the type is the low 16.
  const linkType = w.dv.getUint32(20, le) & 0xffff;
  const info: PcapFileInfo = { format: "pcap", packets: 0, bytes: 0, sections: 1, warnings: [] };
  let pos = 24;
  const maxCap = Math.min(limits.maxRecordBytes, Math.max(snaplen, 262144));
  const p: RawPacket = { frame: 0, linkType, sec: 0, nsec: 0, origLen: 0, buf: w.buf, start: 0, end: 0, offset: 0 };
  for (;;) {
    if (!w.ensure(pos, 16)) {
      if (w.len - (pos - w.base) > 0) info.warnings.push(`${path}: the last record is cut short (at byte ${pos}): ignored`);
      break;
    }
    let o = pos - w.base;
    const sec = w.dv.getUint32(o, le);
    const frac = w.dv.getUint32(o + 4, le);
    const incl = w.dv.getUint32(o + 8, le);
    const orig = w.dv.getUint32(o + 12, le);
    if (incl > maxCap) throw new InputError(path, `record length ${incl} is over the ${maxCap}-byte cap (corrupt file?)`, pos);
    if (frac >= (nano ? 1e9 : 1e6)) throw new InputError(path, `timestamp fraction ${frac} out of range (corrupt file?)`, pos);
    if (!w.ensure(pos, 16 + incl)) {
      info.warnings.push(`${path}: the last packet is cut short (at byte ${pos}): ignored`);
      break;
    }
    o = pos - w.base;
    p.frame = ++info.packets;
    p.sec = sec;
    p.nsec = nano ? frac : frac * 1000;
    p.origLen = Math.max(orig, incl);
    p.buf = w.buf;
    p.start = o + 16;
    p.end = o + 16 + incl;
    p.offset = pos;
    visit(p);
    pos += 16 + incl;
  }
  info.bytes = pos;
  return info;
}

interface Iface {
  linkType: number;
  /** timestamp units per second, as 10^digits (decimal) or 2^bits */
  unitsPerSec: number;
  decimalDigits: number; // -1 for a power-of-two resolution
  offsetSec: number;
}

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 1;
const BLOCK_PB = 2; // obsolete Packet Block
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;

function readPcapng(path: string, w: Window, visit: PacketVisitor, limits: PcapLimits): PcapFileInfo {
  const info: PcapFileInfo = { format: "pcapng", packets: 0, bytes: 0, sections: 0, warnings: [] };
  let pos = 0;
  let le = true;
  let ifaces: Iface[] = [];
  const p: RawPacket = { frame: 0, linkType: 0, sec: 0, nsec: 0, origLen: 0, buf: w.buf, start: 0, end: 0, offset: 0 };
  for (;;) {
    if (!w.ensure(pos, 12)) {
      if (w.len - (pos - w.base) > 0) info.warnings.push(`${path}: the last block is cut short (at byte ${pos}): ignored`);
      break;
    }
    let o = pos - w.base;
    const typeRaw = w.dv.getUint32(o, false);
    if (typeRaw === BLOCK_SHB) {
      // The byte-order magic decides how this section (and its length field) is read.
      const bom = w.dv.getUint32(o + 8, true);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else throw new InputError(path, `pcapng section header with a bad byte-order magic 0x${bom.toString(16)}`, pos + 8);
      ifaces = [];
      info.sections++;
    } else if (info.sections === 0) {
      throw new InputError(path, "pcapng file does not start with a section header block", pos);
    }
    const type = w.dv.getUint32(o, le);
    const len = w.dv.getUint32(o + 4, le);
    if (len < 12 || len % 4 !== 0) throw new InputError(path, `pcapng block length ${len} is invalid`, pos + 4);
    if (len > limits.maxRecordBytes) throw new InputError(path, `pcapng block length ${len} is over the ${limits.maxRecordBytes}-byte cap`, pos + 4);
    if (!w.ensure(pos, len)) {
      info.warnings.push(`${path}: the last block is cut short (at byte ${pos}): ignored`);
      break;
    }
    o = pos - w.base;
    if (w.dv.getUint32(o + len - 4, le) !== len) throw new InputError(path, "pcapng block's trailing length differs from its leading length", pos + len - 4);
    const body = o + 8;
    const bodyEnd = o + len - 4;
    if (type === BLOCK_IDB) {
      if (bodyEnd - body < 8) throw new InputError(path, "pcapng interface block too short", pos);
      const iface: Iface = { linkType: w.dv.getUint16(body, le), unitsPerSec: 1e6, decimalDigits: 6, offsetSec: 0 };
      readOptions(w, body + 8, bodyEnd, le, (code, at, n) => {
        if (code === 9 && n >= 1) {
          // if_tsresol: high bit set = negative power of two, else of ten
          const v = w.buf[at]!;
          if (v & 0x80) {
            iface.decimalDigits = -1;
            iface.unitsPerSec = 2 ** (v & 0x7f);
          } else {
            if (v > 15) throw new InputError(path, `if_tsresol 10^-${v} is beyond nanosecond-safe range`, pos + (at - o));
            iface.decimalDigits = v;
            iface.unitsPerSec = 10 ** v;
          }
        } else if (code === 14 && n >= 8) {
          iface.offsetSec = Number(w.dv.getBigInt64(at, le));
        }
      }, path, pos - o);
      ifaces.push(iface);
    } else if (type === BLOCK_EPB || type === BLOCK_PB) {
      if (bodyEnd - body < 20) throw new InputError(path, "pcapng packet block too short", pos);
      const ifId = type === BLOCK_EPB ? w.dv.getUint32(body, le) : w.dv.getUint16(body, le);
      const iface = ifaces[ifId];
      if (!iface) throw new InputError(path, `packet block names interface ${ifId}, not described by an interface block`, pos + 8);
      const hi = w.dv.getUint32(body + 4, le);
      const lo = w.dv.getUint32(body + 8, le);
      const capLen = w.dv.getUint32(body + 12, le);
      const origLen = w.dv.getUint32(body + 16, le);
      if (body + 20 + capLen > bodyEnd) throw new InputError(path, `captured length ${capLen} runs past the block`, pos + 20);
      stamp(p, iface, hi, lo);
      p.frame = ++info.packets;
      p.linkType = iface.linkType;
      p.origLen = Math.max(origLen, capLen);
      p.buf = w.buf;
      p.start = body + 20;
      p.end = body + 20 + capLen;
      p.offset = pos;
      visit(p);
    } else if (type === BLOCK_SPB) {
      const iface = ifaces[0];
      if (!iface) throw new InputError(path, "simple packet block without an interface block", pos);
      const origLen = w.dv.getUint32(body, le);
      const capLen = Math.min(origLen, bodyEnd - body - 4);
      // An SPB has no timestamp: it keeps the previous packet's time.
      p.frame = ++info.packets;
      p.linkType = iface.linkType;
      p.origLen = origLen;
      p.buf = w.buf;
      p.start = body + 4;
      p.end = body + 4 + capLen;
      p.offset = pos;
      visit(p);
    }
    // other blocks (name resolution, statistics, custom, decryption secrets) carry no packets
    pos += len;
  }
  info.bytes = pos;
  if (info.sections === 0) throw new InputError(path, "pcapng file without a section header", 0);
  return info;
}

/** Walks a pcapng option list [from, to): code, value offset (in w.buf), value length. */
function readOptions(w: Window, from: number, to: number, le: boolean, each: (code: number, at: number, n: number) => void, path: string, fileDelta: number): void {
  let at = from;
  while (at + 4 <= to) {
    const code = w.dv.getUint16(at, le);
    const n = w.dv.getUint16(at + 2, le);
    if (code === 0) return; // opt_endofopt
    if (at + 4 + n > to) throw new InputError(path, `pcapng option ${code} runs past its block`, at + fileDelta);
    each(code, at + 4, n);
    at += 4 + ((n + 3) & ~3);
  }
}

/** Sets p.sec/p.nsec from a 64-bit timestamp in the interface's units. */
function stamp(p: RawPacket, iface: Iface, hi: number, lo: number): void {
  if (iface.decimalDigits >= 0 && iface.decimalDigits <= 6) {
    // hi*2^32+lo < 2^53 for any date before year 2255 at microseconds: exact in a double
    const t = hi * 4294967296 + lo;
    const sec = Math.floor(t / iface.unitsPerSec);
    p.sec = sec + iface.offsetSec;
    p.nsec = (t - sec * iface.unitsPerSec) * 10 ** (9 - iface.decimalDigits);
    return;
  }
  // nanoseconds and finer, or binary fractions: past 2^53, so BigInt (one per packet)
  const t = (BigInt(hi) << 32n) | BigInt(lo);
  const units = iface.decimalDigits >= 0 ? 10n ** BigInt(iface.decimalDigits) : 1n << BigInt(Math.log2(iface.unitsPerSec));
  const sec = t / units;
  const rem = t - sec * units;
  p.sec = Number(sec) + iface.offsetSec;
  p.nsec = Number((rem * 1_000_000_000n) / units);
}
