// Network attribution: capture files (pcap, pcapng) -> TCP flows analysed as tshark does
// -> HTTP/1.x exchanges; HTTP timing probes; the host's network limits.

export { analyzePcapFile, percentiles, type PcapOptions } from "./analyze.js";
export type { Flow, FlowCounts, FlowTls, HttpExchange, PcapReport, Percentiles } from "./model.js";
export { A as TCP_ANALYSIS, ANY_RETRANSMISSION } from "./tcp/analysis.js";
export type { FrameHook } from "./tcp/flows.js";
export { readCaptureFile, type RawPacket, type PcapFileInfo, type PcapLimits } from "./pcap/read.js";
export { renderPcapJson, renderPcapText, writePcapJson } from "./render/text.js";
export { fmtNs } from "./render/format.js";
export { probeHttp, type HttpProbeOptions, type HttpProbeReport, type RequestTiming } from "./probe/http.js";
export { renderHttpJson, renderHttpText } from "./render/http.js";
export { attributeLatency, latencyItems, p99Of, type HostEvidence, type LatencyItem, type Layer, type LayerReport } from "./layers.js";
export { auditHost, type HostFinding, type HostInput } from "./host/audit.js";
export { readHostInput, readTcpExt } from "./host/read.js";
export { parseNetstat, parseProcNetTcp, parseSsListeners } from "./host/parse.js";
export { startTcpdump, DEFAULT_TCPDUMP, type RunningTcpdump, type TcpdumpOptions, type TcpdumpResult } from "./live/tcpdump.js";
