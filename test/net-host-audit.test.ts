// The host audit's TIME_WAIT and nofile findings on real sockets and a real process, in a
// network namespace (its own sockets, port range and tcp_tw_reuse: both are per-namespace
// sysctls), through `godiag capture --pcap` (netaudit.json). Oracles: `ss` for the
// TIME_WAIT count, prlimit for the limit, /proc/PID/fd listed by the test for the fds.

import { readdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { available } from "./helpers/available.js";
import { buildNetProgram, NetNs, netToolsPresent } from "./helpers/netns.js";
import { CLI } from "./helpers/run.js";

const HAVE = available(netToolsPresent(), "root, ip, nft, tcpdump, tshark, editcap, go and openssl for the network tests");

interface Audit {
  host: { timeWait: number; portRange: [number, number]; tcpTwReuse: number; nofile?: { soft: number; inUse: number } };
  findings: Array<{ id: string; severity: string; message: string; fix: string }>;
}

describe.skipIf(!HAVE)("the host audit on real sockets and a real process", () => {
  let dir = "";
  let server = "";
  let client = "";
  let ns: NetNs | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "godiag-netaudit-"));
    server = buildNetProgram(dir, "netserver");
    client = buildNetProgram(dir, "netclient");
  }, 180_000);

  afterEach(() => {
    ns?.destroy();
    ns = undefined;
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function audit(url: string, name: string, pid?: number): Promise<Audit> {
    const out = join(dir, name);
    await ns!.exec(process.execPath, [CLI, "capture", url, "--seconds", "1", "--only", "proc", "--pcap", "-q", "-o", out, ...(pid ? ["--pid", String(pid)] : [])], 60_000, [0, 4]);
    return JSON.parse(readFileSync(join(out, "netaudit.json"), "utf8")) as Audit;
  }

  const timeWaits = () => ns!.run("ss", ["-Htan", "state", "time-wait"]).split("\n").filter((l) => l.trim() !== "").length;

  it("TIME_WAIT sockets against a narrow port range: counted as ss counts them, with the change to make", async () => {
    ns = NetNs.create();
    ns.run("sysctl", ["-q", "-w", "net.ipv4.ip_local_port_range=40000 40099"]);
    ns.run("sysctl", ["-q", "-w", "net.ipv4.tcp_tw_reuse=0"]);
    const url = await ns.serve(server, []);
    // 80 requests, each on a new connection the client closes first: 80 client sockets in
    // TIME_WAIT for 60 s, each holding one of the 100 local ports (when the server closes
    // first, the client may reuse a port whose server-side socket is in TIME_WAIT — a new
    // SYN recycles it: 42 and 44 of 80 were left, measured)
    await ns.exec(client, ["-url", url, "-n", "80", "-c", "1", "-close-first"], 60_000);
    const before = timeWaits();
    expect(before).toBeGreaterThanOrEqual(80);
    const a = await audit(url, "tw");
    const after = timeWaits();
    // the capture's own connections may add a few while it runs
    expect(a.host.timeWait).toBeGreaterThanOrEqual(before);
    expect(a.host.timeWait).toBeLessThanOrEqual(after);
    expect(a.host.portRange).toEqual([40000, 40099]);
    expect(a.host.tcpTwReuse).toBe(0);
    const f = a.findings.find((x) => x.id === "time-wait");
    expect(f, JSON.stringify(a.findings)).toBeDefined();
    expect(f!.message).toContain(`${a.host.timeWait} sockets in TIME_WAIT against 100 local ports`);
    // more than half of the range, less than 90 % of it
    expect(f!.severity).toBe(a.host.timeWait > 90 ? "critical" : "warning");
    expect(f!.fix).toContain("sysctl -w net.ipv4.tcp_tw_reuse=1");
    expect(f!.fix).toContain('net.ipv4.ip_local_port_range="1024 65535"');
  }, 120_000);

  it("no TIME_WAIT finding when the sockets are few (the control)", async () => {
    ns = NetNs.create();
    const url = await ns.serve(server, []);
    await ns.exec(client, ["-url", url, "-n", "10", "-c", "1", "-close-first"], 60_000);
    const a = await audit(url, "tw-control");
    expect(a.host.timeWait).toBeGreaterThanOrEqual(10);
    expect(a.findings.map((x) => x.id)).not.toContain("time-wait");
  }, 120_000);

  it("a process near its nofile limit (prlimit 64, 45 files held open): the fds it uses, the limit, the change", async () => {
    ns = NetNs.create();
    const { url, child: c } = await ns.serveChild("prlimit", ["--nofile=64:64", server, "-hold-fds", "45"]);
    // `ip netns exec` and prlimit both exec the program: the child's pid is the server's
    const pid = c.pid!;
    expect(readFileSync(`/proc/${pid}/comm`, "utf8").trim()).toBe("netserver");
    const fdsBefore = readdirSync(`/proc/${pid}/fd`).length;
    expect(fdsBefore).toBeGreaterThanOrEqual(45 + 3);
    const a = await audit(url, "nofile", pid);
    expect(a.host.nofile?.soft).toBe(64);
    // the held files and the runtime's own are there; the capture's connections may add some
    expect(a.host.nofile!.inUse).toBeGreaterThanOrEqual(fdsBefore);
    expect(a.host.nofile!.inUse).toBeLessThanOrEqual(64);
    const f = a.findings.find((x) => x.id === "nofile");
    expect(f, JSON.stringify(a.findings)).toBeDefined();
    expect(f!.message).toContain(`uses ${a.host.nofile!.inUse} of its 64 file descriptors`);
    expect(f!.severity).toBe(a.host.nofile!.inUse >= 0.95 * 64 ? "critical" : "warning");
    expect(f!.fix).toBe("raise the limit: ulimit -n 65536 (systemd: LimitNOFILE=65536)");
  }, 120_000);

  it("no nofile finding with room to spare (the control: the same server, no files held)", async () => {
    ns = NetNs.create();
    const { url, child: c } = await ns.serveChild("prlimit", ["--nofile=64:64", server]);
    const a = await audit(url, "nofile-control", c.pid!);
    expect(a.host.nofile?.soft).toBe(64);
    expect(a.host.nofile!.inUse).toBeLessThan(0.8 * 64);
    expect(a.findings.map((x) => x.id)).not.toContain("nofile");
  }, 120_000);
});
