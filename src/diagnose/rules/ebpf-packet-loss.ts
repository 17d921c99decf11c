// packet-loss: TCP retransmitted on the service's connections while its accept queue
// never overflowed. The other half of "SYN retransmits, accept-queue overflows ->
// backlog too small or packet loss": with no ListenOverflows/ListenDrops the kernel did
// not drop the SYNs itself (that is accept-queue-overflow), so segments were lost below
// the process (a lossy link, a dropping firewall, a full device queue). Clients see the
// same whole-second steps (a lost SYN waits 1 s, then 3 s) that no Go profile explains.

import type { Finding } from "../finding.js";
import type { Rule } from "../rule.js";
import { connectsInRetransmitSteps, EBPF_ONLY, ebpfReports } from "../ebpf-input.js";

/**
 * Retransmits to call it loss. On a healthy loopback or LAN path there are none at all
 * (the healthy twin of the test counts 0); a single one can be a one-off (a delayed ACK
 * racing the retransmission timer), so: a handful in the window, and at least one every
 * ten seconds, so a long window does not turn noise into a finding.
 */
const MIN_RETRANSMITS = 5;
const MIN_PER_SECOND = 0.1;

export const ebpfPacketLossRule: Rule = {
  name: "ebpf-packet-loss",
  run(ctx): Finding[] {
    const out: Finding[] = [];
    for (const { file, report } of ebpfReports(ctx)) {
      const t = report.tcp;
      const w = report.window.seconds;
      // An overflowing accept queue drops SYNs itself: that is the backlog, not the network.
      if (!t || w <= 0 || t.listenOverflows + t.listenDrops > 0) continue;
      const syn = t.retransmits.synSent + t.synackRetransmits;
      const all = syn + t.retransmits.other;
      if (all < MIN_RETRANSMITS || all / w < MIN_PER_SECOND) continue;
      const stepped = connectsInRetransmitSteps(t);
      const ports = t.listenPorts.join(", ");
      out.push({
        id: `packet-loss:${t.listenPorts.join(",") || "process"}`,
        category: "packet-loss",
        severity: syn > 0 ? "warning" : "info",
        confidence: 0.6,
        title: `packets are lost: ${all} TCP retransmits in ${w.toFixed(1)} s${ports ? ` on port ${ports}` : ""}, and the accept queue never overflowed`,
        summary:
          `TCP retransmitted ${all} times (${t.retransmits.synSent} SYN, ${t.synackRetransmits} SYN-ACK, ${t.retransmits.other} data/FIN) ` +
          `on the service's connections while ListenOverflows and ListenDrops stayed at 0: the kernel did not drop the connections ` +
          `for a full accept queue, so packets were lost below the process (the link, a firewall or shaper, a device queue). ` +
          (syn > 0 ? `A lost SYN or SYN-ACK costs the client 1 s, then 3 s, before it is served` : `Each lost segment stalls its connection for a retransmission timeout (200 ms or more)`) +
          `${stepped > 0 ? ` (${stepped} of the ${t.connectUs.count} connects seen took 0.5 s or more)` : ""}. ` +
          `${EBPF_ONLY}: no Go profile shows time spent waiting for a retransmission.`,
        evidence: [
          {
            source: file.path,
            kind: `eBPF TCP probes and /proc/net/netstat (${EBPF_ONLY})`,
            numbers: {
              retransmits: all,
              syn_retransmits: t.retransmits.synSent,
              synack_retransmits: t.synackRetransmits,
              data_retransmits: t.retransmits.other,
              listen_overflows: 0,
              connects: t.connectUs.count,
              connects_in_retransmit_steps: stepped,
              window_seconds: w,
            },
          },
        ],
        functions: [],
        recommendation:
          "Find where packets are dropped between the clients and the service: interface and qdisc drop counters (ip -s link, tc -s qdisc), " +
          "firewall rules (nft list ruleset), the path (mtr); `godiag capture --pcap` or `godiag http` show which side retransmits. " +
          "The program's backlog is not the cause (the accept queue never overflowed).",
        docs: ["https://man7.org/linux/man-pages/man7/tcp.7.html"],
      });
    }
    return out;
  },
};
