// A service whose /debug/pprof is served over TLS with a certificate of its own
// (testdata/workloads/badtarget -tls-cert): Node does not trust it, so the capture stops
// at once with one line naming the URL and the way to trust the CA; trusted through
// NODE_EXTRA_CA_CERTS (Node's documented mechanism), the capture is complete and its
// CPU profile reads in go tool pprof.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseManifest } from "../src/bundle/manifest.js";
import { available } from "./helpers/available.js";
import { buildWorkload, startLive, stopAll, type Live } from "./helpers/live.js";
import { pprofBinary, runCli, runPprof } from "./helpers/run.js";

const hasTools = available(spawnSync("openssl", ["version"]).status === 0 && pprofBinary() !== null, "openssl and Go");
const tmp = mkdtempSync(join(tmpdir(), "godiag-tls-"));
const cert = join(tmp, "cert.pem");
let live: Live;

beforeAll(async () => {
  if (!hasTools) return;
  const key = join(tmp, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=godiag test", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "pipe" });
  live = await startLive(buildWorkload("badtarget"), ["-seconds", "60", "-tls-cert", cert, "-tls-key", key]);
}, 300_000);

afterAll(async () => {
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!hasTools)("capture from an https debug endpoint", () => {
  it("an untrusted certificate: exit 2 within seconds, one line naming the URL and NODE_EXTRA_CA_CERTS", () => {
    expect(live.url).toMatch(/^https:/);
    const t0 = Date.now();
    const r = runCli(["capture", live.url, "-o", join(tmp, "untrusted"), "--seconds", "5"], { timeoutMs: 30_000 });
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(r.code).toBe(2);
    const last = r.stderr.trimEnd().split("\n").at(-1)!;
    expect(last).toContain(`${live.url}/debug/pprof/`);
    expect(last).toMatch(/self-signed certificate.*NODE_EXTRA_CA_CERTS/);
  });

  it("trusted through NODE_EXTRA_CA_CERTS: a complete bundle whose CPU profile go tool pprof reads", () => {
    const dir = join(tmp, "trusted");
    const r = runCli(["capture", live.url, "-o", dir, "--seconds", "1"], { timeoutMs: 60_000, env: { NODE_EXTRA_CA_CERTS: cert } });
    expect(r.code, r.stderr).toBe(0);
    const m = parseManifest(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(m.files.filter((f) => f.error !== undefined)).toEqual([]);
    expect(m.files.map((f) => f.path)).toContain("cpu.pb.gz");
    const top = runPprof(["-top", join(dir, "cpu.pb.gz")]);
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toMatch(/^Type: cpu$/m);
  });
});
