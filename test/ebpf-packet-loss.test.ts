// The packet-loss half of "SYN retransmits, accept-queue overflows -> backlog too small
// or packet loss": svc -mode dials (default backlog, a fast accept loop, bursts of 16
// dials every 250 ms, a line each way) in a network namespace the test creates, with
// nftables dropping 15 % of the packets to and from its port (`numgen random`, as the
// net tests do). Retransmits without any accept-queue overflow: the finding must name
// packet loss, not the backlog. Its twin, the same program in a namespace without the
// drop rule, must get neither finding. Both are probed at the same time (tcp probe, 4 s).
// Needs root, bpftrace, ip and nft (skipped with the reason otherwise; CI has them).

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { available } from "./helpers/available.js";
import { buildSvc, ebpfMissing } from "./helpers/ebpf.js";
import { NetNs } from "./helpers/netns.js";
import { CLI, runCli } from "./helpers/run.js";

const missing = ebpfMissing();
const tools = ["ip", "nft", "go"].every((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status === 0);
const canRun = available(missing === undefined, `eBPF (${missing})`) && available(tools, "ip, nft and go");

interface Finding {
  category: string;
  summary: string;
  evidence: { kind: string; numbers: Record<string, number> }[];
}

const spaces: NetNs[] = [];
afterAll(() => {
  for (const ns of spaces) ns.destroy();
});

function probeAsync(pid: number, dir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, "probe", "--pid", String(pid), "--seconds", "4", "--probes", "tcp", "-o", dir], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill("SIGINT"), 120_000);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** svc -mode dials in a fresh namespace, `lossPct` % of its port's packets dropped each way; probed, then diagnosed. */
async function probeDials(lossPct: number): Promise<Finding[]> {
  const ns = NetNs.create();
  spaces.push(ns);
  const { url, child } = await ns.serveChild(buildSvc("1.26"), ["-mode", "dials", "-seconds", "60"]);
  const port = Number(/:(\d+)$/.exec(url)![1]);
  if (lossPct > 0) {
    // At the input hook of the namespace's loopback: every packet of the connection goes through it once.
    ns.nft(`table inet loss {
      chain in { type filter hook input priority 0; policy accept;
        tcp dport ${port} numgen random mod 100 < ${lossPct} drop
        tcp sport ${port} numgen random mod 100 < ${lossPct} drop
      }
    }`);
  }
  const dir = join(mkdtempSync(join(tmpdir(), "godiag-ebpf-loss-")), "probe");
  const r = await probeAsync(child.pid!, dir);
  if (r.code !== 0) throw new Error(`probe (loss ${lossPct} %): exit ${r.code}: ${r.stderr}`);
  const d = runCli(["diagnose", dir, "--json"], { timeoutMs: 60_000 });
  return (JSON.parse(d.stdout) as { findings: Finding[] }).findings;
}

let lossy: Finding[] = [];
let healthy: Finding[] = [];
beforeAll(async () => {
  if (!canRun) return;
  spawnSync("sh", ["-c", "mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug"]);
  [lossy, healthy] = await Promise.all([probeDials(15), probeDials(0)]);
}, 200_000);

const explain = (fs: Finding[]) => JSON.stringify(fs.map((f) => ({ c: f.category, n: f.evidence.map((e) => e.numbers) })));

describe.skipIf(!canRun)("eBPF: SYN retransmits without an accept-queue overflow", () => {
  it("15 % of the port's packets dropped: packet-loss, with SYN retransmits and no overflow; not accept-queue-overflow", () => {
    const f = lossy.find((x) => x.category === "packet-loss");
    expect(f, explain(lossy)).toBeDefined();
    const n = f!.evidence[0]!.numbers;
    // ~64 dials a second, 15 % of SYNs dropped: several SYN retransmits in 4 s (the rule asks 5 retransmits of any kind).
    expect(n.syn_retransmits! + n.synack_retransmits!).toBeGreaterThan(0);
    expect(n.retransmits).toBeGreaterThanOrEqual(5);
    // The row's "latency in ~1 s / 3 s steps": the dials are the probed process's own, so their connects are seen
    // (a run here: 157 retransmits, 51 of them SYN/SYN-ACK, 15 of 97 connects in the steps; when the dials went
    // in bursts that waited for their slowest, a run saw 16 connects and a CI run none in the steps).
    expect(n.connects_in_retransmit_steps).toBeGreaterThan(0);
    expect(f!.evidence[0]!.kind).toContain("seen only by eBPF");
    expect(f!.summary).toMatch(/packets were lost/);
    expect(lossy.find((x) => x.category === "accept-queue-overflow"), explain(lossy)).toBeUndefined();
  });

  it("the same program without drops: neither packet-loss nor accept-queue-overflow", () => {
    expect(healthy.filter((x) => x.category === "packet-loss" || x.category === "accept-queue-overflow"), explain(healthy)).toEqual([]);
  });
});
