// The layered latency report with the Go side: a GC-heavy handler (testdata/workloads/
// faults/gcpressure: every request builds and drops a pointer-rich tree, so the GC runs
// back to back) captured with `godiag capture --pcap --trace` in a network namespace.
// The capture alone can only say "the server's time"; with the execution trace of the
// same window, diagnose must name the GC or the handler, never the network, and state
// where the trace sits on the capture's wall-clock timeline. Since the per-request join
// (net-layers-requests.test.ts), the layer is the slow requests' own, measured one by one.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { available } from "./helpers/available.js";
import { buildWorkload } from "./helpers/live.js";
import { NetNs, netToolsPresent } from "./helpers/netns.js";
import { CLI } from "./helpers/run.js";

const HAVE = available(netToolsPresent(), "root, ip, nft, tcpdump, tshark, editcap, go and openssl for the network tests");

interface Json {
  findings: Array<{ id: string; category: string; title: string; summary: string; evidence: Array<{ source: string; kind: string; numbers: Record<string, number>; excerpt?: string }> }>;
}

describe.skipIf(!HAVE)("the layered latency report joins the execution trace", () => {
  let dir = "";
  let ns: NetNs | undefined;
  let bundle = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "godiag-netlayers-"));
    const bin = buildWorkload("faults/gcpressure");
    ns = NetNs.create();
    // the workload drives its own load (4 clients on /tree) over the namespace's loopback
    const line = await ns.serve(bin, ["-addr", "127.0.0.1:0"]);
    const url = line.replace(/^listening on /, "");
    bundle = join(dir, "bundle");
    await ns.exec(process.execPath, [CLI, "capture", url, "--seconds", "2", "--trace", "1s", "--pcap", "-q", "-o", bundle], 90_000, [0, 4]);
  }, 240_000);

  afterAll(() => {
    ns?.destroy();
    if (process.env["KEEP_NETLAYERS"]) return;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("names the GC or the handler (not the network), from the capture and the trace, with the clocks aligned", async () => {
    const m = JSON.parse(readFileSync(join(bundle, "manifest.json"), "utf8")) as { files: Array<{ path: string; kind: string; error?: string }> };
    const kinds = new Map(m.files.filter((f) => !f.error).map((f) => [f.kind, f.path]));
    expect(kinds.has("pcap")).toBe(true);
    expect(kinds.has("trace")).toBe(true);
    const out = await ns!.exec(process.execPath, [CLI, "diagnose", bundle, "--json", "--verbose"], 90_000, [0, 1, 3]);
    const d = JSON.parse(out) as Json;
    const f = d.findings.find((x) => x.category === "network-latency");
    expect(f, JSON.stringify(d.findings.map((x) => x.id))).toBeDefined();
    expect(["network-latency:gc", "network-latency:handler"], f!.summary).toContain(f!.id);
    const tr = f!.evidence.find((e) => e.kind.startsWith("execution trace"));
    expect(tr?.source).toBe(join(bundle, kinds.get("trace")!));
    // the program's known behaviour: back-to-back GC cycles on allocating handlers make them
    // assist, and each cycle stops the world twice
    expect(tr!.numbers["gc_assist_ms"]).toBeGreaterThan(0);
    // the GC layer is the assists plus the waits for a P charged to the GC, nothing else
    expect(tr!.numbers["gc_ms"]).toBeCloseTo(tr!.numbers["gc_assist_ms"]! + tr!.numbers["gc_wait_for_p_ms"]!, 1);
    expect(tr!.numbers["gc_share_of_ps_pct"]).toBeGreaterThan(0);
    expect(tr!.numbers["stw_pauses"]).toBeGreaterThanOrEqual(2);
    expect(tr!.numbers["handler_goroutines"]).toBeGreaterThanOrEqual(1);
    // both on this host's wall clock: the 1 s trace lies inside the 2 s capture window
    expect(tr!.excerpt).toMatch(/^time alignment: .* they overlap [\d.]+(ms|s)$/);
    const overlap = /they overlap ([\d.]+)(ms|s)$/.exec(tr!.excerpt!)!;
    const overlapMs = Number(overlap[1]) * (overlap[2] === "s" ? 1000 : 1);
    expect(overlapMs).toBeGreaterThan(500);
    expect(f!.summary).toContain("mark assists");
    // per request: the capture's exchanges in the trace's window joined to their goroutines,
    // the slow ones' GC time measured on each (assists, waits for a P the GC held, waits in the GC)
    const per = f!.evidence.find((e) => e.kind.startsWith("capture joined to the execution trace"));
    expect(per, f!.summary).toBeDefined();
    expect(per!.numbers["requests_joined"]).toBeGreaterThanOrEqual(Math.ceil(0.9 * per!.numbers["requests_in_trace_window"]!));
    expect(per!.numbers["gc_ms"]).toBeGreaterThan(0);
    expect(f!.summary).toContain("each with its own split");
    // the capture alone would name the handler's server time; the trace only splits it
    expect(f!.summary).not.toMatch(/split as network/);
  }, 120_000);
});
