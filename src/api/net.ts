// Network attribution: `godiag pcap` (capture files), `godiag http` (timed requests) and
// the host's network limits.

export {
  analyzePcapFile,
  ANY_RETRANSMISSION,
  fmtNs,
  renderPcapJson,
  renderPcapText,
  probeHttp,
  renderHttpJson,
  renderHttpText,
  type HttpProbeOptions,
  type HttpProbeReport,
  type RequestTiming,
  TCP_ANALYSIS,
  type Flow,
  type FrameHook,
  type HttpExchange,
  type PcapOptions,
  type PcapReport,
} from "../net/index.js";
