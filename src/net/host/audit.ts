// The host's network limits against what a service uses, each finding with the exact
// change to make. Inputs are read by host/read.ts (or given by a test); this is pure.

import type { Listener } from "./parse.js";

export interface HostInput {
  somaxconn: number;
  tcpMaxSynBacklog: number;
  /** ip_local_port_range */
  portRange: [number, number];
  tcpTwReuse: number;
  timeWait: number;
  listenOverflows: number;
  listenDrops: number;
  /** the service's listener (by port), when found */
  listener?: Listener;
  /** the target process's open-files limit and descriptors in use */
  nofile?: { soft: number; inUse: number };
}

export interface HostFinding {
  id: string;
  severity: "info" | "warning" | "critical";
  message: string;
  /** the exact change to make */
  fix: string;
}

export function auditHost(h: HostInput): HostFinding[] {
  const out: HostFinding[] = [];
  if (h.listener) {
    const l = h.listener;
    if (l.backlog < h.somaxconn && l.backlog < 1024) {
      out.push({
        id: "listen-backlog",
        severity: h.listenOverflows > 0 ? "warning" : "info",
        message: `the listener on port ${l.port} has a backlog of ${l.backlog} (somaxconn ${h.somaxconn}); ${l.queued} connections wait to be accepted now`,
        fix: `listen with a larger backlog (Go's net.Listen uses somaxconn; a custom listen(2) call passes its own): e.g. ${Math.min(h.somaxconn, 4096)}`,
      });
    }
    if (l.backlog >= h.somaxconn && h.somaxconn < 4096 && h.listenOverflows > 0) {
      out.push({
        id: "somaxconn",
        severity: "warning",
        message: `the listener's backlog is capped by net.core.somaxconn = ${h.somaxconn} and the accept queue overflowed`,
        fix: "sysctl -w net.core.somaxconn=4096 (and in /etc/sysctl.d/ to keep it)",
      });
    }
  }
  if (h.listenOverflows > 0 || h.listenDrops > 0) {
    out.push({
      id: "listen-overflows",
      severity: "warning",
      message: `the kernel dropped connections at full accept queues: ListenOverflows ${h.listenOverflows}, ListenDrops ${h.listenDrops} (/proc/net/netstat, since boot${h.listenOverflows ? "" : ""}); each drop costs the client a SYN retry: 1 s, 3 s, 7 s`,
      fix: "accept faster (a goroutine per connection, no work before Accept) and raise the backlog: sysctl -w net.core.somaxconn=4096",
    });
  }
  if (h.tcpMaxSynBacklog < 1024) {
    out.push({
      id: "syn-backlog",
      severity: "info",
      message: `net.ipv4.tcp_max_syn_backlog is ${h.tcpMaxSynBacklog}: half-open connections beyond it are dropped under a burst`,
      fix: "sysctl -w net.ipv4.tcp_max_syn_backlog=4096",
    });
  }
  const ports = h.portRange[1] - h.portRange[0] + 1;
  if (h.timeWait > ports / 2) {
    out.push({
      id: "time-wait",
      severity: h.timeWait > ports * 0.9 ? "critical" : "warning",
      message: `${h.timeWait} sockets in TIME_WAIT against ${ports} local ports (ip_local_port_range ${h.portRange[0]} ${h.portRange[1]}): new outgoing connections run out of ports`,
      fix:
        (h.tcpTwReuse !== 1 ? "sysctl -w net.ipv4.tcp_tw_reuse=1; " : "") +
        `sysctl -w net.ipv4.ip_local_port_range="1024 65535"; and reuse connections (http.Transport MaxIdleConnsPerHost)`,
    });
  }
  if (h.nofile && h.nofile.inUse > h.nofile.soft * 0.8) {
    out.push({
      id: "nofile",
      severity: h.nofile.inUse >= h.nofile.soft * 0.95 ? "critical" : "warning",
      message: `the process uses ${h.nofile.inUse} of its ${h.nofile.soft} file descriptors: accept(2) fails with EMFILE when none is left`,
      fix: `raise the limit: ulimit -n ${Math.max(65536, h.nofile.soft * 4)} (systemd: LimitNOFILE=${Math.max(65536, h.nofile.soft * 4)})`,
    });
  }
  return out;
}
