// `godiag http URL [-n 50] [-c 4] [--json]`: each request's phases (DNS, connect, TLS,
// written, server, transfer), connection reuse, percentiles, and what the shape says.

import type { Command } from "commander";
import { durationFlag, numberFlag, type IO } from "../flags.js";
import { UsageError } from "../../../api/errors.js";
import { auditHost, isLocalHost, probeHttp, readHostInput, readTcpExt, renderHttpJson, renderHttpText, type HostFinding } from "../../../api/net.js";

interface HttpFlags {
  requests: string;
  concurrency: string;
  json?: boolean;
  insecure?: boolean;
  http2?: boolean;
  timeout: string;
}

export function registerHttpCommand(program: Command, io: IO): void {
  program
    .command("http")
    .description("Time HTTP requests phase by phase (DNS, connect, TLS, written, server, transfer), like httpstat, with percentiles and flags for SYN-retransmit-shaped connects and server-dominated latency")
    .argument("<url>", "http:// or https:// URL")
    .option("-n, --requests <n>", "requests to make", "50")
    .option("-c, --concurrency <n>", "connections used at once (each keeps its connection alive)", "4")
    .option("--http2", "HTTP/2: ALPN h2 on https, prior-knowledge h2c on http")
    .option("--insecure", "do not verify the server's certificate (self-signed test servers)")
    .option("--timeout <duration>", "per request (Go duration)", "30s")
    .option("--json", "JSON output (docs/NET.md)")
    .action(async (url: string, f: HttpFlags) => {
      const requests = numberFlag("-n", f.requests, { min: 1, integer: true });
      const concurrency = numberFlag("-c", f.concurrency, { min: 1, integer: true });
      if (requests > 1_000_000 || concurrency > 1000) throw new UsageError("-n is at most 1000000 and -c at most 1000");
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw new UsageError(`"${url}" is not a URL`);
      }
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new UsageError(`${url}: want an http:// or https:// URL`);
      const timeoutMs = Math.round(durationFlag("--timeout", f.timeout) * 1000);
      // a local target: the host's limits and the accept-queue counters over the run
      const local = isLocalHost(u.href);
      const before = local ? readTcpExt() : undefined;
      const r = await probeHttp(u.href, { requests, concurrency, insecure: f.insecure === true, protocol: f.http2 ? "2" : "1.1", timeoutMs });
      // nothing answered: one line and exit 2, like every command given an unreachable target
      if (r.errors === r.requests.length) throw new UsageError(`${u.href}: all ${r.errors} requests failed (${r.requests[0]?.error ?? "no answer"})`);
      let host: { listenOverflowsDuringRun: number; findings: HostFinding[] } | undefined;
      if (before) {
        const after = readTcpExt();
        const port = Number(u.port) || (u.protocol === "https:" ? 443 : 80);
        host = {
          listenOverflowsDuringRun: (after.get("TcpExt.ListenOverflows") ?? 0) - (before.get("TcpExt.ListenOverflows") ?? 0),
          findings: auditHost(readHostInput({ port })),
        };
      }
      if (f.json) {
        io.out(host ? renderHttpJson({ ...r, host }) : renderHttpJson(r));
        return;
      }
      io.out(renderHttpText(r, requests <= 100));
      if (host) {
        io.out(`\nhost (local target): ListenOverflows +${host.listenOverflowsDuringRun} during the run (every listener of this network namespace)\n`);
        for (const h of host.findings) io.out(`  ${h.severity}: ${h.message}\n    change: ${h.fix}\n`);
      }
    });
}
