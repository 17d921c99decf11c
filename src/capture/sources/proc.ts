// Facts about a local target process from /proc (Linux): open file
// descriptors by kind, threads, memory, the nofile limit, the executable and
// its Go build info, a few Go environment variables, and the process's TCP
// sockets by state (CLOSE_WAIT piling up = a leak of unclosed connections).

import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { readBuildInfo, type GoBuildInfo } from "./buildinfo.js";

export interface ProcFacts {
  pid: number;
  exe?: string;
  cmdline: string[];
  threads?: number;
  /** resident set size, bytes (VmRSS) */
  rssBytes?: number;
  /** peak RSS, bytes (VmHWM) */
  peakRssBytes?: number;
  limits: { nofileSoft?: number | "unlimited"; nofileHard?: number | "unlimited" };
  fds: { total: number; socket: number; pipe: number; file: number; anon: number; other: number };
  /** this process's TCP sockets (v4 + v6) by state name, e.g. ESTABLISHED, CLOSE_WAIT, LISTEN */
  tcpStates: Record<string, number>;
  /** how many of its sockets are Unix-domain (the rest of fds.socket: TCP above, UDP, netlink...) */
  unixSockets: number;
  /** ports it listens on */
  listenPorts: number[];
  buildInfo?: GoBuildInfo;
  buildInfoError?: string;
  /** GOGC, GOMEMLIMIT, GOMAXPROCS, GODEBUG, GOTRACEBACK from its environment, when set */
  goEnv: Record<string, string>;
}

/** TCP states as numbered in include/net/tcp_states.h (the st column of /proc/net/tcp). */
const TCP_STATES: Record<number, string> = {
  1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT",
  7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING", 12: "NEW_SYN_RECV",
};

const GO_ENV = ["GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GODEBUG", "GOTRACEBACK"];

export function isLocalUrl(url: string): boolean {
  const h = new URL(url).hostname;
  return h === "localhost" || h === "[::1]" || h === "::1" || /^127\./.test(h);
}

interface TcpRow {
  /** local address as /proc/net/tcp{,6} writes it: hex, each 32-bit word in host (little-endian) order */
  localHex: string;
  localPort: number;
  state: number;
  inode: string;
}

/** Rows of /proc/<pid>/net/tcp and tcp6 (the network namespace's sockets). */
function tcpRows(procDir: string): TcpRow[] {
  const rows: TcpRow[] = [];
  for (const f of ["tcp", "tcp6"]) {
    let text: string;
    try {
      text = readFileSync(`${procDir}/net/${f}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length < 10) continue;
      const [addr, port] = c[1]!.split(":");
      rows.push({ localHex: addr!, localPort: parseInt(port!, 16), state: parseInt(c[3]!, 16), inode: c[9]! });
    }
  }
  return rows;
}

/** Socket inodes a process holds, from its fd links ("socket:[12345]"). */
export function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch {
      // fd closed meanwhile
    }
  }
  return out;
}

/** Ports a process listens on (TCP, v4 or v6). */
export function listeningPorts(pid: number): number[] {
  const mine = socketInodes(pid);
  const ports = tcpRows(`/proc/${pid}`)
    .filter((r) => r.state === 10 && mine.has(r.inode))
    .map((r) => r.localPort);
  return [...new Set(ports)].sort((a, b) => a - b);
}

export interface ListenAddr {
  /** "127.0.0.1", "0.0.0.0", "::", "::1", ... */
  host: string;
  port: number;
}

/** A /proc/net/tcp{,6} address: 8 hex digits (IPv4) or 32 (IPv6), each 32-bit word little-endian. */
export function procHexAddr(hex: string): string {
  const b = Buffer.from(hex, "hex");
  for (let i = 0; i + 4 <= b.length; i += 4) b.subarray(i, i + 4).reverse();
  if (b.length === 4) return [...b].join(".");
  // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 address to whoever connects.
  if (b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return [...b.subarray(12)].join(".");
  const groups: string[] = [];
  for (let i = 0; i + 2 <= b.length; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // The URL parser writes IPv6 in its canonical short form ("::", "::1").
  return new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1);
}

/** Addresses a process listens on (TCP, v4 and v6), by port then address. */
export function listeningAddrs(pid: number): ListenAddr[] {
  const mine = socketInodes(pid);
  const seen = new Set<string>();
  const out: ListenAddr[] = [];
  for (const r of tcpRows(`/proc/${pid}`)) {
    if (r.state !== 10 || !mine.has(r.inode)) continue;
    const host = procHexAddr(r.localHex);
    if (seen.has(`${host} ${r.localPort}`)) continue;
    seen.add(`${host} ${r.localPort}`);
    out.push({ host, port: r.localPort });
  }
  return out.sort((a, b) => a.port - b.port || a.host.localeCompare(b.host));
}

/** The pid listening on a local TCP port, or null (not found, or not ours to see). */
export function findListeningPid(port: string): number | null {
  const want = Number(port);
  const inodes = new Set(tcpRows("/proc/self").filter((r) => r.state === 10 && r.localPort === want).map((r) => r.inode));
  if (inodes.size === 0) return null;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const p of pids) {
    for (const ino of socketInodes(Number(p))) if (inodes.has(ino)) return Number(p);
  }
  return null;
}

export function collectProcFacts(pid: number): ProcFacts {
  const dir = `/proc/${pid}`;
  let status: string;
  try {
    status = readFileSync(`${dir}/status`, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${dir}/status: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (process gone?)`, { cause: e });
  }
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\d+)`, "m").exec(status)?.[1];
  const kb = (name: string) => (field(name) !== undefined ? Number(field(name)) * 1024 : undefined);
  const facts: ProcFacts = {
    pid,
    cmdline: safeRead(`${dir}/cmdline`).split("\0").filter((s) => s !== ""),
    threads: field("Threads") !== undefined ? Number(field("Threads")) : undefined,
    rssBytes: kb("VmRSS"),
    peakRssBytes: kb("VmHWM"),
    limits: {},
    fds: { total: 0, socket: 0, pipe: 0, file: 0, anon: 0, other: 0 },
    tcpStates: {},
    unixSockets: 0,
    listenPorts: [],
    goEnv: {},
  };
  const lim = /^Max open files\s+(\S+)\s+(\S+)/m.exec(safeRead(`${dir}/limits`));
  if (lim) {
    const v = (s: string) => (s === "unlimited" ? "unlimited" : Number(s));
    facts.limits = { nofileSoft: v(lim[1]!), nofileHard: v(lim[2]!) };
  }
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`${dir}/fd`);
  } catch (e) {
    throw new Error(`cannot list ${dir}/fd: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (another user's process? run as its user)`, { cause: e });
  }
  for (const fd of fds) {
    let link: string;
    try {
      link = readlinkSync(`${dir}/fd/${fd}`);
    } catch {
      continue;
    }
    facts.fds.total++;
    const sock = /^socket:\[(\d+)\]$/.exec(link);
    if (sock) {
      facts.fds.socket++;
      inodes.add(sock[1]!);
    } else if (link.startsWith("pipe:")) facts.fds.pipe++;
    else if (link.startsWith("anon_inode:")) facts.fds.anon++;
    else if (link.startsWith("/") && !link.startsWith("/dev/")) facts.fds.file++;
    else facts.fds.other++;
  }
  for (const r of tcpRows(dir)) {
    if (!inodes.has(r.inode)) continue;
    const name = TCP_STATES[r.state] ?? `state-${r.state}`;
    facts.tcpStates[name] = (facts.tcpStates[name] ?? 0) + 1;
    if (r.state === 10 && !facts.listenPorts.includes(r.localPort)) facts.listenPorts.push(r.localPort);
  }
  facts.listenPorts.sort((a, b) => a - b);
  for (const line of safeRead(`${dir}/net/unix`).split("\n").slice(1)) {
    const inode = line.trim().split(/\s+/)[6];
    if (inode !== undefined && inodes.has(inode)) facts.unixSockets++;
  }
  try {
    facts.exe = readlinkSync(`${dir}/exe`);
    // /proc/<pid>/exe opens the running binary even when it was replaced or deleted on disk.
    facts.buildInfo = readBuildInfo(`${dir}/exe`);
  } catch (e) {
    facts.buildInfoError = (e as Error).message.replace(`${dir}/exe`, facts.exe ?? `${dir}/exe`);
  }
  for (const kv of safeRead(`${dir}/environ`).split("\0")) {
    const eq = kv.indexOf("=");
    if (eq > 0 && GO_ENV.includes(kv.slice(0, eq))) facts.goEnv[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return facts;
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
