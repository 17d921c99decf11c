// `godiag http URL`: timed requests, phase by phase, as httpstat / Go's httptrace show
// them: DNS, TCP connect, TLS, request written, time to first byte, transfer. HTTP/1.1
// through Node's http/https agents (keep-alive: connection reuse is measured), HTTP/2
// through node:http2 (TLS with ALPN, or h2c with prior knowledge). Timings come from the
// socket's own events (lookup, connect, secureConnect) and the request's (socket, response,
// end), on the monotonic clock. Consecutive stamps are differences of one clock, so the
// phases add up to the total exactly.

import http from "node:http";
import https from "node:https";
import http2 from "node:http2";
import net from "node:net";
import tls from "node:tls";
import { percentiles } from "../analyze.js";
import type { Percentiles } from "../model.js";

export interface HttpProbeOptions {
  requests: number;
  concurrency: number;
  /** skip certificate verification (self-signed test servers) */
  insecure: boolean;
  /** "1.1", "2" (ALPN h2 on https, prior-knowledge h2c on http) */
  protocol: "1.1" | "2";
  /** per request, ms */
  timeoutMs: number;
}

export interface RequestTiming {
  index: number;
  /** the connection it used (1-based, in order of opening) */
  connection: number;
  reused: boolean;
  status: number;
  error: string;
  /** phases in ns; 0 for a reused connection's dns/connect/tls */
  dnsNs: number;
  connectNs: number;
  tlsNs: number;
  /** start (or connection ready) -> request handed to the socket */
  writeNs: number;
  /** request handed to the socket -> first response byte: the server's time plus one RTT
   * (never less than the server's time: both stamps bracket it) */
  serverNs: number;
  /** first -> last response byte */
  transferNs: number;
  totalNs: number;
  bytes: number;
  protocol: string;
}

export interface HttpProbeReport {
  url: string;
  protocol: string;
  requests: RequestTiming[];
  connections: number;
  errors: number;
  summary: Record<"dns" | "connect" | "tls" | "write" | "server" | "transfer" | "total", Percentiles>;
  flags: string[];
}

const now = (): number => Number(process.hrtime.bigint());

interface ConnTimes {
  id: number;
  start: number;
  dns: number;
  connect: number;
  tls: number;
  /** times already counted by a request (a reused connection's phases are 0) */
  used: boolean;
  /** connected (and TLS done): requests can be written */
  ready: boolean;
  /** when it became ready (monotonic ns; 0 before) */
  readyAt: number;
}

/** Wires a socket's events to the connection's phase times. */
function watchSocket(sock: net.Socket, c: ConnTimes, secure: boolean): void {
  sock.once("lookup", () => (c.dns = now() - c.start));
  // registered before the request's first write: these listeners run before Node flushes
  // the request queued while connecting, so readyAt precedes that hand-off
  sock.once("connect", () => {
    const t = now();
    c.connect = t - c.start - c.dns;
    if (!secure) {
      c.ready = true;
      c.readyAt = t;
    }
  });
  if (secure) {
    sock.once("secureConnect", () => {
      const t = now();
      c.tls = t - c.start - c.dns - c.connect;
      c.ready = true;
      c.readyAt = t;
    });
  }
}

export async function probeHttp(url: string, opts: HttpProbeOptions): Promise<HttpProbeReport> {
  const u = new URL(url);
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`${url}: want an http:// or https:// URL`);
  const secure = u.protocol === "https:";
  const results: RequestTiming[] = [];
  let next = 0;
  let connections = 0;
  const worker = opts.protocol === "2" ? h2Worker(u, secure, opts, () => ++connections) : h1Worker(u, secure, opts, () => ++connections);
  const runners: Array<Promise<void>> = [];
  for (let w = 0; w < Math.min(opts.concurrency, opts.requests); w++) {
    runners.push(
      (async () => {
        const conn = await worker.open();
        try {
          while (next < opts.requests) {
            const i = next++;
            results.push(await conn.request(i));
          }
        } finally {
          conn.close();
        }
      })(),
    );
  }
  await Promise.all(runners);
  results.sort((a, b) => a.index - b.index);
  return summarise(url, results, connections);
}

/** One worker's connection: its requests run one after another on it. */
interface WorkerConn {
  request(i: number): Promise<RequestTiming>;
  close(): void;
}

interface Worker {
  open(): Promise<WorkerConn>;
}

function blank(i: number, conn: ConnTimes, protocol: string): RequestTiming {
  const fresh = !conn.used;
  conn.used = true;
  return {
    index: i,
    connection: conn.id,
    reused: !fresh,
    status: 0,
    error: "",
    dnsNs: fresh ? conn.dns : 0,
    connectNs: fresh ? conn.connect : 0,
    tlsNs: fresh ? conn.tls : 0,
    writeNs: 0,
    serverNs: 0,
    transferNs: 0,
    totalNs: 0,
    bytes: 0,
    protocol,
  };
}

function h1Worker(u: URL, secure: boolean, opts: HttpProbeOptions, newConn: () => number): Worker {
  // one agent per worker, one socket each: worker w's requests reuse its connection
  return {
    open: async () => {
      const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: !opts.insecure }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
      const conns = new WeakMap<net.Socket, ConnTimes>();
      const request = (i: number) =>
        new Promise<RequestTiming>((resolve) => {
          const start = now();
          let t: RequestTiming | undefined;
          // "Written" is when the request is handed to the socket. Node emits "socket" and then,
          // in the same tick, writes the queued request to it (onSocketNT: tickOnSocket, then
          // _flush); on a connection still connecting the write waits for "connect" /
          // "secureConnect". So the stamp is max(socket event, connection ready): it precedes
          // the write syscall by microseconds and never follows it. "finish" (used before) is
          // emitted after the write callback, which a loaded event loop or a preempted process
          // runs late: that lag was charged to the write phase and taken off the server's time,
          // which then came out shorter than the handler's sleep. Go's httptrace has GotConn
          // (before the write) and WroteRequest (after); httpstat's "server processing" starts
          // at GotConn: the same lower bound.
          let socketAt = 0;
          let first = 0;
          const req = (secure ? https : http).request(u, { agent, method: "GET", timeout: opts.timeoutMs });
          let readyAt = 0;
          const finish = (status: number, error: string, end = now()) => {
            if (!t) t = blank(i, { id: 0, start, dns: 0, connect: 0, tls: 0, used: false, ready: false, readyAt: 0 }, "http/1.1");
            t.status = status;
            t.error = error;
            t.totalNs = end - start;
            resolve(t);
          };
          req.on("socket", (sock: net.Socket) => {
            socketAt = now();
            let c = conns.get(sock);
            if (!c) {
              c = { id: newConn(), start, dns: 0, connect: 0, tls: 0, used: false, ready: false, readyAt: 0 };
              conns.set(sock, c);
              watchSocket(sock, c, secure);
            }
            const conn = c;
            const ready = () => {
              readyAt = conn.readyAt;
              t = blank(i, conn, "http/1.1");
            };
            if (conn.ready) ready();
            else sock.once(secure ? "secureConnect" : "connect", ready);
          });
          req.on("timeout", () => req.destroy(new Error(`no answer in ${opts.timeoutMs} ms`)));
          req.on("error", (e) => finish(0, e.message));
          req.on("response", (res) => {
            first = now();
            let bytes = 0;
            res.on("data", (b: Buffer) => (bytes += b.length));
            res.on("end", () => {
              const end = now();
              if (!t) t = blank(i, { id: 0, start, dns: 0, connect: 0, tls: 0, used: true, ready: true, readyAt: 0 }, "http/1.1");
              // a fresh connection's setup ends at readyAt (dns + connect + tls telescope to it)
              const written = Math.max(socketAt, readyAt, start);
              t.writeNs = t.reused ? written - start : written - start - (t.dnsNs + t.connectNs + t.tlsNs);
              t.serverNs = first - written;
              t.transferNs = end - first;
              t.bytes = bytes;
              finish(res.statusCode ?? 0, "", end);
            });
            res.on("error", (e) => finish(res.statusCode ?? 0, e.message));
          });
          req.end();
        });
      return { request, close: () => agent.destroy() };
    },
  };
}

function h2Worker(u: URL, secure: boolean, opts: HttpProbeOptions, newConn: () => number): Worker {
  return {
    open: () =>
      new Promise((resolve) => {
        const start = now();
        const conn: ConnTimes = { id: newConn(), start, dns: 0, connect: 0, tls: 0, used: false, ready: false, readyAt: 0 };
        const port = Number(u.port) || (secure ? 443 : 80);
        const host = u.hostname.replace(/^\[|\]$/g, "");
        let failed = "";
        const session = http2.connect(u.origin, {
          createConnection: () => {
            const sock = secure
              ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ["h2"], rejectUnauthorized: !opts.insecure })
              : net.connect({ host, port });
            watchSocket(sock, conn, secure);
            return sock;
          },
        });
        session.on("error", (e) => (failed = e.message));
        const request = (i: number) =>
          new Promise<RequestTiming>((done) => {
            const t = blank(i, conn, "h2");
            const rstart = now();
            // the HEADERS frame (END_STREAM: a GET) is queued by request() on a connected session
            // and reaches the socket after it; the stream's "ready" comes later. So "written" is
            // stamped just before request(): a reused session's write phase is 0, and the server
            // phase, like h1's, brackets the server's time
            const written = rstart;
            let first = 0;
            let bytes = 0;
            let status = 0;
            if (failed || session.destroyed) {
              t.error = failed || "session closed";
              done(t);
              return;
            }
            const s = session.request({ ":path": u.pathname + u.search, ":method": "GET" });
            s.setTimeout(opts.timeoutMs, () => s.close(http2.constants.NGHTTP2_CANCEL));
            s.on("response", (h) => {
              first = now();
              status = Number(h[":status"] ?? 0);
            });
            s.on("data", (b: Buffer) => (bytes += b.length));
            const end = (error: string) => {
              const e = now();
              // a fresh session's first request waited for it after the socket was ready (the
              // SETTINGS exchange): that wait is its write phase, so the phases add up to the total
              t.writeNs = t.reused ? written - rstart : written - start - (t.dnsNs + t.connectNs + t.tlsNs);
              t.serverNs = first > 0 ? first - written : 0;
              t.transferNs = first > 0 ? e - first : 0;
              // the session's first request waited for the connection: its total includes the setup
              t.totalNs = e - (t.reused ? rstart : start);
              t.bytes = bytes;
              t.status = status;
              t.error = error;
              done(t);
            };
            s.on("end", () => end(""));
            s.on("error", (e) => end(e.message));
            s.end();
          });
        const ready = () => resolve({ request, close: () => session.close() });
        session.once("connect", ready);
        session.once("error", ready);
      }),
  };
}

/** Linux's SYN retransmission times: 1 s, then 3 s, 7 s, 15 s after the first SYN. */
const SYN_STEPS = [1, 3, 7, 15];

function summarise(url: string, rs: RequestTiming[], connections: number): HttpProbeReport {
  const ok = rs.filter((r) => r.error === "");
  const fresh = ok.filter((r) => !r.reused);
  const summary = {
    dns: percentiles(fresh.map((r) => r.dnsNs)),
    connect: percentiles(fresh.map((r) => r.connectNs)),
    tls: percentiles(fresh.filter((r) => r.tlsNs > 0).map((r) => r.tlsNs)),
    write: percentiles(ok.map((r) => r.writeNs)),
    server: percentiles(ok.map((r) => r.serverNs)),
    transfer: percentiles(ok.map((r) => r.transferNs)),
    total: percentiles(ok.map((r) => r.totalNs)),
  };
  const flags: string[] = [];
  // A connect of ~1 s or more on a path whose RTT is milliseconds is the kernel's SYN
  // timer: each connect goes to the last step it reached (1 s up to 3 s, 3 s up to 7 s...),
  // with 0.1 s of slack below; scheduling delays only ever add time.
  SYN_STEPS.forEach((step, k) => {
    const upper = k + 1 < SYN_STEPS.length ? SYN_STEPS[k + 1]! - 0.1 : Infinity;
    const hit = fresh.filter((r) => r.connectNs >= (step - 0.1) * 1e9 && r.connectNs < upper * 1e9);
    if (hit.length > 0) {
      flags.push(
        `syn-retransmit: ${hit.length} connection(s) took ${step} s or more to connect (requests ${hit.map((r) => r.index + 1).join(", ")}): ` +
          `Linux resends an unanswered SYN after 1 s, 3 s, 7 s; a SYN was dropped (a full accept queue: check ListenOverflows; or packet loss)`,
      );
    }
  });
  if (summary.total.n > 0 && summary.server.p99 > 0.5 * summary.total.p99) {
    const share = Math.round((100 * summary.server.p99) / summary.total.p99);
    flags.push(`server-time: the server's time (request written -> first byte) is ${share}% of the P99: the latency is in the handler, not the network`);
  }
  const tlsShare = summary.tls.n > 0 && summary.total.n > 0 ? summary.tls.p99 / summary.total.p99 : 0;
  if (tlsShare > 0.5) flags.push(`tls-handshake: the TLS handshake is ${Math.round(tlsShare * 100)}% of the P99`);
  const errors = rs.length - ok.length;
  if (errors > 0) flags.push(`errors: ${errors} of ${rs.length} requests failed (${[...new Set(rs.filter((r) => r.error).map((r) => r.error))].slice(0, 3).join("; ")})`);
  return { url, protocol: ok[0]?.protocol ?? "", requests: rs, connections, errors, summary, flags };
}
