// godiag capture --pcap inside a network namespace: tcpdump records the service's port for
// the CPU window (capture.pcap), the host audit and its accept-queue counters go to
// netaudit.json, and diagnose names the layer holding the P99 from them: here a handler
// that sleeps 200 ms, under load from a Go client.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzePcapFile } from "../src/api/net.js";
import { available } from "./helpers/available.js";
import { buildNetProgram, NetNs, netToolsPresent, tsharkFields } from "./helpers/netns.js";
import { CLI } from "./helpers/run.js";

const HAVE = available(netToolsPresent(), "root, ip, nft, tcpdump, tshark, editcap, go and openssl for the network tests");

interface Json {
  findings: Array<{ id: string; category: string; title: string; evidence: Array<{ source: string; numbers: Record<string, number>; excerpt?: string }> }>;
}

describe.skipIf(!HAVE)("godiag capture --pcap and the layered latency finding", () => {
  let dir = "";
  let ns: NetNs | undefined;
  let bundle = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "godiag-netcap-"));
    const server = buildNetProgram(dir, "netserver");
    const client = buildNetProgram(dir, "netclient");
    ns = NetNs.create();
    const url = await ns.serve(server, ["-delay", "200ms"]);
    bundle = join(dir, "bundle");
    const load = ns.exec(client, ["-url", url, "-n", "40", "-c", "2", "-paths", "/"], 60_000);
    await ns.exec(process.execPath, [CLI, "capture", url, "--seconds", "2", "--pcap", "-q", "-o", bundle], 60_000);
    await load;
  }, 180_000);

  afterAll(() => {
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes capture.pcap and netaudit.json into the bundle, listed in the manifest", () => {
    const m = JSON.parse(readFileSync(join(bundle, "manifest.json"), "utf8")) as { files: Array<{ path: string; kind: string; error?: string }> };
    const kinds = Object.fromEntries(m.files.map((f) => [f.kind, f]));
    expect(kinds["pcap"]?.path).toBe("capture.pcap");
    expect(kinds["pcap"]?.error).toBeUndefined();
    expect(kinds["netaudit"]?.path).toBe("netaudit.json");
    const audit = JSON.parse(readFileSync(join(bundle, "netaudit.json"), "utf8")) as { host: { somaxconn: number; listener?: { backlog: number } } };
    // the namespace's own sysctl, and the Go server's listen(2) backlog (128, its default flag)
    expect(audit.host.somaxconn).toBe(Number(ns!.run("cat", ["/proc/sys/net/core/somaxconn"]).trim()));
    expect(audit.host.listener?.backlog).toBe(128);
    // the capture holds the window's exchanges of the service's handler: per connection, as
    // many answered "GET /" as tshark pairs with their requests (connections opened before
    // the window have no SYN: the first payload tells the client). A response whose request
    // came before the window is not timed (tshark lists it without a request).
    const rep = analyzePcapFile(join(bundle, "capture.pcap"));
    const theirs = tsharkFields(join(bundle, "capture.pcap"), ["tcp.stream", "http.response_for.uri"], "http.response")
      .filter((r) => r[1] !== undefined && r[1] !== "" && new URL(r[1]).pathname === "/")
      .map((r) => r[0])
      .sort();
    expect(theirs.length).toBeGreaterThan(3);
    const mine = rep.exchanges.filter((x) => x.request === "GET /").map((x) => String(x.flow)).sort();
    expect(mine).toEqual(theirs);
  });

  it("diagnose names the handler as the layer holding the P99, with the time alignment stated", async () => {
    // diagnose exits 1 on a warning finding (a 200 ms P99 is one), 3 on a critical one
    const out = await ns!.exec(process.execPath, [CLI, "diagnose", bundle, "--json", "--verbose"], 60_000, [0, 1, 3]);
    const d = JSON.parse(out) as Json;
    const f = d.findings.find((x) => x.category === "network-latency");
    expect(f?.id).toBe("network-latency:handler");
    expect(f?.title).toContain("the handler");
    expect(f?.evidence[0]?.numbers["server_time_p99_ms"]).toBeGreaterThanOrEqual(200);
    expect(f?.evidence[0]?.excerpt).toContain("time alignment");
  });
});
