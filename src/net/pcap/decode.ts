// From a captured frame to its TCP segment: link layer (Ethernet with VLAN tags, Linux
// cooked SLL and SLL2, raw IP, BSD loopback "null"/"loop"), IPv4/IPv6 (extension headers
// skipped), TCP header and options. Lengths come from the IP header, not from the captured
// bytes, as tshark's do: a packet cut at snaplen still counts all its bytes, and Ethernet
// padding never does. One segment object is reused for every packet, and it points into
// the reader's chunk by offsets: no allocation per packet (views cost the GC 15 % of a run).

export const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, SLL: 113, IPV4: 228, IPV6: 229, SLL2: 276 } as const;

/** TCP header flags */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export interface TcpSegment {
  ipVersion: 4 | 6;
  /** the frame's bytes (the reader's chunk); the fields below are offsets into it */
  buf: Uint8Array;
  /** source and destination addresses: addrLen (4 or 16) bytes at srcOff and dstOff */
  srcOff: number;
  dstOff: number;
  addrLen: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  /** the raw 16-bit window field */
  window: number;
  /** window-scale option (SYN), -1 when absent */
  wscale: number;
  /** TCP payload length from the IP header (what the sender sent) */
  seglen: number;
  /** the captured payload is buf[payloadOff, payloadEnd) (fewer than seglen bytes when cut at snaplen) */
  payloadOff: number;
  payloadEnd: number;
  /**
   * the frame's time, ns since the capture's first packet (set by the caller, not decoded).
   * On the segment rather than an argument: a double passed to a function V8 does not
   * inline is boxed, one allocation per call; a field is read unboxed.
   */
  t: number;
}

/** Why a frame carries no TCP segment we read (counted, not an error). */
export type Skip = "not-ip" | "not-tcp" | "fragment" | "truncated";

/** Decodes the frame d[start, end) into seg; returns null when it is a TCP segment, else why not. */
export function decodeTcp(linkType: number, d: Uint8Array, start: number, end: number, seg: TcpSegment): Skip | null {
  let off: number;
  const len = end - start;
  seg.buf = d;
  let ethType: number;
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      if (len < 14) return "truncated";
      ethType = (d[start + 12]! << 8) | d[start + 13]!;
      off = 14;
      // 802.1Q / 802.1ad tags, possibly stacked
      while ((ethType === 0x8100 || ethType === 0x88a8 || ethType === 0x9100) && off + 4 <= len) {
        ethType = (d[start + off + 2]! << 8) | d[start + off + 3]!;
        off += 4;
      }
      break;
    }
    case LINKTYPE.SLL:
      if (len < 16) return "truncated";
      ethType = (d[start + 14]! << 8) | d[start + 15]!;
      off = 16;
      break;
    case LINKTYPE.SLL2:
      if (len < 20) return "truncated";
      ethType = (d[start + 0]! << 8) | d[start + 1]!;
      off = 20;
      break;
    case LINKTYPE.RAW:
    case 12: // DLT_RAW on some BSDs
    case 14:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      off = 0;
      if (len < 1) return "truncated";
      ethType = d[start + 0]! >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (len < 4) return "truncated";
      // AF_ value: host byte order for NULL (either), network order for LOOP
      const be = (d[start + 0]! << 24) | (d[start + 1]! << 16) | (d[start + 2]! << 8) | d[start + 3]!;
      const le = d[start + 0]! | (d[start + 1]! << 8) | (d[start + 2]! << 16) | (d[start + 3]! << 24);
      const af = linkType === LINKTYPE.LOOP ? be : le < 256 ? le : be;
      ethType = af === 2 ? 0x0800 : af === 10 || af === 24 || af === 28 || af === 30 ? 0x86dd : 0;
      off = 4;
      break;
    }
    default:
      return "not-ip";
  }
  if (ethType === 0x0800) return ipv4(d, start + off, end, seg);
  if (ethType === 0x86dd) return ipv6(d, start + off, end, seg);
  return "not-ip";
}

function ipv4(d: Uint8Array, off: number, end: number, seg: TcpSegment): Skip | null {
  if (end < off + 20) return "truncated";
  if (d[off]! >> 4 !== 4) return "not-ip";
  const ihl = (d[off]! & 0x0f) * 4;
  let total = (d[off + 2]! << 8) | d[off + 3]!;
  // A TSO/GRO super-segment captured before segmentation has total length 0: use the frame.
  if (total === 0) total = end - off;
  const fragField = (d[off + 6]! << 8) | d[off + 7]!;
  if (d[off + 9] !== 6) return "not-tcp";
  if ((fragField & 0x1fff) !== 0 || (fragField & 0x2000) !== 0) return "fragment";
  seg.ipVersion = 4;
  seg.srcOff = off + 12;
  seg.dstOff = off + 16;
  seg.addrLen = 4;
  return tcp(d, off + ihl, off + total, end, seg);
}

function ipv6(d: Uint8Array, off: number, frameEnd: number, seg: TcpSegment): Skip | null {
  if (frameEnd < off + 40) return "truncated";
  if (d[off]! >> 4 !== 6) return "not-ip";
  const payloadLen = (d[off + 4]! << 8) | d[off + 5]!;
  let next = d[off + 6]!;
  seg.ipVersion = 6;
  seg.srcOff = off + 8;
  seg.dstOff = off + 24;
  seg.addrLen = 16;
  const end = off + 40 + (payloadLen === 0 ? frameEnd - off - 40 : payloadLen);
  let at = off + 40;
  // hop-by-hop, routing, destination options, fragment, authentication
  for (let i = 0; i < 8 && next !== 6; i++) {
    if (at + 8 > frameEnd) return "truncated";
    if (next === 44) {
      const fo = (d[at + 2]! << 8) | d[at + 3]!;
      if ((fo & 0xfff9) !== 0) return "fragment";
      next = d[at]!;
      at += 8;
    } else if (next === 0 || next === 43 || next === 60) {
      next = d[at]!;
      at += (d[at + 1]! + 1) * 8;
    } else if (next === 51) {
      next = d[at]!;
      at += (d[at + 1]! + 2) * 4;
    } else {
      return "not-tcp";
    }
  }
  if (next !== 6) return "not-tcp";
  return tcp(d, at, end, frameEnd, seg);
}

function tcp(d: Uint8Array, off: number, ipEnd: number, frameEnd: number, seg: TcpSegment): Skip | null {
  if (frameEnd < off + 20) return "truncated";
  seg.srcPort = (d[off]! << 8) | d[off + 1]!;
  seg.dstPort = (d[off + 2]! << 8) | d[off + 3]!;
  seg.seq = ((d[off + 4]! << 24) | (d[off + 5]! << 16) | (d[off + 6]! << 8) | d[off + 7]!) >>> 0;
  seg.ack = ((d[off + 8]! << 24) | (d[off + 9]! << 16) | (d[off + 10]! << 8) | d[off + 11]!) >>> 0;
  const hlen = (d[off + 12]! >> 4) * 4;
  seg.flags = d[off + 13]!;
  seg.window = (d[off + 14]! << 8) | d[off + 15]!;
  seg.wscale = -1;
  if (hlen < 20) return "truncated";
  if (seg.flags & SYN) {
    // options: only the window scale matters to the analysis
    const optEnd = Math.min(off + hlen, frameEnd);
    let at = off + 20;
    while (at < optEnd) {
      const kind = d[at]!;
      if (kind === 0) break;
      if (kind === 1) {
        at++;
        continue;
      }
      if (at + 1 >= optEnd) break;
      const len = d[at + 1]!;
      if (len < 2) break;
      if (kind === 3 && len === 3 && at + 2 < optEnd) seg.wscale = Math.min(d[at + 2]!, 14);
      at += len;
    }
  }
  seg.seglen = Math.max(0, ipEnd - off - hlen);
  seg.payloadOff = Math.min(off + hlen, frameEnd);
  seg.payloadEnd = Math.max(seg.payloadOff, Math.min(ipEnd, frameEnd));
  return null;
}
