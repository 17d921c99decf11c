// Text and JSON renderings of `godiag http`.

import type { Percentiles } from "../model.js";
import type { HttpProbeReport } from "../probe/http.js";
import { fmtNs } from "./format.js";

const PHASES = ["dns", "connect", "tls", "write", "server", "transfer", "total"] as const;

function cell(ns: number): string {
  return fmtNs(ns).padStart(9);
}

export function renderHttpText(r: HttpProbeReport, perRequest: boolean): string {
  let s = `${r.url}: ${r.requests.length} requests over ${r.connections} connection(s)${r.protocol ? `, ${r.protocol}` : ""}${r.errors ? `, ${r.errors} failed` : ""}\n`;
  if (perRequest) {
    s += `\n  #    conn  status      dns   connect       tls     write    server  transfer     total\n`;
    for (const q of r.requests) {
      const conn = `${q.connection}${q.reused ? "r" : ""}`.padStart(4);
      if (q.error) {
        s += `  ${String(q.index + 1).padStart(3)} ${conn}  error: ${q.error}\n`;
        continue;
      }
      s += `  ${String(q.index + 1).padStart(3)} ${conn}  ${String(q.status).padStart(6)}${cell(q.dnsNs)}${cell(q.connectNs)}${cell(q.tlsNs)}${cell(q.writeNs)}${cell(q.serverNs)}${cell(q.transferNs)}${cell(q.totalNs)}\n`;
    }
    s += `  (r: a reused connection; its dns/connect/tls are 0)\n`;
  }
  s += `\n  phase          n       p50       p90       p99       max\n`;
  for (const ph of PHASES) {
    const p: Percentiles = r.summary[ph];
    s += p.n === 0 ? `  ${ph.padEnd(9)}      -\n` : `  ${ph.padEnd(9)}${String(p.n).padStart(6)}${cell(p.p50)}${cell(p.p90)}${cell(p.p99)}${cell(p.max)}\n`;
  }
  s += `  (dns, connect, tls over new connections; server = request written -> first response byte)\n`;
  if (r.flags.length) {
    s += `\n`;
    for (const f of r.flags) s += `flag: ${f}\n`;
  }
  return s;
}

export function renderHttpJson(r: HttpProbeReport & { host?: unknown }): string {
  return JSON.stringify(r, null, 2) + "\n";
}
