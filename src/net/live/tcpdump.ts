// tcpdump (Debian's) for a capture window: started before the window, stopped after it
// with SIGINT (tcpdump then writes its last packets and its counts). Immediate mode and a
// large buffer: libpcap's TPACKET_V3 blocks would otherwise hold the last packets back
// when it is interrupted, and 64 KB loopback segments overflow the default 2 MB buffer.

import { spawn } from "node:child_process";

export interface TcpdumpOptions {
  /** interface: "any" sees loopback and every NIC */
  iface: string;
  /** bytes kept per packet: headers and the start of HTTP lines, not bodies */
  snaplen: number;
  /** stop after this many packets (bounds the file) */
  maxPackets: number;
  /** ms to wait for tcpdump to say it listens */
  startTimeoutMs: number;
}

export const DEFAULT_TCPDUMP: TcpdumpOptions = { iface: "any", snaplen: 256, maxPackets: 2_000_000, startTimeoutMs: 10_000 };

export interface TcpdumpResult {
  captured: number;
  droppedByKernel: number;
  stderr: string;
}

export interface RunningTcpdump {
  stop(): Promise<TcpdumpResult>;
}

/** Starts tcpdump writing file for TCP port `port`; resolves once it listens. */
export function startTcpdump(file: string, port: number, o: Partial<TcpdumpOptions> = {}): Promise<RunningTcpdump> {
  const opts = { ...DEFAULT_TCPDUMP, ...o };
  const args = ["-i", opts.iface, "-s", String(opts.snaplen), "-B", "32768", "--immediate-mode", "-U", "-c", String(opts.maxPackets), "-w", file, "tcp", "port", String(port)];
  const child = spawn("tcpdump", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on("close", () => {
      exited = true;
      resolve();
    }),
  );
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tcpdump did not start in ${opts.startTimeoutMs} ms`));
    }, opts.startTimeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run tcpdump: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "not installed (apt-get install tcpdump)" : e.message}`));
    });
    const poll = setInterval(() => {
      if (stderr.includes("listening on")) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve({
          stop: async () => {
            if (!exited) {
              // the window's last packets are still on their way to the ring buffer
              await new Promise((r) => setTimeout(r, 200));
              child.kill("SIGINT");
            }
            await exit;
            const n = (re: RegExp) => Number(re.exec(stderr)?.[1] ?? 0);
            return { captured: n(/(\d+) packets? captured/), droppedByKernel: n(/(\d+) packets? dropped by kernel/), stderr };
          },
        });
      } else if (exited) {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`tcpdump failed: ${stderr.trim().split("\n").pop() ?? "exited"}`));
      }
    }, 20);
  });
}
