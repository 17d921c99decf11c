// `godiag pcap FILE [--port P] [--json]`: TCP flows and HTTP/1.x exchanges of a capture,
// with tshark's retransmission / duplicate-ACK / zero-window definitions.

import type { Command } from "commander";
import { numberFlag, type IO } from "../flags.js";
import { UsageError } from "../../../api/errors.js";
import { analyzePcapFile, attributeLatency, renderPcapText, writePcapJson } from "../../../api/net.js";

interface PcapFlags {
  port?: string;
  json?: boolean;
}

export function registerPcapCommand(program: Command, io: IO): void {
  program
    .command("pcap")
    .description("TCP flows and HTTP/1.x exchanges of a pcap/pcapng capture: handshake RTT, TLS, server time, transfer, retransmissions (tshark's definitions)")
    .argument("<file>", "capture file written by tcpdump, dumpcap, tshark or godiag capture --pcap")
    .option("--port <port>", "only TCP segments to or from this port")
    .option("--json", "JSON output (docs/NET.md)")
    .action((file: string, f: PcapFlags) => {
      const port = f.port === undefined ? 0 : numberFlag("--port", f.port, { min: 1, integer: true });
      if (port > 65535) throw new UsageError(`invalid value "${f.port}" for --port (want a TCP port, 1-65535)`);
      const r = analyzePcapFile(file, { port });
      // which layer holds the P99, from the packets alone (no ListenOverflows: SYN retries count as network)
      const layers = attributeLatency(r);
      // JSON in pieces: the exchanges' text is tens of MB, not built as one string
      if (f.json) writePcapJson(r, layers, io.out);
      else io.out(renderPcapText(r, layers));
    });
}
