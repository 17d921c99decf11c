// accept-queue-overflow: connections arrived faster than the program accepted
// them and the kernel dropped them (TcpExt ListenOverflows/ListenDrops while the
// probes ran). Clients then wait for SYN retransmits (1 s, 3 s, ...): latency in
// whole-second steps that no Go profile explains, because the connection never
// reached the program.

import type { Finding } from "../finding.js";
import type { Rule } from "../rule.js";
import { connectsInRetransmitSteps, EBPF_ONLY, ebpfReports } from "../ebpf-input.js";

export const ebpfAcceptQueueRule: Rule = {
  name: "ebpf-accept-queue",
  run(ctx): Finding[] {
    const out: Finding[] = [];
    for (const { file, report } of ebpfReports(ctx)) {
      const t = report.tcp;
      if (!t || t.listenOverflows + t.listenDrops === 0) continue;
      const syn = t.retransmits.synSent + t.synackRetransmits;
      // The client side's "latency in ~1 s / 3 s steps", when the clients are ones the probes see
      // (the probed process's own connects, or any connect to its listening ports on this host).
      const stepped = connectsInRetransmitSteps(t);
      out.push({
        id: `accept-queue-overflow:${t.listenPorts.join(",") || "host"}`,
        category: "accept-queue-overflow",
        severity: t.listenOverflows >= 10 ? "critical" : "warning",
        confidence: t.listenPorts.length > 0 ? 0.75 : 0.5,
        title: `the listen queue overflowed ${t.listenOverflows} times in ${report.window.seconds.toFixed(1)} s${t.listenPorts.length ? ` (port ${t.listenPorts.join(", ")})` : ""}`,
        summary:
          `The kernel dropped connections because the accept queue was full (${t.listenOverflows} overflows, ${t.listenDrops} drops` +
          `${syn > 0 ? `; ${syn} SYN/SYN-ACK retransmits` : ""}): clients wait for a retransmit, 1 s then 3 s, before they are served` +
          `${stepped > 0 ? ` (${stepped} of the ${t.connectUs.count} connects seen took 0.5 s or more: the 1 s / 3 s steps)` : ""}. ` +
          `${EBPF_ONLY} (and /proc/net/netstat): the connections never reach the program, so no Go profile shows them. ` +
          `The counters are the network namespace's: another listener in it can add to them.`,
        evidence: [
          {
            source: file.path,
            kind: `eBPF TCP probes and /proc/net/netstat (${EBPF_ONLY})`,
            numbers: {
              listen_overflows: t.listenOverflows,
              listen_drops: t.listenDrops,
              syn_retransmits: t.retransmits.synSent,
              synack_retransmits: t.synackRetransmits,
              connects: t.connectUs.count,
              connects_in_retransmit_steps: stepped,
              window_seconds: report.window.seconds,
            },
          },
        ],
        functions: [],
        recommendation:
          "Accept faster (keep the accept loop free of work: hand each connection to a goroutine at once) and raise the backlog: " +
          "Go listens with net.core.somaxconn, so raise that sysctl (and tcp_max_syn_backlog); a listener created by hand " +
          "(syscall.Listen) must pass a larger backlog.",
        docs: ["https://man7.org/linux/man-pages/man2/listen.2.html"],
      });
    }
    return out;
  },
};
