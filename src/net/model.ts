// What `godiag pcap` reports: per TCP flow, per HTTP/1.x exchange, and summarised.
// Times are nanoseconds: relative to the capture's first packet (t*), or durations.

export interface FlowCounts {
  /** tcp.analysis.retransmission (plain, fast and spurious together, as tshark sets it) */
  retransmissions: number;
  fastRetransmissions: number;
  spuriousRetransmissions: number;
  outOfOrder: number;
  duplicateAcks: number;
  zeroWindows: number;
  lostSegments: number;
  /** RST segments */
  resets: number;
  /** SYNs sent again (the client's; tshark marks them as retransmissions) */
  synRetries: number;
}

export interface HttpExchange {
  flow: number;
  /** "GET /x" for plaintext HTTP/1.x; "" when the request line was not captured */
  request: string;
  /** response status, 0 when not seen */
  status: number;
  /** first byte of the request (ns since the capture's start) */
  tStart: number;
  /** last request byte -> first response byte: the server's time */
  serverNs: number;
  /** first -> last response byte */
  transferNs: number;
  /** first request byte -> last response byte */
  totalNs: number;
  /** last request byte -> last response byte (tshark's http.time, with body reassembly) */
  httpTimeNs: number;
  requestBytes: number;
  responseBytes: number;
  /** retransmitted segments inside the exchange's span, both directions */
  retransmissions: number;
  /** over TLS: timed from application-data records (no request line or status; bytes include the records' overhead) */
  tls: boolean;
}

/** A TLS connection as its cleartext handshake and record layer show it (no keys). */
export interface FlowTls {
  /** "1.3", "1.2", "1.1", "1.0" from the ServerHello (TLS 1.3's supported_versions, or its encrypted flight); "" when not seen */
  version: string;
  /** the ALPN protocol the server chose when visible (TLS 1.2's ServerHello), else "" (TLS 1.3 encrypts it) */
  alpn: string;
  /** the ClientHello's ALPN offer; null when the capture cut the hello before it */
  alpnOffered: string[] | null;
  /** ClientHello and the end of the server's last handshake flight, ns since the capture's start; -1 when not seen */
  helloT: number;
  doneT: number;
  /** its exchanges were timed from application-data records (HTTP/1.x as far as ALPN tells; not h2) */
  exchangesTimed: boolean;
}

export interface Flow {
  /** tshark's tcp.stream: flows numbered in the order they appear */
  index: number;
  client: string;
  server: string;
  /** first packet, ns since the capture's start */
  tFirst: number;
  tLast: number;
  packets: number;
  /** TCP payload bytes client->server, server->client (seglen, as sent) */
  bytesUp: number;
  bytesDown: number;
  /** tcp.analysis.initial_rtt: the last SYN -> the ACK of the SYN-ACK, ns; -1 without a handshake */
  handshakeRttNs: number;
  /** the first SYN -> the handshake's ACK (SYN retries included): the client's connect time; -1 without */
  connectNs: number;
  /** TLS: ClientHello -> the server's last handshake flight (TLS 1.2: its Finished; 1.3: its flight before the client's Finished), ns; -1 when not TLS */
  tlsHandshakeNs: number;
  /** TLS facts; null when the flow is not TLS */
  tls: FlowTls | null;
  counts: FlowCounts;
  /** HTTP/1.x exchanges on this flow */
  exchanges: number;
  /** how the flow ended: fin, rst, or open at the end of the capture */
  end: "fin" | "rst" | "open";
}

export interface Percentiles {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface PcapReport {
  file: string;
  format: "pcap" | "pcapng";
  packets: number;
  tcpPackets: number;
  /** frames not read as TCP: not IP, not TCP, IP fragments, cut before the TCP header */
  skipped: Record<string, number>;
  /** capture span, ns */
  durationNs: number;
  /** the first packet's wall-clock time (the capturing host's clock), RFC 3339 with microseconds; "" when empty */
  startTime: string;
  /** the port filter (--port), or 0 */
  port: number;
  flows: Flow[];
  exchanges: HttpExchange[];
  totals: FlowCounts & { flows: number; exchanges: number; bytes: number };
  summary: {
    handshakeRtt: Percentiles;
    connect: Percentiles;
    tlsHandshake: Percentiles;
    server: Percentiles;
    transfer: Percentiles;
    total: Percentiles;
  };
  /** flows ranked by their worst trouble (retransmissions, SYN retries, then slowest exchange) */
  worstFlows: number[];
  warnings: string[];
}
