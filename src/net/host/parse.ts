// Parsers of the kernel's text tables the host audit reads: /proc/net/netstat (TcpExt
// counters), /proc/net/tcp{,6} (socket states and queues) and `ss -ltn` (listen backlogs,
// which /proc/net/tcp does not show).

/** "TcpExt: a b c\nTcpExt: 1 2 3" -> { "TcpExt.a": 1, ... } for every header/value line pair. */
export function parseNetstat(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = text.split("\n").filter((l) => l.includes(":"));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [p1, names] = [lines[i]!.slice(0, lines[i]!.indexOf(":")), lines[i]!.slice(lines[i]!.indexOf(":") + 1).trim().split(/\s+/)];
    const values = lines[i + 1]!.slice(lines[i + 1]!.indexOf(":") + 1).trim().split(/\s+/);
    names.forEach((n, j) => out.set(`${p1}.${n}`, Number(values[j])));
  }
  return out;
}

export interface TcpSocket {
  localPort: number;
  /** kernel TCP state: 0x0A listen, 0x06 time-wait, 0x01 established... */
  state: number;
  /** for a listener: connections waiting in the accept queue */
  rxQueue: number;
}

/** /proc/net/tcp or tcp6 rows. */
export function parseProcNetTcp(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const local = f[1]!;
    const port = parseInt(local.slice(local.lastIndexOf(":") + 1), 16);
    const [, rx] = f[4]!.split(":");
    out.push({ localPort: port, state: parseInt(f[3]!, 16), rxQueue: parseInt(rx ?? "0", 16) });
  }
  return out;
}

export interface Listener {
  port: number;
  /** connections waiting to be accepted */
  queued: number;
  /** the listen(2) backlog in force (min of the program's and somaxconn) */
  backlog: number;
}

/** `ss -ltnH` (or with its header): State Recv-Q Send-Q Local:Port Peer:Port. */
export function parseSsListeners(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[0] !== "LISTEN") continue;
    const local = f[3]!;
    out.push({ port: Number(local.slice(local.lastIndexOf(":") + 1)), queued: Number(f[1]), backlog: Number(f[2]) });
  }
  return out;
}
