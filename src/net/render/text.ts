// Text and JSON renderings of `godiag pcap`.

import type { LayerReport } from "../layers.js";
import type { Flow, PcapReport, Percentiles } from "../model.js";
import { fmtNs } from "./format.js";

function row(name: string, p: Percentiles): string {
  if (p.n === 0) return `  ${name.padEnd(16)} -\n`;
  return `  ${name.padEnd(16)} n=${String(p.n).padEnd(6)} p50 ${fmtNs(p.p50).padEnd(9)} p90 ${fmtNs(p.p90).padEnd(9)} p99 ${fmtNs(p.p99).padEnd(9)} max ${fmtNs(p.max)}\n`;
}

function trouble(f: Flow): string {
  const c = f.counts;
  const parts: string[] = [];
  if (c.synRetries) parts.push(`${c.synRetries} SYN retries`);
  if (c.retransmissions) parts.push(`${c.retransmissions} retransmissions`);
  if (c.duplicateAcks) parts.push(`${c.duplicateAcks} dup ACKs`);
  if (c.zeroWindows) parts.push(`${c.zeroWindows} zero windows`);
  if (c.resets) parts.push(`${c.resets} resets`);
  return parts.join(", ") || "clean";
}

function tlsText(f: Flow): string {
  const t = f.tls;
  if (!t) return "";
  const what = [t.version ? `TLS ${t.version}` : "TLS", t.alpn].filter((x) => x !== "").join(" ");
  return `, ${what} ${f.tlsHandshakeNs >= 0 ? fmtNs(f.tlsHandshakeNs) : "(handshake not completed)"}${t.exchangesTimed ? "" : " (h2 offered: exchanges not split)"}`;
}

export function renderPcapText(r: PcapReport, layers?: LayerReport | null): string {
  const t = r.totals;
  let s = `${r.file}: ${r.format}, ${r.packets} packets (${r.tcpPackets} TCP${r.port ? ` on port ${r.port}` : ""}), ${fmtNs(r.durationNs)}\n`;
  const skipped = Object.entries(r.skipped).filter(([, n]) => n > 0);
  if (skipped.length) s += `  not read as TCP: ${skipped.map(([k, n]) => `${n} ${k}`).join(", ")}\n`;
  const tls = r.flows.filter((f) => f.tls !== null);
  const tlsNote = tls.length ? ` (${r.exchanges.filter((x) => x.tls).length} over TLS, from its records; ${tls.length} TLS flows${tls.some((f) => !f.tls!.exchangesTimed) ? `, ${tls.filter((f) => !f.tls!.exchangesTimed).length} with h2 offered, not split` : ""})` : "";
  s += `\n${t.flows} TCP flows, ${t.exchanges} HTTP exchanges${tlsNote}, ${t.bytes} payload bytes\n`;
  s += `  retransmissions ${t.retransmissions} (fast ${t.fastRetransmissions}, spurious ${t.spuriousRetransmissions}), out-of-order ${t.outOfOrder}, duplicate ACKs ${t.duplicateAcks}, zero windows ${t.zeroWindows}, resets ${t.resets}, SYN retries ${t.synRetries}\n`;
  s += `\nLatency (percentiles over flows / exchanges)\n`;
  s += row("handshake RTT", r.summary.handshakeRtt);
  s += row("connect", r.summary.connect);
  s += row("TLS handshake", r.summary.tlsHandshake);
  s += row("server time", r.summary.server);
  s += row("transfer", r.summary.transfer);
  s += row("request total", r.summary.total);
  if (layers) {
    const total = Object.values(layers.shares).reduce((a, b) => a + b, 0);
    const split = Object.entries(layers.shares)
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${Math.round((100 * v) / total)}%`)
      .join(", ");
    s += `\nThe P99 (${fmtNs(layers.p99Ns)}, ${layers.slow} of ${layers.requests} requests) is held by: ${layers.layer} (${split})\n`;
    for (const e of layers.evidence) s += `  ${e}\n`;
    if (r.totals.synRetries > 0 && layers.evidence.every((e) => !e.includes("ListenOverflows"))) {
      s += `  (dropped SYNs are the accept queue when the kernel counted ListenOverflows meanwhile: godiag capture --pcap records them in netaudit.json)\n`;
    }
  }
  if (r.worstFlows.length) {
    s += `\nWorst flows\n`;
    const byIndex = new Map(r.flows.map((f) => [f.index, f]));
    for (const i of r.worstFlows) {
      const f = byIndex.get(i)!;
      s += `  #${f.index} ${f.client} -> ${f.server}: connect ${fmtNs(f.connectNs)}, RTT ${fmtNs(f.handshakeRttNs)}${tlsText(f)}, ${f.exchanges} exchanges, ${trouble(f)}, ${f.end}\n`;
    }
  }
  const slow = [...r.exchanges].sort((a, b) => b.totalNs - a.totalNs).slice(0, 5);
  if (slow.length) {
    s += `\nSlowest HTTP exchanges\n`;
    for (const x of slow) {
      s += `  #${x.flow} ${x.request || (x.tls ? "(TLS)" : "(request not captured)")} -> ${x.status || "?"}: total ${fmtNs(x.totalNs)} = server ${fmtNs(x.serverNs)} + transfer ${fmtNs(x.transferNs)}${x.retransmissions ? `, ${x.retransmissions} retransmissions` : ""}\n`;
    }
  }
  for (const w of r.warnings) s += `warning: ${w}\n`;
  return s;
}

/**
 * Objects of a flat array, one per line, in batches: JSON.stringify of a batch at once, split
 * at `},{"k":` (150 ms + 30 ms for 150,000 exchanges, against 270 ms + 35 ms to stringify
 * each object and join them). The pattern cannot lie inside a string value: its quote
 * follows "{", not a backslash, so it delimits a string; a closing quote is followed by
 * , } ] or :, never by `k":`; so it opens the key k of an object that follows another in the
 * array (k is the objects' first key, and they nest no object with it). Batches keep the
 * text in memory small: a capture's exchanges make 30 MB of it, copied at each step.
 */
function writeObjectLines(xs: readonly unknown[], firstKey: string, write: (s: string) => void): void {
  const BATCH = 8192;
  for (let i = 0; i < xs.length; i += BATCH) {
    const json = JSON.stringify(i === 0 && xs.length <= BATCH ? xs : xs.slice(i, i + BATCH));
    const lines = json.slice(1, -1).replaceAll(`},{"${firstKey}":`, `},\n    {"${firstKey}":`);
    write(i + BATCH < xs.length ? `${lines},\n    ` : lines);
  }
}

/**
 * JSON: the report's fields one per line, and one flow / exchange per line (a capture has
 * hundreds of thousands: indenting each of their fields made the output 3x larger and
 * a quarter of the command's time). Written in pieces (see writeObjectLines).
 */
export function writePcapJson(r: PcapReport, layers: LayerReport | null | undefined, write: (s: string) => void): void {
  const whole: Record<string, unknown> = layers ? { ...r, layers } : { ...r };
  let sep = "{\n";
  for (const [k, v] of Object.entries(whole)) {
    if (Array.isArray(v) && (k === "flows" || k === "exchanges")) {
      if (v.length === 0) write(`${sep}  ${JSON.stringify(k)}: []`);
      else {
        write(`${sep}  ${JSON.stringify(k)}: [\n    `);
        writeObjectLines(v, k === "flows" ? "index" : "flow", write);
        write("\n  ]");
      }
    } else {
      write(`${sep}  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    }
    sep = ",\n";
  }
  write("\n}\n");
}

export function renderPcapJson(r: PcapReport, layers?: LayerReport | null): string {
  const parts: string[] = [];
  writePcapJson(r, layers, (s) => parts.push(s));
  return parts.join("");
}
