// Per-request layers: a wait for a P is charged to whoever held the Ps meanwhile. Two real
// servers (testdata/net/netserver) on one P in a network namespace, whose known behaviour
// decides the answer:
// - four connections of CPU-bound requests (?burn=5ms): a request waits for the P while
//   the other requests' handlers burn it — queueing behind the service's own work, the
//   handler layer (more CPU or cheaper handlers cure it);
// - one connection of light requests (?burn=1ms) beside a goroutine spinning in the
//   background: the request waits while that goroutine holds the P — the scheduler layer.

import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBundle } from "../src/bundle/read.js";
import { DEFAULT_LIMITS } from "../src/core/input/errors.js";
import { joinRequests, type RequestJoin } from "../src/diagnose/rules/net-requests.js";
import { readTraces } from "../src/diagnose/trace-input.js";
import { analyzePcapFile, latencyItems } from "../src/net/index.js";
import { available } from "./helpers/available.js";
import { buildNetProgram, NetNs, netToolsPresent } from "./helpers/netns.js";
import { CLI } from "./helpers/run.js";

const HAVE = available(netToolsPresent(), "root, ip, nft, tcpdump, tshark, editcap, go and openssl for the network tests");

interface Json {
  findings: Array<{ id: string; category: string; summary: string }>;
}

interface Case {
  bundle: string;
  join: RequestJoin;
  diagnosed: Json;
}

/** Serve with serverArgs, drive with clientArgs, capture 2 s with a 1 s trace; the join and diagnose's answer. */
async function captureCase(dir: string, name: string, serverArgs: string[], clientArgs: string[]): Promise<Case> {
  const ns = NetNs.create();
  try {
    const url = await ns.serve(buildNetProgram(dir, "netserver"), serverArgs);
    const client: ChildProcess = ns.start(buildNetProgram(dir, "netclient"), ["-url", url, "-n", "1000000", ...clientArgs]);
    await new Promise((r) => setTimeout(r, 500));
    const bundle = join(dir, name);
    await ns.exec(process.execPath, [CLI, "capture", url, "--seconds", "2", "--trace", "1s", "--pcap", "-q", "-o", bundle], 90_000, [0, 4]);
    client.kill("SIGKILL");
    const b = await openBundle([bundle], { ...DEFAULT_LIMITS, maxFiles: 1000 });
    const pcap = b.files.find((f) => f.kind === "pcap" && !f.error)!;
    const traces = readTraces(
      b.files.filter((f) => f.kind === "trace" && !f.error),
      b,
    );
    expect(traces.length, b.warnings.join("\n")).toBe(1);
    const rep = analyzePcapFile(pcap.absPath);
    const j = joinRequests(rep, latencyItems(rep, { ignoreRequest: /^GET \/debug\/pprof\// }), traces[0]!);
    expect(j).toBeDefined();
    const out = await ns.exec(process.execPath, [CLI, "diagnose", bundle, "--json"], 90_000, [0, 1, 3]);
    return { bundle, join: j!, diagnosed: JSON.parse(out) as Json };
  } finally {
    ns.destroy();
  }
}

const sum = (j: RequestJoin, f: (m: RequestJoin["matched"][number]) => number) => j.matched.reduce((s, m) => s + f(m), 0);

describe.skipIf(!HAVE)("a wait for a P is charged to whoever held the Ps", () => {
  let dir = "";
  let queued: Case;
  let starved: Case;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "godiag-netqueue-"));
    queued = await captureCase(dir, "queued", ["-procs", "1"], ["-c", "4", "-paths", "/?burn=5ms"]);
    starved = await captureCase(dir, "starved", ["-procs", "1", "-spin", "1"], ["-c", "1", "-paths", "/?burn=1ms"]);
  }, 300_000);

  afterAll(() => {
    if (process.env["KEEP_NETQUEUE"]) return;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("four CPU-bound connections on one P: the requests queue behind each other's handlers", () => {
    const j = queued.join;
    expect(j.matched.length).toBeGreaterThanOrEqual(20);
    // each request burns 5 ms and three others are in flight: most of its time is a wait
    // for the P while another handler burns it, not a wait behind any other goroutine
    const behindHandlers = sum(j, (m) => m.trace.queuedNs);
    const behindOthers = sum(j, (m) => m.trace.runnableNs);
    expect(behindHandlers).toBeGreaterThan(sum(j, (m) => m.trace.runningNs));
    expect(behindHandlers).toBeGreaterThan(3 * behindOthers);
    expect(j.named).toBe("handler");
    const f = queued.diagnosed.findings.find((x) => x.category === "network-latency");
    expect(f?.id, JSON.stringify(queued.diagnosed.findings.map((x) => x.id))).toBe("network-latency:handler");
  });

  it("one light connection beside a spinning goroutine: the requests wait behind it, the scheduler's", () => {
    const j = starved.join;
    expect(j.matched.length).toBeGreaterThanOrEqual(5);
    // a lone connection: no other handler is ever running while its request waits
    const behindHandlers = sum(j, (m) => m.trace.queuedNs);
    const behindOthers = sum(j, (m) => m.trace.runnableNs);
    expect(behindOthers).toBeGreaterThan(3 * behindHandlers);
    expect(j.named).toBe("scheduler");
    const f = starved.diagnosed.findings.find((x) => x.category === "network-latency");
    expect(f?.id, JSON.stringify(starved.diagnosed.findings.map((x) => x.id))).toBe("network-latency:scheduler");
  });
});
