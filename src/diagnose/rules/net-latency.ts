// Which layer holds the P99, from the bundle's packet capture (godiag capture --pcap):
// network (handshake, RTT, retransmissions), the accept queue (SYN retries while the
// kernel counted ListenOverflows: netaudit.json), the TLS handshake, or the handler (the
// server's time between the last request byte and the first response byte).

import type { DiagnoseContext } from "../context.js";
import type { Finding, Severity } from "../finding.js";
import type { Rule } from "../rule.js";
import { analyzePcapFile, attributeLatency, fmtNs, type Layer } from "../../net/index.js";

/** A P99 a user notices: 100 ms; a second is the SYN-retry step (1 s, 3 s) and critical. */
const WARNING_NS = 100e6;
const CRITICAL_NS = 1e9;

const LAYER_NAMES: Record<Layer, string> = {
  network: "the network (handshake, RTT, retransmissions)",
  "accept-queue": "the accept queue (connections waiting for Accept; SYNs dropped)",
  tls: "the TLS handshake",
  handler: "the handler (the server's time to the first response byte)",
  transfer: "the transfer (sending the request and the response bodies)",
};

const ADVICE: Record<Layer, string> = {
  network:
    "Look at the path: retransmissions mean loss (a NIC, a full queue, a firewall rate limit); SYN retries without ListenOverflows mean dropped SYNs before the service. Compare with `godiag pcap capture.pcap` per flow.",
  "accept-queue":
    "The service accepts too slowly or its backlog is too small: raise the listen backlog and net.core.somaxconn (netaudit.json has the exact change), and never do work before Accept.",
  tls: "Make the handshake cheaper: session resumption (tickets), ECDSA certificates, no blocking work in GetCertificate/GetConfigForClient.",
  handler: "The time is the service's own: read the CPU profile, the block profile and the execution trace of the same window for where the handler spends it.",
  transfer: "Large bodies or a slow reader: compress, paginate, or check the client's receive window (zero windows in `godiag pcap`).",
};

interface NetAudit {
  port?: number;
  window?: { listenOverflows?: number };
}

export const netLatencyRule: Rule = {
  name: "net-latency",
  run(ctx: DiagnoseContext): Finding[] {
    const out: Finding[] = [];
    const auditFile = ctx.files("netaudit")[0];
    let overflows: number | undefined;
    let port = 0;
    if (auditFile) {
      try {
        const a = JSON.parse(new TextDecoder().decode(auditFile.data)) as NetAudit;
        overflows = a.window?.listenOverflows;
        port = typeof a.port === "number" ? a.port : 0;
      } catch {
        ctx.bundle.warnings.push(`${auditFile.path}: not JSON; the accept-queue counters are not used`);
      }
    }
    for (const f of ctx.files("pcap")) {
      if (f.error) continue;
      let rep;
      try {
        // the service's port tells the server's side of connections opened before the capture
        rep = analyzePcapFile(f.absPath, { port });
      } catch (e) {
        ctx.bundle.warnings.push((e as Error).message);
        continue;
      }
      // the capture's own /debug/pprof fetches (a 30 s CPU profile) are not the service's latency
      const layers = attributeLatency(rep, { ignoreRequest: /^GET \/debug\/pprof\//, ...(overflows === undefined ? {} : { listenOverflows: overflows }) });
      if (!layers) continue;
      const severity: Severity = layers.p99Ns >= CRITICAL_NS ? "critical" : layers.p99Ns >= WARNING_NS ? "warning" : "info";
      const total = Object.values(layers.shares).reduce((a, b) => a + b, 0);
      const split = (Object.entries(layers.shares) as Array<[Layer, number]>)
        .filter(([, v]) => v > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${Math.round((100 * v) / total)}%`)
        .join(", ");
      const cpu = ctx.files("cpu")[0];
      const alignment =
        `time alignment: ${f.path} timestamps are the capturing host's wall clock (first packet ${rep.startTime || "none"})` +
        (cpu?.profile ? `; ${cpu.path} starts at TimeNanos ${new Date(Number(cpu.profile.timeNanos / 1_000_000n)).toISOString()} (same host clock when captured here)` : "");
      out.push({
        id: `network-latency:${layers.layer}`,
        category: "network-latency",
        severity,
        confidence: severity === "info" ? 0.4 : 0.7,
        title: `The P99 (${fmtNs(layers.p99Ns)}) is held by ${LAYER_NAMES[layers.layer]}`,
        summary:
          `In ${f.path}, ${layers.requests} requests (or connections) were timed from the packets; the ${layers.slow} slowest (P99 and above, ${fmtNs(layers.p99Ns)}) split as ${split}. ` +
          layers.evidence.join("; ") +
          ".",
        evidence: [
          {
            source: f.path,
            kind: "packet capture (tcpdump; tshark's TCP analysis definitions)",
            numbers: {
              p99_ms: Math.round(layers.p99Ns / 1e4) / 100,
              requests: layers.requests,
              slow_requests: layers.slow,
              retransmissions: rep.totals.retransmissions,
              syn_retries: rep.totals.synRetries,
              duplicate_acks: rep.totals.duplicateAcks,
              handshake_rtt_p50_us: Math.round(rep.summary.handshakeRtt.p50 / 1e3),
              server_time_p99_ms: Math.round(rep.summary.server.p99 / 1e4) / 100,
            },
            excerpt: alignment,
          },
          ...(auditFile && overflows !== undefined
            ? [{ source: auditFile.path, kind: "host network counters (/proc/net/netstat)", numbers: { listen_overflows_in_window: overflows } }]
            : []),
        ],
        functions: [],
        recommendation: ADVICE[layers.layer],
        docs: ["https://man7.org/linux/man-pages/man2/listen.2.html", "https://www.wireshark.org/docs/wsug_html_chunked/ChAdvTCPAnalysis.html"],
      });
    }
    return out;
  },
};
