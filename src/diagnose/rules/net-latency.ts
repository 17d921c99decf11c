// Which layer holds the P99, from the bundle's packet capture (godiag capture --pcap):
// network (handshake, RTT, retransmissions), the accept queue (SYN retries while the
// kernel counted ListenOverflows: netaudit.json), the TLS handshake, or the handler (the
// server's time between the last request byte and the first response byte).

import type { DiagnoseContext } from "../context.js";
import type { Evidence, Finding, Severity } from "../finding.js";
import type { Rule } from "../rule.js";
import { analyzePcapFile, attributeLatency, fmtNs, latencyItems, type Layer, type PcapReport } from "../../net/index.js";
import { goLayersOf, type GoLayer, type GoLayers } from "./net-go-layers.js";
import { requestPathBlocking } from "./net-block.js";
import { joinRequests, REQUEST_LAYERS, type RequestJoin, type RequestSplit } from "./net-requests.js";

/** The capture's layers, with the handler's split by an execution trace when there is one ("handler" is then its own CPU). */
type Named = Layer | Exclude<GoLayer, "handler-cpu">;

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

const GO_LAYER_NAMES: Record<Exclude<GoLayer, "handler-cpu">, string> = {
  scheduler: "the Go scheduler (handler goroutines runnable, waiting for a P)",
  gc: "the GC (mark assists on the handler goroutines)",
  blocking: "blocking in the handler (locks, channels, syscalls, sleeps)",
};

const GO_ADVICE: Record<Exclude<GoLayer, "handler-cpu">, string> = {
  scheduler:
    "The handlers are ready but get no P: CPU-bound goroutines, GC workers or stop-the-world pauses hold them. See the trace-scheduler and trace-stw findings; raise GOMAXPROCS (or the CPU quota) if every P is busy.",
  gc: "The handlers pay for the GC in mark assists: allocate less per request (see the allocs profile and godiag gc), reuse buffers, or raise GOGC / set GOMEMLIMIT so the GC runs less often.",
  blocking: "The handlers wait on locks, channels or syscalls: read the block and mutex profiles and the trace's blocking reasons for where.",
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
      const host = { ignoreRequest: /^GET \/debug\/pprof\//, ...(overflows === undefined ? {} : { listenOverflows: overflows }) };
      const layers = attributeLatency(rep, host);
      if (!layers) continue;
      // each request joined to its handler goroutine in the trace, when the trace can place it
      const perRequest = joinPerRequest(ctx, rep, latencyItems(rep, host));
      const severity: Severity = layers.p99Ns >= CRITICAL_NS ? "critical" : layers.p99Ns >= WARNING_NS ? "warning" : "info";
      const traced = ctx
        .traces()
        .map((t) => ({ t, go: goLayersOf(t) }))
        .find((x): x is { t: (typeof x)["t"]; go: GoLayers } => x.go !== undefined);
      const shares: Partial<Record<Named, number>> = { ...layers.shares };
      if (traced) {
        // the capture's server time, split in the trace's proportions (net-go-layers.ts)
        const h = layers.shares.handler;
        const g = traced.go;
        shares.handler = (h * g.ns["handler-cpu"]) / g.total;
        shares.scheduler = (h * g.ns.scheduler) / g.total;
        shares.gc = (h * g.ns.gc) / g.total;
        shares.blocking = (h * g.ns.blocking) / g.total;
      }
      if (perRequest) {
        // measured per request: replaces the share over the trace's window
        for (const k of Object.keys(shares) as Named[]) delete shares[k];
        for (const k of REQUEST_LAYERS) shares[k] = perRequest.j.sums[k];
      }
      const named = (Object.entries(shares) as Array<[Named, number]>).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
      const total = Object.values(shares).reduce((a, b) => a + b, 0);
      const split = (Object.entries(shares) as Array<[Named, number]>)
        .filter(([, v]) => v > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${Math.round((100 * v) / total)}%`)
        .join(", ");
      const cpu = ctx.files("cpu")[0];
      const alignment =
        `time alignment: ${f.path} timestamps are the capturing host's wall clock (first packet ${rep.startTime || "none"})` +
        (cpu?.profile ? `; ${cpu.path} starts at TimeNanos ${new Date(Number(cpu.profile.timeNanos / 1_000_000n)).toISOString()} (same host clock when captured here)` : "");
      const goEvidence: Evidence[] = [];
      let goNote = "";
      if (perRequest) goEvidence.push(perRequestEvidence(perRequest.t.file.path, perRequest.j));
      if (traced) {
        const g = traced.go;
        const msOf = (ns: number) => Math.round(ns / 1e4) / 100;
        goEvidence.push({
          source: traced.t.file.path,
          kind: "execution trace (handler goroutines' request time by layer)",
          numbers: {
            handler_goroutines: g.handlerGoroutines,
            handler_cpu_ms: msOf(g.ns["handler-cpu"]),
            gc_ms: msOf(g.ns.gc),
            gc_assist_ms: msOf(g.assistNs),
            gc_wait_for_p_ms: msOf(g.gcWaitNs),
            scheduler_wait_ms: msOf(g.ns.scheduler),
            blocking_ms: msOf(g.ns.blocking),
            stw_pauses: g.stw.count,
            stw_total_ms: msOf(g.stw.totalNs),
            stw_max_ms: msOf(g.stw.maxNs),
            gc_share_of_ps_pct: Math.round(g.gcShareOfPs * 1000) / 10,
          },
          excerpt: traceAlignment(traced.t.file.path, g, rep),
        });
        if (!perRequest)
          goNote =
          ` The server time is split by ${traced.t.file.path}: of the handler goroutines' request time (network waits between keep-alive requests left out), ` +
          `${pct(g.ns["handler-cpu"], g.total)}% ran the handler, ${pct(g.ns.gc, g.total)}% was the GC (mark assists ${pct(g.assistNs, g.total)}%, and waits for a P in proportion to the ${Math.round(g.gcShareOfPs * 100)}% of the Ps' time the GC took: ` +
          `${g.stw.count} stop-the-world pauses, ${fmtNs(g.stw.totalNs)} in all, and its mark workers), ${pct(g.ns.scheduler, g.total)}% waited for a P otherwise, ${pct(g.ns.blocking, g.total)}% blocked; ` +
          "a share over the trace, not per request.";
      }
      if (perRequest) goNote = " " + perRequestNote(perRequest.t.file.path, perRequest.j);
      // the block profile: the blocking layer's evidence of what the handlers waited on
      const blk = requestPathBlocking(ctx);
      if (blk) {
        goEvidence.push(blk.evidence);
        goNote +=
          ` ${blk.evidence.source}: the handlers' own waits add up to ${fmtNs(blk.handlerNs)}` +
          (blk.seconds !== undefined ? ` over its ${blk.seconds.toFixed(1)} s window` : "") +
          (blk.top ? `, most in ${blk.top}${blk.topKind ? ` (${blk.topKind})` : ""}` : "") +
          " (the blocking layer's evidence; not per request).";
      }
      const title = named === "scheduler" || named === "gc" || named === "blocking" ? GO_LAYER_NAMES[named] : (traced || perRequest) && named === "handler" ? "the handler's own CPU (the trace's running time, GC assists aside)" : LAYER_NAMES[named];
      out.push({
        id: `network-latency:${named}`,
        category: "network-latency",
        severity,
        confidence: severity === "info" ? 0.4 : 0.7,
        title: perRequest
          ? `The P99 (${fmtNs(perRequest.j.p99Ns)}, of the ${perRequest.j.matched.length} requests the trace covers) is held by ${title}`
          : `The P99 (${fmtNs(layers.p99Ns)}) is held by ${title}`,
        summary:
          `In ${f.path}, ${layers.requests} requests (or connections) were timed from the packets; the ${layers.slow} slowest (P99 and above, ${fmtNs(layers.p99Ns)}) split as ${split}. ` +
          layers.evidence.join("; ") +
          "." +
          goNote,
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
              // TLS: ClientHello -> the server's last handshake flight, from the record layer (docs/NET.md)
              ...(rep.summary.tlsHandshake.n > 0 ? { tls_handshakes: rep.summary.tlsHandshake.n, tls_handshake_p99_ms: Math.round(rep.summary.tlsHandshake.p99 / 1e4) / 100 } : {}),
            },
            excerpt: alignment,
          },
          ...(auditFile && overflows !== undefined
            ? [{ source: auditFile.path, kind: "host network counters (/proc/net/netstat)", numbers: { listen_overflows_in_window: overflows } }]
            : []),
          ...goEvidence,
        ],
        functions: [],
        recommendation:
          (named === "scheduler" || named === "gc" || named === "blocking" ? GO_ADVICE[named] : ADVICE[named]) +
          (named === "blocking" && blk?.top ? ` The block profile names ${blk.top}${blk.topKind ? ` (waiting on a ${blk.topKind})` : ""}.` : ""),
        docs: ["https://man7.org/linux/man-pages/man2/listen.2.html", "https://www.wireshark.org/docs/wsug_html_chunked/ChAdvTCPAnalysis.html"],
      });
    }
    return out;
  },
};

/** The first trace that places the capture's requests one by one. */
function joinPerRequest(ctx: DiagnoseContext, rep: PcapReport, items: ReturnType<typeof latencyItems>): { t: ReturnType<DiagnoseContext["traces"]>[number]; j: RequestJoin } | undefined {
  for (const t of ctx.traces()) {
    const j = joinRequests(rep, items, t);
    if (j) return { t, j };
  }
  return undefined;
}

const MAX_LISTED = 8;

function describeRequest(m: RequestSplit): string {
  const x = m.item.exchange!;
  const parts = REQUEST_LAYERS.filter((k) => m.layers[k] > 0)
    .sort((a, b) => m.layers[b] - m.layers[a])
    .map((k) => `${k} ${fmtNs(m.layers[k])}`)
    .join(", ");
  const why = m.trace.topBlock.ns > 0 && m.layers.blocking > 0 ? ` (longest wait: ${m.trace.topBlock.reason}${m.trace.topBlock.func ? ` in ${m.trace.topBlock.func}` : ""})` : "";
  return `${x.request || "request"} at +${fmtNs(x.tStart)} on flow ${m.item.flow.index} (goroutine ${m.trace.goroutine}): ${fmtNs(m.item.total)} = ${parts}${why}`;
}

function perRequestNote(path: string, j: RequestJoin): string {
  const listed = j.slow.slice(0, MAX_LISTED).map(describeRequest).join("; ");
  return (
    `Per request, from ${path}: ${j.matched.length} of the ${j.covered} exchanges inside the trace's window were joined to their handler goroutine ` +
    `(net/http's read of the request -> its first response write); the ${j.slow.length} at or above their P99 (${fmtNs(j.p99Ns)}), each with its own split: ${listed}` +
    (j.slow.length > MAX_LISTED ? `; and ${j.slow.length - MAX_LISTED} more` : "") +
    ". Per request, a wait for a P (and for the netpoller to wake the goroutine) is charged to whoever held the Ps meanwhile: " +
    "gc is its mark assists, its waits for a P in the share of the Ps the GC held (stop-the-world, mark workers, other goroutines' assists) " +
    "and its waits inside the GC (starting a cycle, ending the mark, stack scans); handler is its own running time and syscalls, and its waits for a P " +
    "in the share other requests' handlers held (queueing behind the service's own request work); scheduler is the rest of its waits for a P, " +
    "while other goroutines held the Ps; blocking its other waits."
  );
}

function perRequestEvidence(path: string, j: RequestJoin): Evidence {
  const msOf = (ns: number) => Math.round(ns / 1e4) / 100;
  const numbers: Record<string, number> = { requests_joined: j.matched.length, requests_in_trace_window: j.covered, slow_requests: j.slow.length, p99_ms: msOf(j.p99Ns) };
  for (const k of REQUEST_LAYERS) numbers[`${k.replace("-", "_")}_ms`] = msOf(j.sums[k]);
  numbers["slow_named_" + j.named.replace("-", "_")] = j.slow.filter((m) => m.named === j.named).length;
  numbers["clock_residual_us"] = Math.round(j.residualNs / 1e3);
  return {
    source: path,
    kind: "capture joined to the execution trace, per request (the slow requests' layers)",
    numbers,
    excerpt:
      `time alignment: the trace's clock snapshot puts its events on the wall clock; each response's first packet lies ${fmtNs(Math.abs(j.residualNs))} ` +
      `${j.residualNs >= 0 ? "after" : "before"} its write syscall's start (the median, applied to every pair)\n` +
      j.slow.slice(0, 20).map(describeRequest).join("\n"),
  };
}

const pct = (a: number, b: number) => (b > 0 ? Math.round((100 * a) / b) : 0);

/** Where the trace sits on the capture's wall-clock timeline (both from this host's clock when captured here). */
function traceAlignment(path: string, g: GoLayers, rep: PcapReport): string {
  const traceSpan = `${path} covers ${fmtNs(g.durationNs)}`;
  if (g.wallStartMs === undefined || rep.startTime === "") return `time alignment: ${traceSpan} on the trace clock (no wall-clock snapshot: a trace before Go 1.25); the shares are over the whole trace`;
  const cap0 = Date.parse(rep.startTime);
  const cap1 = cap0 + rep.durationNs / 1e6;
  const t0 = g.wallStartMs;
  const t1 = t0 + g.durationNs / 1e6;
  const overlapMs = Math.max(0, Math.min(cap1, t1) - Math.max(cap0, t0));
  return (
    `time alignment: ${traceSpan} from ${new Date(t0).toISOString()} (its clock snapshot: wall clock = trace clock + offset), ` +
    `the capture ${fmtNs(rep.durationNs)} from ${rep.startTime} (pcap timestamps, the capturing host's wall clock); they overlap ${fmtNs(overlapMs * 1e6)}`
  );
}
