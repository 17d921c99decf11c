// godiag pcap against tshark on the same captures, frame by frame: real HTTP traffic from
// Go programs (testdata/net) inside a network namespace with 3% packet loss on the
// service's port (nftables numgen), captured by tcpdump in several link types, timestamp
// precisions and snap lengths, and converted to pcapng by editcap.

import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzePcapFile, type PcapReport } from "../src/api/net.js";
import { InputError } from "../src/api/errors.js";
import { available } from "./helpers/available.js";
import { buildNetProgram, NetNs, netToolsPresent, TSHARK_FLAGS, tsharkFields } from "./helpers/netns.js";
import { CLI } from "./helpers/run.js";

const HAVE = available(netToolsPresent(), "root, ip, nft, tcpdump, tshark, editcap, go and openssl for the network tests");

interface Frame {
  stream: number;
  flags: number;
  rtt: number;
}

function ours(file: string, port = 0): { report: PcapReport; frames: Map<number, Frame> } {
  const frames = new Map<number, Frame>();
  const report = analyzePcapFile(file, { port, onFrame: (frame, stream, flags, rtt) => frames.set(frame, { stream, flags, rtt }) });
  return { report, frames };
}

const FIELDS = TSHARK_FLAGS;

/** Frame by frame: tshark's flags, ACK RTTs, streams and initial RTTs equal ours. Returns tshark's counts. */
function expectSameAsTshark(file: string): Record<string, number> {
  const { report, frames } = ours(file);
  const rows = tsharkFields(file, ["frame.number", "tcp.stream", "tcp.analysis.ack_rtt", "tcp.analysis.initial_rtt", ...FIELDS.map(([f]) => f)]);
  expect(rows.length).toBe(report.tcpPackets);
  const counts: Record<string, number> = {};
  const diffs: string[] = [];
  const initial = new Map<number, number>();
  for (const r of rows) {
    const frame = Number(r[0]);
    const o = frames.get(frame);
    if (!o) {
      diffs.push(`frame ${frame}: not analysed`);
      continue;
    }
    if (o.stream !== Number(r[1])) diffs.push(`frame ${frame}: stream ${r[1]} vs ${o.stream}`);
    // tshark prints the ACK RTT in seconds with 9 decimals; 0 is not printed
    const rtt = r[2] ? Math.round(Number(r[2]) * 1e9) : -1;
    if (rtt !== (o.rtt > 0 ? o.rtt : -1)) diffs.push(`frame ${frame}: ack_rtt ${rtt} vs ${o.rtt}`);
    if (r[3]) initial.set(Number(r[1]), Math.round(Number(r[3]) * 1e9));
    FIELDS.forEach(([name, bit], i) => {
      const t = r[4 + i] ? 1 : 0;
      counts[name] = (counts[name] ?? 0) + t;
      if (t !== (o.flags & bit ? 1 : 0)) diffs.push(`frame ${frame}: ${name} tshark ${t}`);
    });
  }
  expect(diffs.slice(0, 20)).toEqual([]);
  for (const f of report.flows) expect([f.index, f.handshakeRttNs]).toEqual([f.index, initial.get(f.index) ?? -1]);
  expect(report.totals.retransmissions).toBe(counts["tcp.analysis.retransmission"]);
  expect(report.totals.duplicateAcks).toBe(counts["tcp.analysis.duplicate_ack"]);
  expect(report.totals.zeroWindows).toBe(counts["tcp.analysis.zero_window"]);
  return counts;
}

/** Rewrites a little-endian pcap in big-endian byte order (as a SPARC or PowerPC would write it). */
function toBigEndian(src: string, dst: string): void {
  const b = Buffer.from(readFileSync(src));
  const swap32 = (o: number) => b.writeUInt32BE(b.readUInt32LE(o), o);
  const swap16 = (o: number) => b.writeUInt16BE(b.readUInt16LE(o), o);
  swap32(0);
  swap16(4);
  swap16(6);
  for (const o of [8, 12, 16, 20]) swap32(o);
  let pos = 24;
  while (pos + 16 <= b.length) {
    const incl = b.readUInt32LE(pos + 8);
    for (const o of [0, 4, 8, 12]) swap32(pos + o);
    pos += 16 + incl;
  }
  writeFileSync(dst, b);
}

describe.skipIf(!HAVE)("godiag pcap vs tshark on real traffic with packet loss", () => {
  let dir = "";
  let ns: NetNs | undefined;
  const files = { lo: "", nano: "", any: "", snap: "" };
  let port = 0;
  let dropped = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "godiag-net-"));
    const server = buildNetProgram(dir, "netserver");
    const client = buildNetProgram(dir, "netclient");
    ns = NetNs.create();
    const url = await ns.serve(server, ["-addr", "127.0.0.1:0", "-size", "30000"]);
    port = Number(new URL(url).port);
    // 3% of the service's packets dropped in each direction, after tcpdump saw them on lo;
    // counted, so that the test can tell "no loss happened" from "loss went unseen"
    ns.nft(`table inet loss {
      chain in { type filter hook input priority 0; policy accept;
        tcp dport ${port} numgen random mod 100 < 3 counter drop
        tcp sport ${port} numgen random mod 100 < 3 counter drop
      }
    }`);
    files.lo = join(dir, "lo.pcap");
    files.nano = join(dir, "nano.pcap");
    files.any = join(dir, "any.pcap");
    files.snap = join(dir, "snap.pcap");
    const dumps = [
      await ns.tcpdump(files.lo, ["tcp", "port", String(port)]),
      await ns.tcpdump(files.nano, ["--time-stamp-precision=nano", "tcp", "port", String(port)]),
    ];
    const anyDump = ns.start("tcpdump", ["-i", "any", "-B", "32768", "--immediate-mode", "-U", "-w", files.any, "tcp", "port", String(port)]);
    await new Promise((r) => setTimeout(r, 500));
    // 240 requests: on lo (MTU 64 KiB) a response is one segment, so ~500 packets carry data;
    // with 3% dropped the chance that none of them is lost is ~1e-7 (80 requests left ~0.5%)
    await ns.exec(client, ["-url", url, "-n", "240", "-c", "4", "-paths", "/,/?size=200,/?delay=20ms"]);
    dropped = [...ns.run("nft", ["list", "table", "inet", "loss"]).matchAll(/counter packets (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    for (const d of dumps) await d.stop();
    // the same packets cut at 96 bytes: what tcpdump -s 96 would have kept
    expect(spawnSync("editcap", ["-s", "96", files.lo, files.snap]).status).toBe(0);
    await new Promise<void>((r) => {
      anyDump.on("exit", () => r());
      anyDump.kill("SIGINT");
    });
  }, 120_000);

  afterAll(() => {
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("equals tshark frame by frame (Ethernet on lo, microseconds), with retransmissions from the loss", () => {
    // nftables dropped packets (else the namespace's rules did not apply)
    expect(dropped).toBeGreaterThan(0);
    const counts = expectSameAsTshark(files.lo);
    // the loss is real: tshark saw retransmissions, and so did we
    expect(counts["tcp.analysis.retransmission"]).toBeGreaterThan(0);
  });

  it("equals tshark on nanosecond pcap, on Linux cooked (SLL2, -i any), and cut at snaplen 96", () => {
    expectSameAsTshark(files.nano);
    expectSameAsTshark(files.any);
    const snap = expectSameAsTshark(files.snap);
    const full = ours(files.lo).report;
    // lengths come from the IP header: the same payload bytes with or without the snaplen
    const cut = ours(files.snap).report;
    expect(cut.totals.bytes).toBe(full.totals.bytes);
    expect(snap["tcp.analysis.retransmission"]).toBe(full.totals.retransmissions);
  });

  it("reads pcapng (editcap), big-endian pcap and a two-section pcapng like the pcap", () => {
    const ng = join(dir, "nano.pcapng");
    expect(spawnSync("editcap", ["-F", "pcapng", files.nano, ng]).status).toBe(0);
    const be = join(dir, "be.pcap");
    toBigEndian(files.lo, be);
    const a = ours(files.nano).report;
    const b = ours(ng).report;
    expect(b.format).toBe("pcapng");
    expect({ ...b, file: "", format: "" }).toEqual({ ...a, file: "", format: "" });
    const c = ours(be).report;
    expect({ ...c, file: "" }).toEqual({ ...ours(files.lo).report, file: "" });
    // two sections (each with its own interface block): the frames of both
    const ngMicro = join(dir, "lo.pcapng");
    expect(spawnSync("editcap", ["-F", "pcapng", files.lo, ngMicro]).status).toBe(0);
    const two = join(dir, "two.pcapng");
    writeFileSync(two, Buffer.concat([readFileSync(ng), readFileSync(ngMicro)]));
    const t = ours(two).report;
    expect(t.packets).toBe(a.packets + ours(files.lo).report.packets);
    expect(tsharkFields(two, ["frame.number"], "frame").length).toBe(t.packets);
  });

  it("reads the same with a 4 KB read chunk as with the default 8 MB: records straddle every refill, flows keep their addresses", () => {
    const ng = join(dir, "chunk.pcapng");
    expect(spawnSync("editcap", ["-F", "pcapng", files.lo, ng]).status).toBe(0);
    for (const f of [files.lo, ng]) {
      const whole = analyzePcapFile(f);
      expect(whole.flows.length).toBeGreaterThan(1);
      expect(analyzePcapFile(f, { limits: { chunkBytes: 4096 } })).toEqual(whole);
    }
  });

  it("times each HTTP exchange as tshark's http.time (request -> end of response)", () => {
    const { report } = ours(files.lo);
    // http.time is on the frame completing the response; the request is one segment here
    const rows = tsharkFields(files.lo, ["tcp.stream", "http.time"], "http.response", ["-d", `tcp.port==${port},http`]);
    const theirs = rows.map((r) => `${r[0]} ${Math.round(Number(r[1]) * 1e9)}`).sort();
    const mine = report.exchanges.filter((x) => x.status > 0).map((x) => `${x.flow} ${x.httpTimeNs}`).sort();
    expect(mine).toEqual(theirs);
    expect(report.exchanges.length).toBe(240);
    // the slow path is the slowest by server time: 20 ms of handler sleep
    const slow = report.exchanges.filter((x) => x.request.startsWith("GET /?delay=20ms"));
    expect(slow.length).toBe(80); // the paths are used in turn
    for (const x of slow) expect(x.serverNs).toBeGreaterThanOrEqual(20e6);
  });

  it("equals tshark on IPv6 traffic captured as Linux cooked v1 (SLL, tcpdump -y LINUX_SLL)", async () => {
    const server = buildNetProgram(dir, "netserver");
    const client = buildNetProgram(dir, "netclient");
    const url6 = await ns!.serve(server, ["-addr", "[::1]:0", "-size", "5000"]);
    const port6 = new URL(url6).port;
    const file = join(dir, "v6-sll.pcap");
    const dump = ns!.start("tcpdump", ["-i", "any", "-y", "LINUX_SLL", "-B", "32768", "--immediate-mode", "-U", "-w", file, "tcp", "port", port6]);
    await new Promise<void>((resolve) => dump.stderr!.on("data", (b: Buffer) => b.toString().includes("listening on") && resolve()));
    await ns!.exec(client, ["-url", url6, "-n", "20", "-c", "2"]);
    await new Promise((r) => setTimeout(r, 300));
    await new Promise<void>((r) => {
      dump.on("exit", () => r());
      dump.kill("SIGINT");
    });
    expect(readFileSync(file).readUInt32LE(20)).toBe(113); // LINKTYPE_LINUX_SLL
    expectSameAsTshark(file);
    const { report } = ours(file);
    // Go's client may open a connection more than -c when one is briefly busy: count from tshark
    const streams = new Set(tsharkFields(file, ["tcp.stream"]).map((r) => r[0])).size;
    expect(report.flows.map((f) => f.server)).toEqual(Array.from({ length: streams }, () => `[::1]:${port6}`));
    expect(report.exchanges.length).toBe(20);
  });

  it("damaged files (bytes flipped, cut) end as a report or one InputError, never another exception", () => {
    const ng = join(dir, "fuzz-src.pcapng");
    expect(spawnSync("editcap", ["-F", "pcapng", files.lo, ng]).status).toBe(0);
    const sources = [files.lo, ng].map((f) => readFileSync(f).subarray(0, 1 << 16));
    const out = join(dir, "fuzz.bin");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(), (which, flips, cut) => {
        const b = Buffer.from(sources[which]!);
        for (const [at, v] of flips) b[at % b.length] = v;
        writeFileSync(out, b.subarray(0, Math.max(1, b.length - (cut % 512))));
        try {
          analyzePcapFile(out);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          expect(e.message.split("\n")).toHaveLength(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("the CLI prints the summary; a corrupt file is one line with the byte offset, exit 2", () => {
    const r = spawnSync(process.execPath, [CLI, "pcap", files.lo, "--port", String(port)], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/retransmissions \d+/);
    expect(r.stdout).toContain("server time");
    expect(r.stdout).toMatch(/The P99 \(.*\) is held by: (handler|network|transfer)/);
    const bad = join(dir, "bad.pcap");
    const b = Buffer.from(readFileSync(files.lo));
    b.writeUInt32LE(0x7fffffff, 24 + 8); // the first record's captured length
    writeFileSync(bad, b);
    const e = spawnSync(process.execPath, [CLI, "pcap", bad], { encoding: "utf8" });
    expect(e.status).toBe(2);
    expect(e.stderr.trim().split("\n")).toHaveLength(1);
    expect(e.stderr).toContain(`${bad}: record length 2147483647`);
    expect(e.stderr).toContain("(at byte 24)");
    const ngBad = join(dir, "bad.pcapng");
    expect(spawnSync("editcap", ["-F", "pcapng", files.lo, join(dir, "cli.pcapng")]).status).toBe(0);
    copyFileSync(join(dir, "cli.pcapng"), ngBad);
    const nb = Buffer.from(readFileSync(ngBad));
    nb.writeUInt32LE(13, 4); // the section header's length: not a multiple of 4
    writeFileSync(ngBad, nb);
    const e2 = spawnSync(process.execPath, [CLI, "pcap", ngBad], { encoding: "utf8" });
    expect(e2.status).toBe(2);
    expect(e2.stderr).toMatch(/bad\.pcapng: pcapng block length 13 is invalid \(at byte 4\)/);
    // godiag http with nothing listening (the discard port): one line, exit 2
    const h = spawnSync(process.execPath, [CLI, "http", "http://127.0.0.1:9/", "-n", "2"], { encoding: "utf8" });
    expect(h.status).toBe(2);
    expect(h.stderr.trim().split("\n")).toHaveLength(1);
    expect(h.stderr).toContain("all 2 requests failed (connect ECONNREFUSED");
  });
});
