// Per-request layers: a real Go server (testdata/net/netserver) in a network namespace,
// two kinds of traffic on separate connections — requests that burn 10 ms of CPU
// (?burn=10ms, two connections) and requests that sleep 300 ms (?delay=300ms, two
// connection) — captured with `godiag capture --pcap --trace`. Each exchange of the capture
// is joined to its handler goroutine's request in the trace by time alone; the join is
// checked by what the two sources know independently: the request line in the packets
// says which kind a request was, the goroutine's states say what it did (slept 300 ms, or
// ran), and one connection is served by one conn.serve goroutine.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBundle } from "../src/bundle/read.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { readTraces } from "../src/diagnose/trace-input.js";
import { joinRequests } from "../src/diagnose/rules/net-requests.js";
import { analyzePcapFile, latencyItems } from "../src/net/index.js";
import { available } from "./helpers/available.js";
import { buildNetProgram, NetNs, netToolsPresent } from "./helpers/netns.js";
import { CLI } from "./helpers/run.js";

const HAVE = available(netToolsPresent(), "root, ip, nft, tcpdump, tshark, editcap, go and openssl for the network tests");

interface Json {
  findings: Array<{ id: string; category: string; title: string; summary: string; evidence: Array<{ source: string; kind: string; numbers: Record<string, number>; excerpt?: string }> }>;
}

describe.skipIf(!HAVE)("per-request layers: the capture's exchanges joined to their handler goroutines", () => {
  let dir = "";
  let ns: NetNs | undefined;
  let bundle = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "godiag-netreq-"));
    const server = buildNetProgram(dir, "netserver");
    const client = buildNetProgram(dir, "netclient");
    ns = NetNs.create();
    const url = await ns.serve(server, []);
    const clients: ChildProcess[] = [
      ns.start(client, ["-url", url, "-n", "1000000", "-c", "2", "-paths", "/?burn=10ms"]),
      ns.start(client, ["-url", url, "-n", "1000000", "-c", "2", "-paths", "/?delay=300ms"]),
    ];
    await new Promise((r) => setTimeout(r, 500));
    bundle = join(dir, "bundle");
    await ns.exec(process.execPath, [CLI, "capture", url, "--seconds", "2", "--trace", "1s", "--pcap", "-q", "-o", bundle], 90_000, [0, 4]);
    for (const c of clients) c.kill("SIGKILL");
  }, 240_000);

  afterAll(() => {
    ns?.destroy();
    if (process.env["KEEP_NETREQ"]) return;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("joins each exchange to the goroutine that served it, and each request's split matches what it did", async () => {
    const b = await openBundle([bundle], { ...DEFAULT_LIMITS, maxFiles: 1000 });
    const pcap = b.files.find((f) => f.kind === "pcap" && !f.error)!;
    const traces = readTraces(
      b.files.filter((f) => f.kind === "trace" && !f.error),
      b,
    );
    expect(traces.length).toBe(1);
    const rep = analyzePcapFile(pcap.absPath);
    const j = joinRequests(rep, latencyItems(rep, { ignoreRequest: /^GET \/debug\/pprof\// }), traces[0]!);
    expect(j).toBeDefined();
    // a 1 s trace of 2 busy connections and 2 sleeping 300 ms a request
    expect(j!.covered).toBeGreaterThanOrEqual(10);
    expect(j!.matched.length).toBeGreaterThanOrEqual(Math.ceil(0.9 * j!.covered));
    const sleeps = j!.matched.filter((m) => m.item.exchange!.request === "GET /?delay=300ms");
    const burns = j!.matched.filter((m) => m.item.exchange!.request === "GET /?burn=10ms");
    expect(sleeps.length + burns.length).toBe(j!.matched.length);
    expect(sleeps.length).toBeGreaterThanOrEqual(4);
    expect(burns.length).toBeGreaterThanOrEqual(5);
    for (const m of sleeps) {
      // the handler's time.Sleep(300ms): a wait of at least that, in the handler's closure
      expect(m.layers.blocking).toBeGreaterThanOrEqual(300e6);
      expect(m.trace.topBlock.reason).toBe("sleep");
      expect(m.trace.topBlock.func).toBe("main.main.func1");
      expect(m.named).toBe("blocking");
    }
    for (const m of burns) {
      // burn spins 10 ms of wall-clock time without waiting: running, or waiting for a P
      expect(m.layers.blocking).toBeLessThan(1e6);
      expect(m.layers.handler + m.layers.scheduler + m.layers.gc).toBeGreaterThanOrEqual(10e6);
    }
    // the goroutine's span lies inside the server time the packets measured
    for (const m of j!.matched) expect(m.trace.end - m.trace.start).toBeLessThanOrEqual(m.item.exchange!.serverNs + 2e6);
    // one connection, one conn.serve goroutine: flows and goroutines pair one to one
    const gByFlow = new Map<number, Set<number>>();
    for (const m of j!.matched) {
      const s = gByFlow.get(m.item.flow.index) ?? new Set<number>();
      s.add(m.trace.goroutine);
      gByFlow.set(m.item.flow.index, s);
    }
    for (const s of gByFlow.values()) expect(s.size).toBe(1);
    const gs = [...gByFlow.values()].map((s) => [...s][0]);
    expect(new Set(gs).size).toBe(gs.length);
  }, 60_000);

  it("diagnose names blocking for the P99 and lists each slow request's own split", async () => {
    const out = await ns!.exec(process.execPath, [CLI, "diagnose", bundle, "--json", "--verbose"], 90_000, [0, 1, 3]);
    const d = JSON.parse(out) as Json;
    const f = d.findings.find((x) => x.category === "network-latency");
    expect(f, JSON.stringify(d.findings.map((x) => x.id))).toBeDefined();
    expect(f!.id, f!.summary).toBe("network-latency:blocking");
    const ev = f!.evidence.find((e) => e.kind.startsWith("capture joined to the execution trace"));
    expect(ev, f!.summary).toBeDefined();
    expect(ev!.numbers["slow_requests"]).toBeGreaterThanOrEqual(1);
    // every request above the P99 is a 300 ms sleep here (the CPU ones take ~10 ms)
    expect(ev!.numbers["slow_named_blocking"]).toBe(ev!.numbers["slow_requests"]);
    expect(ev!.numbers["blocking_ms"]).toBeGreaterThanOrEqual(300 * ev!.numbers["slow_requests"]!);
    expect(ev!.excerpt).toMatch(/^time alignment: /);
    expect(ev!.excerpt).toContain("GET /?delay=300ms at +");
    expect(ev!.excerpt).toContain("(longest wait: sleep in main.main.func1)");
    expect(f!.summary).toContain("each with its own split");
  }, 120_000);
});

// The block profile in the layered report: handlers that share one mutex, each holding it
// 100 ms (?lock=100ms, two connections): one always holds it while the other waits, so
// the request path's mutex waits add up to about the whole window, in the handler's closure.
describe.skipIf(!HAVE)("the block profile in the layered latency report", () => {
  let dir = "";
  let ns: NetNs | undefined;
  let bundle = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "godiag-netblock-"));
    const server = buildNetProgram(dir, "netserver");
    const client = buildNetProgram(dir, "netclient");
    ns = NetNs.create();
    const url = await ns.serve(server, ["-block-rate", "1"]);
    const c = ns.start(client, ["-url", url, "-n", "1000000", "-c", "2", "-paths", "/?lock=100ms"]);
    await new Promise((r) => setTimeout(r, 500));
    bundle = join(dir, "bundle");
    await ns.exec(process.execPath, [CLI, "capture", url, "--seconds", "2", "--trace", "1s", "--pcap", "-q", "-o", bundle], 90_000, [0, 4]);
    c.kill("SIGKILL");
  }, 240_000);

  afterAll(() => {
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("names blocking, and the block profile says on what (a mutex) and where (the handler)", async () => {
    const out = await ns!.exec(process.execPath, [CLI, "diagnose", bundle, "--json", "--verbose"], 90_000, [0, 1, 3]);
    const d = JSON.parse(out) as Json;
    const f = d.findings.find((x) => x.category === "network-latency");
    expect(f, JSON.stringify(d.findings.map((x) => x.id))).toBeDefined();
    expect(f!.id, f!.summary).toBe("network-latency:blocking");
    const blk = f!.evidence.find((e) => e.kind.startsWith("block profile (request path"));
    expect(blk, f!.summary).toBeDefined();
    expect(blk!.source).toMatch(/block\.delta\.pb\.gz$/);
    const w = blk!.numbers["window_seconds"]!;
    expect(w).toBeGreaterThanOrEqual(1.9);
    // one of the two handlers waits for the mutex at almost every moment of the window
    expect(blk!.numbers["mutex_ms"]).toBeGreaterThanOrEqual(500 * w);
    expect(blk!.numbers["mutex_ms"]).toBeLessThanOrEqual(blk!.numbers["handler_block_ms"]!);
    expect(f!.summary).toContain("most in main.main.func1 (mutex)");
  }, 120_000);
});
