// godiag watch against a real fleet: two fault workloads (a goroutine leak and a
// healthy service) and three bad targets (every endpoint 500, one that hangs, one
// serving garbage) at once, a webhook that fails its first delivery, the real
// DuckDB store. Oracles: go tool pprof's merge of the very profiles the watcher
// scraped (--keep-raw), the leak workload's known behaviour, Prometheus' text format.

import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckStore } from "../src/store/duckdb.js";
import { storeFile, type AlertPayload } from "../src/api/watch.js";
import { buildWorkload, startLive, stopAll, type Live } from "./helpers/live.js";
import { pprofBinary, runCli, runPprof } from "./helpers/run.js";
import { metricValue, startWatcher, waitFor, type RunningWatcher } from "./helpers/watcher.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-watch-live-"));
const servers: Server[] = [];
const addr = (l: Live): string => l.url.replace(/^http:\/\//, "");

function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  return new Promise((r) => s.listen(0, "127.0.0.1", () => r(`127.0.0.1:${(s.address() as { port: number }).port}`)));
}

let leak: Live, healthy: Live, fail500: Live;
let hung: string, garbage: string, hookUrl: string;
const hooks: Array<{ attempt: number; body: AlertPayload }> = [];
let hookRequests = 0;

beforeAll(async () => {
  const [leakBin, healthyBin, badBin] = [buildWorkload("faults/leakserver"), buildWorkload("faults/healthy"), buildWorkload("badtarget")];
  pprofBinary();
  leak = await startLive(leakBin, ["-seconds", "120"]);
  healthy = await startLive(healthyBin, ["-seconds", "120"]);
  fail500 = await startLive(badBin, ["-seconds", "120", "-fail500", "profile,heap,allocs,block,mutex,goroutine,vars"]);
  // Accepts, then never answers.
  hung = await serve(() => undefined);
  garbage = await serve((_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.end(randomBytes(4096));
  });
  hookUrl = `http://${await serve((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      hookRequests++;
      // The first delivery fails: the watcher must retry it.
      if (hookRequests === 1) {
        res.writeHead(500);
        res.end("busy");
        return;
      }
      hooks.push({ attempt: hookRequests, body: JSON.parse(body) as AlertPayload });
      res.writeHead(200);
      res.end();
    });
  })}/hook`;
}, 300_000);

afterAll(async () => {
  await stopAll();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  rmSync(tmp, { recursive: true, force: true });
});

function config(): string {
  const f = join(tmp, "godiag.yaml");
  writeFileSync(
    f,
    `global:
  scrape_interval: 2s
  scrape_timeout: 1500ms
  max_concurrent_scrapes: 4
scrape_configs:
  - job_name: good
    static_configs:
      - targets: ['${addr(leak)}', '${addr(healthy)}']
        labels: {env: test}
    profiles: {cpu: 1s, goroutine_dump_growth: 50}
  - job_name: bad
    static_configs:
      - targets: ['${addr(fail500)}', '${hung}', '${garbage}']
    profiles: {cpu: 1s}
alerting:
  window: 2s
  goroutine_growth: {windows: 3, min_per_minute: 100}
  webhooks: [{url: '${hookUrl}', max_retries: 3}]
`,
  );
  return f;
}

describe("a fleet with a leak and bad targets", () => {
  const data = join(tmp, "data");
  const raw = join(tmp, "raw");
  let w: RunningWatcher;
  let metrics = "";
  let runMs = 0;
  let exit: number | null;
  let busy: ReturnType<typeof runCli>;

  beforeAll(async () => {
    const t0 = Date.now();
    w = await startWatcher(["--config", config(), "--data", data, "--listen", "127.0.0.1:0", "--keep-raw", raw, "--log-stores"]);
    await waitFor("the leak's alert at the webhook", () => hooks.some((h) => h.body.alert === "GoroutinesGrowing"), 40_000);
    metrics = await (await fetch(`${w.url}/metrics`)).text();
    runMs = Date.now() - t0;
    busy = runCli(["query", "--data", data, "--target", addr(leak), "--type", "goroutine", "--from", "-10m", "--json"]);
    exit = await w.stop();
  }, 120_000);

  it("query on a running watcher's directory is answered by the watcher (DuckDB lets one process hold the file)", () => {
    expect(busy.stderr).toBe("");
    expect(busy.code).toBe(0);
    const j = JSON.parse(busy.stdout) as { goroutines: Array<{ time: string; count: number }> };
    expect(j.goroutines.length).toBeGreaterThanOrEqual(2);
    expect(j.goroutines.at(-1)!.count).toBeGreaterThan(j.goroutines[0]!.count);
  });

  it("stops on SIGTERM with status 0 after writing its scrapes", () => {
    expect(exit).toBe(0);
    expect(w.lines.join("\n")).toContain("stopping");
  });

  it("raises the leak's growth by webhook, retried after a 500, with the fit's slope and rate", () => {
    const a = hooks.find((h) => h.body.alert === "GoroutinesGrowing")!.body;
    expect(a.status).toBe("firing");
    expect(a.instance).toBe(addr(leak));
    expect(a.job).toBe("good");
    expect(a.labels).toMatchObject({ env: "test", instance: addr(leak), job: "good" });
    // leakserver leaks a goroutine per slow request, continuously: hundreds a minute.
    expect(Number(a.values.per_minute)).toBeGreaterThan(100);
    expect(Number(a.values.r2)).toBeGreaterThanOrEqual(0.8);
    expect(Number(a.values.last)).toBeGreaterThan(Number(a.values.first));
    expect(hookRequests).toBeGreaterThanOrEqual(2); // the failed first attempt, then the retry
    // The healthy service does not leak.
    expect(hooks.filter((h) => h.body.alert === "GoroutinesGrowing" && h.body.instance === addr(healthy))).toEqual([]);
  });

  it("serves up=1 for the services and up=0 for the 500, hung and garbage targets, with their error reasons", () => {
    expect(metricValue(metrics, "godiag_target_up", { instance: addr(leak) })).toBe(1);
    expect(metricValue(metrics, "godiag_target_up", { instance: addr(healthy) })).toBe(1);
    expect(metricValue(metrics, "godiag_target_up", { instance: addr(fail500) })).toBe(0);
    expect(metricValue(metrics, "godiag_target_up", { instance: hung })).toBe(0);
    expect(metricValue(metrics, "godiag_target_up", { instance: garbage })).toBe(0);
    expect(metricValue(metrics, "godiag_scrape_errors_total", { instance: addr(fail500), profile: "heap", reason: "http_500" })).toBeGreaterThan(0);
    expect(metricValue(metrics, "godiag_scrape_errors_total", { instance: hung, profile: "heap", reason: "timeout" })).toBeGreaterThan(0);
    expect(metricValue(metrics, "godiag_scrape_errors_total", { instance: garbage, profile: "heap", reason: "decode" })).toBeGreaterThan(0);
    expect(metricValue(metrics, "godiag_target_goroutines", { instance: addr(leak) })).toBeGreaterThan(50);
    expect(metricValue(metrics, "godiag_target_heap_inuse_bytes", { instance: addr(healthy) })).toBeGreaterThan(0);
    expect(metricValue(metrics, "godiag_alert_active", { instance: addr(leak), alert: "GoroutinesGrowing" })).toBe(1);
  });

  it("the bad targets delay nobody: every interval of the good job was scraped and stored", () => {
    expect(metricValue(metrics, "godiag_scrapes_skipped_total", { job: "good" }) ?? 0).toBe(0);
    const stored = (a: string) => w.lines.filter((l) => l.includes(` stored good/${a} goroutine `)).length;
    // One scrape per 2 s interval since start-up, less the first partial interval and the one in flight at the stop.
    const intervals = Math.floor(runMs / 2000);
    for (const a of [addr(leak), addr(healthy)]) expect(stored(a)).toBeGreaterThanOrEqual(intervals - 3);
  });

  it("keeps the history: the leak's goroutine count over time grows", () => {
    const r = runCli(["query", "--data", data, "--target", addr(leak), "--type", "goroutine", "--from", "-10m", "--to", "now", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { goroutines: Array<{ time: string; count: number }> };
    expect(j.goroutines.length).toBeGreaterThanOrEqual(3);
    expect(j.goroutines.at(-1)!.count).toBeGreaterThan(j.goroutines[0]!.count);
  });

  it("gives timelines: goroutines, heap in use, GC CPU, and top functions that are the merged profile's", () => {
    const r = runCli(["query", "--data", data, "--target", addr(healthy), "--type", "cpu", "--from", "-10m", "--json", "--bucket", "4"]);
    expect(r.code).toBe(0);
    const tl = JSON.parse(r.stdout) as { goroutines: unknown[]; heapInuseBytes: Array<{ bytes: number }>; gcCpuFraction: unknown[]; topFunctions: Array<{ time: string; function: string; value: number }> };
    expect(tl.goroutines.length).toBeGreaterThanOrEqual(3);
    expect(tl.heapInuseBytes.every((p) => p.bytes > 0)).toBe(true);
    expect(tl.gcCpuFraction.length).toBe(tl.heapInuseBytes.length);
    expect(tl.topFunctions.length).toBeGreaterThan(0);
    // Every bucket's top functions are functions with flat CPU in pprof's view of the merged profile.
    const merged = join(tmp, "tl-cpu.pb.gz");
    expect(runCli(["query", "--data", data, "--target", addr(healthy), "--type", "cpu", "--from", "-10m", "-o", merged]).code).toBe(0);
    const flat = new Set(
      runPprof(["-top", "-nodecount=100000", merged])
        .stdout.split("\n")
        .filter((l) => /^\s*[\d.]+m?s /.test(l))
        .map((l) => l.trim().split(/\s+/).slice(5).join(" ").replace(/ \(inline\)$/, "")),
    );
    for (const p of tl.topFunctions) expect(flat, p.function).toContain(p.function);
    expect(new Set(tl.topFunctions.map((p) => p.time)).size).toBeGreaterThanOrEqual(2);
  });

  for (const type of ["cpu", "heap", "goroutine"] as const)
    it(`the merged ${type} profile's top equals go tool pprof's merge of the same raw scrapes`, () => {
      const dir = join(raw, "good", addr(healthy).replace(":", "_"));
      const files = readdirSync(dir).filter((f) => f.startsWith(`${type}-`)).map((f) => join(dir, f));
      expect(files.length).toBeGreaterThanOrEqual(3);
      const ours = join(tmp, `q-${type}.pb.gz`);
      const q = runCli(["query", "--data", data, "--target", addr(healthy), "--type", type, "--from", "-10m", "--to", "now", "-o", ours]);
      expect(q.stderr).toBe("");
      expect(q.code).toBe(0);
      const peerFile = join(tmp, `p-${type}.pb.gz`);
      expect(runPprof(["-proto", "-output", peerFile, ...files]).code).toBe(0);
      for (const idx of type === "heap" ? ["inuse_space", "alloc_objects"] : [""]) {
        const args = ["-top", "-nodecount=100000", ...(idx ? [`-sample_index=${idx}`] : [])];
        const a = runPprof([...args, ours]);
        const b = runPprof([...args, peerFile]);
        expect(a.code).toBe(0);
        expect(a.stdout).toBe(b.stdout);
        expect(a.stdout).toMatch(/flat%/);
      }
    });

  it("keeps a goroutine?debug=2 dump of the leak when its count grew", async () => {
    const s = await DuckStore.open(storeFile(data), { readOnly: true });
    try {
      const rows = await s.rows("SELECT target, goroutines, dump_gz FROM dumps ORDER BY ts");
      const mine = rows.filter((r) => r[0] === addr(leak));
      expect(mine.length).toBeGreaterThanOrEqual(1);
      const text = gunzipSync(mine[0]![2] as Uint8Array).toString("utf8");
      expect(text).toMatch(/^goroutine \d+ \[/m);
      expect(text).toContain("main.notifyAudit");
      expect(rows.filter((r) => r[0] === addr(healthy))).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
