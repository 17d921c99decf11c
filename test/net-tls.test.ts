// TLS in `godiag pcap`, without keys, against tshark on the same captures: a real Go TLS
// server (testdata/net/netserver, whose GetConfigForClient sleeps: a server slow to
// complete TLS) and a real Go client (netclient, HTTP/1.1 over TLS 1.3 and 1.2; HTTP/2
// with -h2) in a network namespace, captured by tcpdump. tshark dissects the records
// (tls.handshake.type, tls.record.content_type / opaque_type per frame); the handshake's
// end and the exchanges are derived from its records by the definitions in docs/NET.md
// and must equal ours to the nanosecond. Then diagnose, given the capture, names TLS.

import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../src/api/errors.js";
import { analyzePcapFile, type PcapReport } from "../src/api/net.js";
import { available } from "./helpers/available.js";
import { buildNetProgram, NetNs, netToolsPresent, tsharkFields } from "./helpers/netns.js";
import { CLI } from "./helpers/run.js";

const HAVE = available(netToolsPresent(), "root, ip, nft, tcpdump, tshark, editcap, go and openssl for the network tests");

/** the server's GetConfigForClient sleep (netserver -tls-delay) and the slow path's handler sleep */
const TLS_DELAY_NS = 300e6;
const HANDLER_DELAY_NS = 100e6;

interface RecFrame {
  frame: number;
  t: number;
  stream: number;
  fromClient: boolean;
  /** record content types in the frame: cleartext ones, then TLS 1.3's encrypted (opaque) ones */
  types: number[];
  opaque: number[];
  handshakes: number[];
  supportedVersion: string;
  alpn: string;
  fin: boolean;
}

const nums = (s: string | undefined): number[] => (s ? s.split(",").map(Number) : []);

/** tshark's TLS records, one row per frame that completes at least one. */
function tsharkRecords(file: string, port: number): RecFrame[] {
  const rows = tsharkFields(
    file,
    ["frame.number", "frame.time_relative", "tcp.stream", "tcp.srcport", "tls.record.content_type", "tls.record.opaque_type", "tls.handshake.type", "tls.handshake.extensions.supported_version", "tls.handshake.extensions_alpn_str", "tcp.flags.fin"],
    "tls || tcp.flags.fin == 1",
    ["-d", `tcp.port==${port},tls`],
  );
  return rows.map((r) => ({
    frame: Number(r[0]),
    t: Math.round(Number(r[1]) * 1e9),
    stream: Number(r[2]),
    fromClient: Number(r[3]) !== port,
    types: nums(r[4]),
    opaque: nums(r[5]),
    handshakes: nums(r[6]),
    supportedVersion: r[7] ?? "",
    alpn: r[8] ?? "",
    fin: r[9] === "1" || r[9] === "True",
  }));
}

interface Expected {
  helloT: number;
  doneT: number;
  version: string;
  alpnOffered: string[];
  exchanges: Array<{ tStart: number; serverNs: number; transferNs: number; totalNs: number }>;
}

/**
 * The handshake and the exchanges of one stream from tshark's records, by docs/NET.md's
 * definitions: the end is TLS 1.2's server Finished (the record after its
 * ChangeCipherSpec) or TLS 1.3's last server record before the client's next one;
 * application data are the type-23 records after it (TLS 1.3: less the client's first, its
 * Finished); a client burst opens a request, the server's first record after it answers.
 */
function expectedOf(frames: RecFrame[]): Expected {
  const recs = frames.filter((r) => r.types.length + r.opaque.length > 0);
  const hello = recs.find((r) => r.fromClient && r.handshakes.includes(1))!;
  const sh = recs.find((r) => !r.fromClient && r.handshakes.includes(2))!;
  const v13 = sh.supportedVersion.split(",").includes("0x0304");
  const after = recs.filter((r) => r.frame > sh.frame);
  const clientNext = after.find((r) => r.fromClient);
  const version = v13 ? "1.3" : "1.2";
  const alpnOffered = hello.alpn ? hello.alpn.split(",") : [];
  let doneT = -1;
  let doneFrame = -1;
  if (v13 && clientNext) {
    const last = [sh, ...after.filter((r) => !r.fromClient && r.frame < clientNext.frame)].pop()!;
    doneT = last.t;
    doneFrame = last.frame;
  } else if (!v13) {
    const server = [sh, ...after.filter((r) => !r.fromClient)];
    const ccsAt = server.findIndex((r) => r.types.includes(20));
    const ccs = server[ccsAt];
    // the Finished: the next record in the same frame, else in the server's next frame
    const fin = ccs && ccs.types.indexOf(20) < ccs.types.length - 1 ? ccs : server[ccsAt + 1];
    if (ccs && fin) {
      doneT = fin.t;
      doneFrame = fin.frame;
    }
  }
  // a connection abandoned during the handshake (Go's transport dials spare ones and closes them)
  if (doneT < 0 || !clientNext) return { helloT: hello.t, doneT: -1, version, alpnOffered, exchanges: [] };
  let clientFinishedLeft = v13;
  const app: Array<{ t: number; fromClient: boolean }> = [];
  // a FIN ends the flow's last exchange: records after it (TLS 1.3's encrypted close_notify) answer nothing
  const fin = frames.find((r) => r.fin)?.frame ?? Infinity;
  for (const r of recs.filter((x) => x.frame > (v13 ? clientNext.frame - 1 : doneFrame) && x.frame <= fin)) {
    let n = [...r.types, ...r.opaque].filter((x) => x === 23).length;
    if (r.fromClient && clientFinishedLeft && n > 0) {
      clientFinishedLeft = false;
      n--;
    }
    if (n > 0) app.push({ t: r.t, fromClient: r.fromClient });
  }
  const exchanges: Expected["exchanges"] = [];
  let cur: { tStart: number; reqEnd: number; first: number; last: number } | null = null;
  const close = () => {
    if (cur && cur.first >= 0) exchanges.push({ tStart: cur.tStart, serverNs: cur.first - cur.reqEnd, transferNs: cur.last - cur.first, totalNs: cur.last - cur.tStart });
  };
  for (const a of app) {
    if (a.fromClient) {
      if (cur === null || cur.first >= 0) {
        close();
        cur = { tStart: a.t, reqEnd: a.t, first: -1, last: -1 };
      } else cur.reqEnd = a.t;
    } else if (cur) {
      if (cur.first < 0) cur.first = a.t;
      cur.last = a.t;
    }
  }
  close();
  return { helloT: hello.t, doneT, version, alpnOffered, exchanges };
}

describe.skipIf(!HAVE)("TLS from the record layer, against tshark", () => {
  let dir = "";
  let ns: NetNs | undefined;
  let port = 0;
  const files: Record<"tls13" | "tls12" | "h2", string> = { tls13: "", tls12: "", h2: "" };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "godiag-nettls-"));
    const server = buildNetProgram(dir, "netserver");
    const client = buildNetProgram(dir, "netclient");
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=localhost"]);
    if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
    ns = NetNs.create();
    const url = await ns.serve(server, ["-cert", join(dir, "cert.pem"), "-key", join(dir, "key.pem"), "-tls-delay", `${TLS_DELAY_NS / 1e6}ms`]);
    port = Number(new URL(url).port);
    const paths = `/,/?delay=${HANDLER_DELAY_NS / 1e6}ms,/?size=3000`;
    const runs: Array<[keyof typeof files, string[]]> = [
      ["tls13", ["-tls-max", "1.3", "-n", "9", "-c", "3", "-paths", paths]],
      ["tls12", ["-tls-max", "1.2", "-n", "9", "-c", "3", "-paths", paths]],
      ["h2", ["-h2", "-n", "4", "-c", "2", "-paths", paths]],
    ];
    for (const [name, args] of runs) {
      files[name] = join(dir, `${name}.pcap`);
      const dump = await ns.tcpdump(files[name], ["tcp", "port", String(port)]);
      await ns.exec(client, ["-url", url, ...args]);
      await dump.stop();
    }
  }, 180_000);

  afterAll(() => {
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Each flow's handshake and exchanges equal those derived from tshark's records. */
  function expectSameAsTshark(file: string): { rep: PcapReport; expected: Map<number, Expected> } {
    const rep = analyzePcapFile(file);
    const recs = tsharkRecords(file, port);
    const expected = new Map<number, Expected>();
    for (const f of rep.flows) {
      const e = expectedOf(recs.filter((r) => r.stream === f.index));
      expected.set(f.index, e);
      expect({ flow: f.index, helloT: f.tls?.helloT, doneT: f.tls?.doneT, hs: f.tlsHandshakeNs, version: f.tls?.version, offered: f.tls?.alpnOffered }).toEqual({
        flow: f.index,
        helloT: e.helloT,
        doneT: e.doneT,
        hs: e.doneT < 0 ? -1 : e.doneT - e.helloT,
        version: e.version,
        offered: e.alpnOffered,
      });
      // the server slept in GetConfigForClient before its ServerHello
      if (e.doneT >= 0) expect(f.tlsHandshakeNs).toBeGreaterThanOrEqual(TLS_DELAY_NS);
    }
    return { rep, expected };
  }

  it("TLS 1.3, HTTP/1.1: the handshake to the server's flight and each exchange from the records equal tshark's", () => {
    const { rep, expected } = expectSameAsTshark(files.tls13);
    expect(rep.flows.length).toBeGreaterThan(0);
    for (const f of rep.flows) {
      expect(f.tls?.exchangesTimed).toBe(true);
      const mine = rep.exchanges.filter((x) => x.flow === f.index).map((x) => ({ tStart: x.tStart, serverNs: x.serverNs, transferNs: x.transferNs, totalNs: x.totalNs }));
      expect(mine).toEqual(expected.get(f.index)!.exchanges);
    }
    // every request the client made, each timed; the slow path's are those with the handler's sleep
    expect(rep.exchanges.length).toBe(9);
    expect(rep.exchanges.every((x) => x.tls && x.request === "" && x.status === 0)).toBe(true);
    expect(rep.exchanges.filter((x) => x.serverNs >= HANDLER_DELAY_NS).length).toBe(3);
  });

  it("TLS 1.2, HTTP/1.1: the handshake to the server's Finished and each exchange equal tshark's; the close_notify alert is no response", () => {
    const { rep, expected } = expectSameAsTshark(files.tls12);
    for (const f of rep.flows) {
      const mine = rep.exchanges.filter((x) => x.flow === f.index).map((x) => ({ tStart: x.tStart, serverNs: x.serverNs, transferNs: x.transferNs, totalNs: x.totalNs }));
      expect(mine).toEqual(expected.get(f.index)!.exchanges);
    }
    expect(rep.exchanges.length).toBe(9);
    expect(rep.exchanges.filter((x) => x.serverNs >= HANDLER_DELAY_NS).length).toBe(3);
  });

  it("cut at snaplen 256 (what capture --pcap keeps) and 150 (the ServerHello cut before its version): the same handshakes; exchanges only where ALPN is still known", () => {
    for (const snap of [256, 150]) {
      for (const name of ["tls13", "tls12"] as const) {
        const cut = join(dir, `${name}-s${snap}.pcap`);
        expect(spawnSync("editcap", ["-s", String(snap), files[name], cut]).status).toBe(0);
        const full = analyzePcapFile(files[name]);
        const short = analyzePcapFile(cut);
        // most records' headers are past the cut (found again where a segment starts with one);
        // at 150 bytes the ServerHello ends before supported_versions, and the client's next
        // flight tells the version; the ClientHello's ALPN list is cut (null: not known, not none)
        const hs = (r: PcapReport) => r.flows.map((f) => [f.tlsHandshakeNs, f.tls?.helloT, f.tls?.doneT]);
        expect(hs(short)).toEqual(hs(full));
        // Go 1.24+'s ClientHello (~1.5 KB with its post-quantum key share) is cut before its
        // ALPN list at both sizes. TLS 1.2's ServerHello (small, whole) still tells the choice;
        // TLS 1.3 encrypts it, and an unknown protocol is not split: Go's clients offer h2 by
        // default, and h2 split as HTTP/1.x would give wrong exchanges
        for (const f of short.flows) expect(f.tls?.alpnOffered ?? null).toBeNull();
        const splitFlows = new Set(short.flows.filter((f) => f.tls?.exchangesTimed).map((f) => f.index));
        if (name === "tls13") {
          expect(splitFlows.size).toBe(0);
          expect(short.warnings.join("\n")).toMatch(/ClientHello the capture cut before its ALPN list/);
        } else expect(splitFlows).toEqual(new Set(full.flows.filter((f) => f.tls?.exchangesTimed).map((f) => f.index)));
        expect(full.warnings.join("\n")).not.toMatch(/ALPN/);
        // the version of each completed handshake; a connection abandoned after the ServerHello
        // (Go's spare dials) never shows its client's next flight: unknown ("") when the hello was cut
        short.flows.forEach((f, i) => {
          const v = full.flows[i]!.tls!.version;
          if (f.tlsHandshakeNs >= 0) expect(f.tls!.version).toBe(v);
          else expect(["", v]).toContain(f.tls!.version);
        });
        const ex = (r: PcapReport) => r.exchanges.filter((x) => splitFlows.has(x.flow)).map((x) => [x.flow, x.tStart, x.serverNs, x.transferNs, x.totalNs]);
        expect(ex(short)).toEqual(ex(full));
        expect(short.exchanges.length).toBe(name === "tls13" ? 0 : 9);
      }
    }
  });

  it("damaged TLS captures (bytes flipped in the records, cut) end as a report or one InputError, never another exception", () => {
    const src = readFileSync(files.tls13);
    const out = join(dir, "tls-fuzz.pcap");
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }), fc.nat(), (flips, cut) => {
        const b = Buffer.from(src);
        // past the file header, where the records' headers and hellos are
        for (const [at, v] of flips) b[24 + (at % (b.length - 24))] = v;
        writeFileSync(out, b.subarray(0, Math.max(1, b.length - (cut % 2048))));
        try {
          analyzePcapFile(out);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });

  it("HTTP/2 over TLS: the handshake is timed; the exchanges are not split (the client offered h2, TLS 1.3 hides the choice)", () => {
    const { rep } = expectSameAsTshark(files.h2);
    for (const f of rep.flows) {
      expect(f.tls?.alpnOffered).toContain("h2");
      expect(f.tls?.exchangesTimed).toBe(false);
    }
    expect(rep.exchanges.length).toBe(0);
  });

  it("diagnose, given the capture of a server slow to complete TLS, names the TLS layer", async () => {
    const bundle = join(dir, "bundle");
    mkdirSync(bundle);
    const pcap = join(bundle, "capture.pcap");
    copyFileSync(files.tls13, pcap);
    const manifest = {
      godiag: 1,
      target: `https://127.0.0.1:${port}`,
      captureTime: new Date().toISOString(),
      files: [{ path: "capture.pcap", kind: "pcap", source: `tcpdump -i lo tcp port ${port}`, bytes: statSync(pcap).size }],
    };
    writeFileSync(join(bundle, "manifest.json"), JSON.stringify(manifest));
    // diagnose exits 1 on a warning finding (a P99 over 100 ms is one)
    const out = await ns!.exec(process.execPath, [CLI, "diagnose", bundle, "--json", "--verbose"], 60_000, [0, 1, 3]);
    const j = JSON.parse(out) as { findings: Array<{ id: string; summary: string; evidence: Array<{ numbers?: Record<string, number> }> }> };
    const net = j.findings.find((f) => f.id.startsWith("network-latency:"));
    expect(net?.id).toBe("network-latency:tls");
    expect(net?.summary).toContain("the server's last handshake flight");
    // the handshakes the capture holds, each over the server's 300 ms sleep
    const rep = analyzePcapFile(files.tls13);
    const numbers = net!.evidence[0]!.numbers!;
    expect(numbers["tls_handshakes"]).toBe(rep.flows.filter((f) => f.tlsHandshakeNs >= 0).length);
    expect(numbers["tls_handshake_p99_ms"]).toBeGreaterThanOrEqual(TLS_DELAY_NS / 1e6);
  });
});
