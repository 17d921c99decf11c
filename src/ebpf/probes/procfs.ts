// What /proc tells without BPF, sampled once a second during a probe run:
// TCP listen-queue overflows (TcpExt ListenOverflows/ListenDrops of
// /proc/net/netstat, counters of the target's network namespace), open fds by
// kind (/proc/PID/fd), and the process's CPU time (/proc/PID/stat).

import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** TcpExt counters by name from /proc/<pid>/net/netstat (the target's namespace). */
export function tcpExt(pid?: number): Record<string, number> {
  let text: string;
  try {
    text = readFileSync(pid ? `/proc/${pid}/net/netstat` : "/proc/net/netstat", "utf8");
  } catch {
    return {};
  }
  const lines = text.split("\n");
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.startsWith("TcpExt:") || !lines[i + 1]!.startsWith("TcpExt:")) continue;
    const names = lines[i]!.trim().split(/\s+/).slice(1);
    const values = lines[i + 1]!.trim().split(/\s+/).slice(1).map(Number);
    return Object.fromEntries(names.map((n, j) => [n, values[j] ?? 0]));
  }
  return {};
}

export type FdKind = "socket" | "pipe" | "eventpoll" | "eventfd" | "timerfd" | "anon" | "file" | "device" | "other";

export function fdKind(link: string): FdKind {
  if (link.startsWith("socket:")) return "socket";
  if (link.startsWith("pipe:")) return "pipe";
  if (link === "anon_inode:[eventpoll]") return "eventpoll";
  if (link === "anon_inode:[eventfd]") return "eventfd";
  if (link === "anon_inode:[timerfd]") return "timerfd";
  if (link.startsWith("anon_inode:")) return "anon";
  if (link.startsWith("/dev/")) return "device";
  if (link.startsWith("/")) return "file";
  return "other";
}

/** Open fds of a process by kind; undefined when the process is gone. Capped at 1M entries. */
export function fdsByKind(pid: number): Partial<Record<FdKind, number>> | undefined {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  const out: Partial<Record<FdKind, number>> = {};
  for (const n of names.slice(0, 1 << 20)) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${n}`);
    } catch {
      continue; // closed between readdir and readlink
    }
    const k = fdKind(link);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** User + system CPU seconds of a process so far (/proc/PID/stat fields 14, 15; USER_HZ = 100). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Thread ids of a process. */
export function threadIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

/** TCP ports a process listens on: its socket inodes matched with LISTEN rows of /proc/PID/net/tcp{,6}. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const n of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${n}`));
        if (m) inodes.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const ports = new Set<number>();
  for (const f of ["tcp", "tcp6"]) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${f}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const c = line.trim().split(/\s+/);
      // local_address is "HEXIP:HEXPORT", st 0A = LISTEN, inode is column 10.
      if (c[3] === "0A" && c[9] && inodes.has(c[9])) ports.add(parseInt(c[1]!.split(":")[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}
