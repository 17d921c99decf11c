// Network attribution: `godiag pcap` (capture files), `godiag http` (timed requests) and
// the host's network limits.

export {
  analyzePcapFile,
  ANY_RETRANSMISSION,
  fmtNs,
  renderPcapJson,
  writePcapJson,
  renderPcapText,
  probeHttp,
  renderHttpJson,
  renderHttpText,
  type HttpProbeOptions,
  type HttpProbeReport,
  type RequestTiming,
  attributeLatency,
  auditHost,
  readHostInput,
  readTcpExt,
  parseNetstat,
  type HostEvidence,
  type HostFinding,
  type HostInput,
  type Layer,
  type LayerReport,
  TCP_ANALYSIS,
  type Flow,
  type FrameHook,
  type HttpExchange,
  type PcapOptions,
  type PcapReport,
} from "../net/index.js";

import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CaptureSidecar } from "../capture/index.js";
import type { ManifestFile } from "../bundle/index.js";
import { auditHost as audit, readHostInput as hostInput, readTcpExt as tcpExt, startTcpdump, type RunningTcpdump } from "../net/index.js";

/** Whether a URL's host is this machine (the host audit reads this machine's /proc). */
export function isLocalHost(url: string): boolean {
  const h = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\./.test(h) || h === "0.0.0.0";
}

/**
 * `godiag capture --pcap`: tcpdump on the service's port for the capture window
 * (capture.pcap), and, for a local target, the host audit with the accept-queue counters'
 * rise over the same window (netaudit.json).
 */
export function networkSidecars(url: string, opts: { pid?: number } = {}): CaptureSidecar[] {
  const u = new URL(url);
  const port = Number(u.port) || (u.protocol === "https:" ? 443 : 80);
  let dump: RunningTcpdump | undefined;
  let dir = "";
  let started = "";
  const pcap: CaptureSidecar = {
    label: "pcap",
    start: async (d) => {
      dir = d;
      started = new Date().toISOString();
      dump = await startTcpdump(join(d, "capture.pcap"), port);
    },
    stop: async () => {
      const r = await dump!.stop();
      const entry: ManifestFile = { path: "capture.pcap", kind: "pcap", time: started, source: `tcpdump -i any tcp port ${port}`, bytes: statSync(join(dir, "capture.pcap")).size };
      entry.seconds = (Date.now() - Date.parse(started)) / 1000;
      if (r.droppedByKernel > 0) entry.warnings = [`tcpdump: ${r.droppedByKernel} packets dropped by the kernel (the capture misses them)`];
      return [entry];
    },
  };
  if (!isLocalHost(url)) return [pcap];
  let before = new Map<string, number>();
  const auditCar: CaptureSidecar = {
    label: "netaudit",
    start: () => {
      before = tcpExt();
      return Promise.resolve();
    },
    stop: () => {
      const after = tcpExt();
      const rise = (k: string) => (after.get(k) ?? 0) - (before.get(k) ?? 0);
      const host = hostInput({ port, pid: opts.pid });
      const report = {
        port,
        host,
        window: { listenOverflows: rise("TcpExt.ListenOverflows"), listenDrops: rise("TcpExt.ListenDrops"), synRetransmits: rise("TcpExt.TCPSynRetrans") },
        findings: audit(host),
      };
      const text = JSON.stringify(report, null, 2) + "\n";
      writeFileSync(join(dir, "netaudit.json"), text);
      return Promise.resolve([{ path: "netaudit.json", kind: "netaudit", time: new Date().toISOString(), source: "/proc/net/netstat, /proc/sys/net, ss -ltn", bytes: Buffer.byteLength(text) }]);
    },
  };
  return [pcap, auditCar];
}
