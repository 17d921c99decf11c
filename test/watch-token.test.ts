// The history endpoint of a running watcher is behind a token: the profiles hold every
// function and file name of the fleet, so only who can read the data directory (where
// the watcher writes the token, mode 0600) may read them. /metrics and health stay open,
// as Prometheus expects. `godiag query` on the directory reads the token and gets in.

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runningFile } from "../src/api/watch.js";
import { runCli } from "./helpers/run.js";
import { startWatcher, type RunningWatcher } from "./helpers/watcher.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-watch-token-"));
const data = join(tmp, "data");
let w: RunningWatcher;

beforeAll(async () => {
  const cfg = join(tmp, "godiag.yaml");
  // A target nobody listens on: the watcher runs, its history is empty.
  writeFileSync(cfg, "scrape_configs:\n  - job_name: t\n    static_configs: [{targets: ['127.0.0.1:9']}]\n");
  w = await startWatcher(["--config", cfg, "--data", data, "--listen", "127.0.0.1:0", "--no-diagnose"]);
}, 30_000);

afterAll(async () => {
  await w?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const get = (path: string, token?: string): Promise<Response> => fetch(`${w.url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

describe("godiag watch: the history endpoint needs the token of DIR/watcher.json", () => {
  it("writes watcher.json readable by its owner only, with a token of 256 random bits", () => {
    const st = statSync(runningFile(data));
    expect(st.mode & 0o777).toBe(0o600);
    const info = JSON.parse(readFileSync(runningFile(data), "utf8")) as { url: string; token: string };
    expect(info.url).toBe(w.url);
    // 32 bytes in base64url: 43 characters.
    expect(info.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("refuses /api/history/* without the token or with a wrong one, answers with it; /metrics stays open", async () => {
    const { token } = JSON.parse(readFileSync(runningFile(data), "utf8")) as { token: string };
    for (const path of ["/api/history/targets", "/api/history/profile?target=127.0.0.1:9&type=cpu&from=0&to=1"]) {
      expect((await get(path)).status).toBe(401);
      expect((await get(path, token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"))).status).toBe(401);
      expect((await get(path, "")).status).toBe(401);
    }
    const ok = await get("/api/history/targets", token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([]);
    // A range with nothing in it: 404 (not 401) once authorized.
    expect((await get("/api/history/profile?target=127.0.0.1:9&type=cpu&from=0&to=1", token)).status).toBe(404);
    expect((await get("/metrics")).status).toBe(200);
  });

  it("godiag query on the running watcher's directory uses the token; a wrong token is one line, exit 2", () => {
    const ok = runCli(["query", "--data", data, "--target", "127.0.0.1:9", "--type", "goroutine", "--from", "-1h", "--json"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { goroutines: unknown[] }).goroutines).toEqual([]);
    const file = runningFile(data);
    const good = readFileSync(file, "utf8");
    try {
      const info = JSON.parse(good) as { token: string };
      writeFileSync(file, JSON.stringify({ ...info, token: "not-the-token" }));
      const bad = runCli(["query", "--data", data, "--target", "127.0.0.1:9", "--type", "goroutine", "--from", "-1h", "--json"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^godiag: .*refused the token.*\n$/);
    } finally {
      writeFileSync(file, good, { mode: 0o600 });
    }
  });
});
