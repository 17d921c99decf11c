// Reads the host audit's inputs from /proc (and `ss` for listen backlogs) on this machine.
// Anything unreadable is left out rather than guessed.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { HostInput } from "./audit.js";
import { parseNetstat, parseProcNetTcp, parseSsListeners } from "./parse.js";

function num(path: string, fallback: number): number {
  try {
    return Number(readFileSync(path, "utf8").trim().split(/\s+/)[0]);
  } catch {
    return fallback;
  }
}

function text(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** The TcpExt counters of /proc/net/netstat (ListenOverflows, ListenDrops, ...). */
export function readTcpExt(proc = "/proc"): Map<string, number> {
  return parseNetstat(text(`${proc}/net/netstat`));
}

export function readHostInput(opts: { port?: number; pid?: number; proc?: string } = {}): HostInput {
  const proc = opts.proc ?? "/proc";
  const range = text(`${proc}/sys/net/ipv4/ip_local_port_range`).trim().split(/\s+/).map(Number);
  const sockets = [...parseProcNetTcp(text(`${proc}/net/tcp`)), ...parseProcNetTcp(text(`${proc}/net/tcp6`))];
  const ext = readTcpExt(proc);
  const h: HostInput = {
    somaxconn: num(`${proc}/sys/net/core/somaxconn`, 4096),
    tcpMaxSynBacklog: num(`${proc}/sys/net/ipv4/tcp_max_syn_backlog`, 4096),
    portRange: [range[0] ?? 32768, range[1] ?? 60999],
    tcpTwReuse: num(`${proc}/sys/net/ipv4/tcp_tw_reuse`, 2),
    timeWait: sockets.filter((s) => s.state === 0x06).length,
    listenOverflows: ext.get("TcpExt.ListenOverflows") ?? 0,
    listenDrops: ext.get("TcpExt.ListenDrops") ?? 0,
  };
  if (opts.port) {
    const ss = spawnSync("ss", ["-ltnH", `sport = :${opts.port}`], { encoding: "utf8", timeout: 5000 });
    const fromSs = ss.status === 0 ? parseSsListeners(ss.stdout.split("\n").map((l) => `LISTEN ${l.trim().replace(/^LISTEN\s+/, "")}`).join("\n")) : [];
    const l = fromSs.find((x) => x.port === opts.port);
    const queued = sockets.find((s) => s.state === 0x0a && s.localPort === opts.port)?.rxQueue ?? 0;
    if (l) h.listener = { ...l, queued: Math.max(l.queued, queued) };
  }
  if (opts.pid) {
    const m = /Max open files\s+(\d+|unlimited)/.exec(text(`${proc}/${opts.pid}/limits`));
    let inUse = -1;
    try {
      inUse = readdirSync(`${proc}/${opts.pid}/fd`).length;
    } catch {
      // not ours to read
    }
    if (m && m[1] !== "unlimited" && inUse >= 0) h.nofile = { soft: Number(m[1]), inUse };
  }
  return h;
}
