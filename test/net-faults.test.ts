// Faults with real traffic in a network namespace the test creates: a slow handler, a
// server slow to complete TLS, an accept queue overflowing (listen backlog 1, Accept
// paused, a burst of connections). For each, godiag http (the CLI, run inside the
// namespace) and godiag pcap (on tcpdump's capture of the same traffic) name the layer,
// and the counts that name it are checked against tshark and the kernel's counters.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { analyzePcapFile, attributeLatency, parseNetstat, type HttpProbeReport } from "../src/api/net.js";
import { available } from "./helpers/available.js";
import { buildNetProgram, NetNs, netToolsPresent, tsharkFields } from "./helpers/netns.js";
import { CLI } from "./helpers/run.js";

const HAVE = available(netToolsPresent(), "root, ip, nft, tcpdump, tshark, editcap, go and openssl for the network tests");

describe.skipIf(!HAVE)("faults in a network namespace, named by layer", () => {
  let dir = "";
  let server = "";
  let ns: NetNs | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "godiag-netfault-"));
    server = buildNetProgram(dir, "netserver");
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=localhost"]);
    if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  }, 180_000);

  afterEach(() => {
    ns?.destroy();
    ns = undefined;
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs godiag http inside the namespace (the probe must reach the namespace's 127.0.0.1). */
  async function probe(url: string, args: string[]): Promise<HttpProbeReport> {
    const out = await ns!.exec(process.execPath, [CLI, "http", url, "--json", ...args], 90_000);
    return JSON.parse(out) as HttpProbeReport;
  }

  async function captured(name: string, port: number, traffic: () => Promise<HttpProbeReport>): Promise<{ file: string; probe: HttpProbeReport }> {
    const file = join(dir, `${name}.pcap`);
    const dump = await ns!.tcpdump(file, ["tcp", "port", String(port)]);
    const p = await traffic();
    await dump.stop();
    return { file, probe: p };
  }

  it("a slow handler: the server's time holds the P99, in the probe and in the capture", async () => {
    ns = NetNs.create();
    const url = await ns.serve(server, ["-delay", "150ms"]);
    const port = Number(new URL(url).port);
    const { file, probe: p } = await captured("slow-handler", port, () => probe(url + "/", ["-n", "6", "-c", "2"]));
    expect(p.errors).toBe(0);
    expect(p.connections).toBe(2);
    expect(p.requests.filter((r) => r.reused).length).toBe(4);
    // The handler's sleep lies between the request's hand-off to the socket and the first
    // response byte; the probe stamps the hand-off before the write syscall, so no lag can
    // take time off the server phase. The phases are consecutive stamps of one clock: they add
    // up to the total.
    for (const r of p.requests) {
      expect(r.serverNs).toBeGreaterThanOrEqual(150e6);
      expect(r.writeNs).toBeGreaterThanOrEqual(0);
      expect(r.dnsNs + r.connectNs + r.tlsNs + r.writeNs + r.serverNs + r.transferNs).toBe(r.totalNs);
    }
    expect(p.flags.some((f) => f.startsWith("server-time:"))).toBe(true);
    const rep = analyzePcapFile(file);
    expect(rep.exchanges.length).toBe(6);
    for (const x of rep.exchanges) expect(x.serverNs).toBeGreaterThanOrEqual(150e6);
    const layers = attributeLatency(rep);
    expect(layers?.layer).toBe("handler");
    // tshark sees the same two connections the probe opened
    expect(new Set(tsharkFields(file, ["tcp.stream"]).map((r) => r[0])).size).toBe(2);
    // HTTP/2 in clear text (prior knowledge, h2c): one connection per worker, the same server time
    const h2c = await probe(url + "/", ["-n", "4", "-c", "1", "--http2"]);
    expect(h2c.protocol).toBe("h2");
    expect(h2c.connections).toBe(1);
    for (const r of h2c.requests) {
      expect(r.serverNs).toBeGreaterThanOrEqual(150e6);
      expect(r.dnsNs + r.connectNs + r.tlsNs + r.writeNs + r.serverNs + r.transferNs).toBe(r.totalNs);
    }
  }, 60_000);

  it("a server slow to complete TLS: the TLS handshake holds it (HTTP/1.1 and HTTP/2 over TLS)", async () => {
    ns = NetNs.create();
    const url = await ns.serve(server, ["-cert", join(dir, "cert.pem"), "-key", join(dir, "key.pem"), "-tls-delay", "300ms"]);
    const port = Number(new URL(url).port);
    const { file, probe: p } = await captured("slow-tls", port, () => probe(url + "/", ["-n", "3", "-c", "1", "--insecure"]));
    expect(p.errors).toBe(0);
    expect(p.requests[0]!.tlsNs).toBeGreaterThanOrEqual(300e6);
    expect(p.requests[1]!.reused).toBe(true);
    // the request queued during the handshake is handed to the socket once it is done: the
    // write phase starts there, and the phases still add up to the total
    for (const r of p.requests) expect(r.dnsNs + r.connectNs + r.tlsNs + r.writeNs + r.serverNs + r.transferNs).toBe(r.totalNs);
    expect(p.flags.some((f) => f.startsWith("tls-handshake:"))).toBe(true);
    const rep = analyzePcapFile(file);
    expect(rep.flows.length).toBe(1);
    expect(rep.flows[0]!.tlsHandshakeNs).toBeGreaterThanOrEqual(300e6);
    // the ClientHello and the client's next flight, as tshark dissects them
    const hs = tsharkFields(file, ["frame.time_relative", "tls.handshake.type"], "tls.handshake.type == 1");
    expect(hs.length).toBe(1);
    expect(attributeLatency(rep)?.layer).toBe("tls");
    const h2 = await probe(url + "/", ["-n", "2", "-c", "1", "--insecure", "--http2"]);
    expect(h2.protocol).toBe("h2");
    expect(h2.requests[0]!.tlsNs).toBeGreaterThanOrEqual(300e6);
  }, 60_000);

  it("an accept queue overflowing: SYN retries (~1 s, 3 s), ListenOverflows, the accept-queue layer", async () => {
    ns = NetNs.create();
    const before = parseNetstat(ns.run("cat", ["/proc/net/netstat"])).get("TcpExt.ListenOverflows") ?? 0;
    // backlog 1 and no Accept for 2.5 s: the queue holds 2 connections, the rest of the burst's SYNs are dropped
    const url = await ns.serve(server, ["-backlog", "1", "-pause-accept", "2500ms"]);
    const port = Number(new URL(url).port);
    const { file, probe: p } = await captured("accept-queue", port, () => probe(url + "/", ["-n", "8", "-c", "8", "--timeout", "30s"]));
    const overflows = (parseNetstat(ns.run("cat", ["/proc/net/netstat"])).get("TcpExt.ListenOverflows") ?? 0) - before;
    expect(overflows).toBeGreaterThan(0);
    // godiag http read the same counter around its run (a local target), and the audit names it
    const host = (p as HttpProbeReport & { host?: { listenOverflowsDuringRun: number; findings: Array<{ id: string; message: string }> } }).host;
    expect(host?.listenOverflowsDuringRun).toBe(overflows);
    expect(host?.findings.map((f) => f.id)).toContain("listen-overflows");
    // the backlog in force, as ss reads it from the kernel: the server's listen(2) argument
    expect(host?.findings.find((f) => f.id === "listen-backlog")?.message).toContain(`port ${port} has a backlog of 1 `);
    expect(p.errors).toBe(0);
    expect(p.flags.some((f) => f.startsWith("syn-retransmit:"))).toBe(true);
    // SYN retries, counted as tshark counts retransmitted SYNs
    const rep = analyzePcapFile(file);
    const tsharkSynRetries = tsharkFields(file, ["frame.number"], "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.analysis.retransmission").length;
    expect(tsharkSynRetries).toBeGreaterThan(0);
    expect(rep.totals.synRetries).toBe(tsharkSynRetries);
    // a retried SYN waits for the kernel's SYN timer: at least its initial 1 s (RFC 6298),
    // where the handshake itself takes microseconds on this loopback
    const retried = rep.flows.filter((f) => f.counts.synRetries > 0);
    expect(retried.length).toBeGreaterThan(0);
    for (const f of retried) {
      expect(f.connectNs).toBeGreaterThanOrEqual(0.9e9);
      expect(f.handshakeRttNs).toBeLessThan(0.1e9);
    }
    const layers = attributeLatency(rep, { listenOverflows: overflows });
    expect(layers?.layer).toBe("accept-queue");
    expect(layers?.evidence.join("\n")).toContain("SYN retries");
    // without the kernel's counter the same drops could be loss: the capture alone says network
    expect(attributeLatency(rep)?.layer).toBe("network");
  }, 90_000);
});
