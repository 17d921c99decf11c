// godiag watch's configuration: Prometheus' keys, one-line errors naming the file
// and the YAML line (exit 2), hashmod sharding as Prometheus computes it (Go's
// md5 is the oracle), and file_sd discovery that follows its files' changes.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Discovery, hashmod, parseWatchConfig } from "../src/api/watch.js";
import { InputError } from "../src/api/errors.js";
import { runCli } from "./helpers/run.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-watch-config-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function errorOf(yaml: string): InputError {
  try {
    parseWatchConfig(yaml, "godiag.yaml");
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("configuration", () => {
  it("reads Prometheus' keys with their defaults and the job's overrides", () => {
    const c = parseWatchConfig(
      ["global:", "  scrape_interval: 30s", "scrape_configs:", "  - job_name: api", "    scrape_interval: 1m", "    scrape_timeout: 20s", "    static_configs:", "      - targets: ['10.0.0.1:6060']", "        labels: {env: prod}", "  - job_name: db", "    static_configs: [{targets: ['db:6060']}]", "    profiles: {cpu: 0s, block: false}"].join("\n"),
      "godiag.yaml",
    );
    expect(c.jobs[0]).toMatchObject({ name: "api", intervalMs: 60_000, timeoutMs: 20_000, staticConfigs: [{ targets: ["10.0.0.1:6060"], labels: { env: "prod" } }] });
    // Prometheus' defaults: global timeout 10s, interval from global.
    expect(c.jobs[1]).toMatchObject({ name: "db", intervalMs: 30_000, timeoutMs: 10_000 });
    expect(c.jobs[1]!.profiles).toMatchObject({ cpuSeconds: 0, block: false, heap: true });
    expect(c.storage).toMatchObject({ engine: "duckdb", retentionMs: 7 * 86_400_000 });
  });

  it("names the YAML line of a bad value, a misspelt key and a YAML syntax error", () => {
    const bad = errorOf(["global:", "  scrape_interval: 15s", "scrape_configs:", "  - job_name: api", "    scrape_interval: soon", "    static_configs: [{targets: ['a:1']}]"].join("\n"));
    expect(bad.line).toBe(5);
    expect(bad.message).toMatch(/^godiag\.yaml: scrape_configs\.0\.scrape_interval: not a duration/);
    const typo = errorOf(["scrape_configs:", "  - job_name: api", "    static_config: [{targets: ['a:1']}]"].join("\n"));
    expect(typo.line).toBe(2); // the job holding the unknown key
    expect(typo.message).toMatch(/static_config/);
    const target = errorOf(["scrape_configs:", "  - job_name: api", "    static_configs:", "      - targets: ['http://a:1']"].join("\n"));
    expect(target.line).toBe(4);
    expect(target.message).toMatch(/host:port/);
    const yaml = errorOf("scrape_configs:\n  - job_name: [api\n");
    expect(yaml.message).toMatch(/^godiag\.yaml: YAML/);
    expect(yaml.line).toBeGreaterThanOrEqual(2);
    const cpu = errorOf(["global: {scrape_timeout: 5s}", "scrape_configs:", "  - job_name: api", "    static_configs: [{targets: ['a:1']}]", "    profiles:", "      cpu: 10s"].join("\n"));
    expect(cpu.line).toBe(6);
    expect(cpu.message).toMatch(/does not fit in scrape_timeout/);
  });

  it("the CLI prints one line with the file and line, exit 2", () => {
    const f = join(tmp, "bad.yaml");
    writeFileSync(f, "scrape_configs:\n  - job_name: api\n    scrape_timeout: 20s\n    scrape_interval: 10s\n    static_configs: [{targets: ['a:1']}]\n");
    const r = runCli(["watch", "--config", f, "--data", join(tmp, "d")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(f);
    expect(r.stderr).toMatch(/at line 2\)/);
    expect(runCli(["watch", "--config", join(tmp, "missing.yaml")]).stderr).toMatch(/missing\.yaml: no such file/);
  });
});

describe("hashmod sharding", () => {
  it("splits targets exactly as Prometheus' hashmod relabeling (md5 in Go as the oracle)", () => {
    const addrs = Array.from({ length: 40 }, (_, i) => `10.1.${i}.7:${6000 + i}`);
    const dir = join(tmp, "hashmod");
    execFileSync("mkdir", ["-p", dir]);
    writeFileSync(
      join(dir, "main.go"),
      `package main
import ("crypto/md5";"encoding/binary";"fmt";"os")
func main(){ for _, a := range os.Args[1:] { h := md5.Sum([]byte(a)); fmt.Println(binary.BigEndian.Uint64(h[8:]) % 7) } }
`,
    );
    const out = execFileSync("go", ["run", "main.go", ...addrs], { cwd: dir, encoding: "utf8", env: { ...process.env, GO111MODULE: "off" }, timeout: 120_000 });
    expect(addrs.map((a) => hashmod(a, 7))).toEqual(out.trim().split("\n").map(Number));
    // Every target lands in exactly one of the shards.
    const yaml = (i: number) => `scrape_configs:\n  - job_name: f\n    static_configs: [{targets: [${addrs.map((a) => `'${a}'`).join(", ")}]}]\nshard: {total: 3, index: ${i}}\n`;
    const owned = [0, 1, 2].map((i) => new Discovery(parseWatchConfig(yaml(i), "g.yaml"), () => undefined).targets().map((t) => t.address));
    expect(owned.flat().sort()).toEqual([...addrs].sort());
    expect(owned.every((o) => o.length > 0)).toBe(true);
  }, 150_000);
});

describe("file_sd discovery", () => {
  it("reads JSON and YAML target files, follows changes, and keeps the last good targets of a broken file", () => {
    const dir = join(tmp, "sd");
    execFileSync("mkdir", ["-p", dir]);
    const cfgFile = join(dir, "godiag.yaml");
    writeFileSync(cfgFile, "scrape_configs:\n  - job_name: sd\n    file_sd_configs: [{files: ['targets/*.json', 'more.yaml']}]\n");
    execFileSync("mkdir", ["-p", join(dir, "targets")]);
    writeFileSync(join(dir, "targets/a.json"), JSON.stringify([{ targets: ["a:1", "b:2"], labels: { team: "x" } }]));
    writeFileSync(join(dir, "more.yaml"), "- targets: ['c:3']\n");
    const lines: string[] = [];
    const d = new Discovery(parseWatchConfig(`scrape_configs:\n  - job_name: sd\n    file_sd_configs: [{files: ['targets/*.json', 'more.yaml']}]\n`, cfgFile), (l) => lines.push(l));
    const addrs = () => d.targets().map((t) => t.address).sort();
    expect(addrs()).toEqual(["a:1", "b:2", "c:3"]);
    expect(d.targets().find((t) => t.address === "a:1")!.labels).toMatchObject({ team: "x", job: "sd", instance: "a:1" });
    writeFileSync(join(dir, "targets/a.json"), JSON.stringify([{ targets: ["a:1", "b:2", "d:4"] }]));
    expect(addrs()).toEqual(["a:1", "b:2", "c:3", "d:4"]);
    writeFileSync(join(dir, "targets/a.json"), "[{targets: nope");
    expect(addrs()).toEqual(["a:1", "b:2", "c:3", "d:4"]);
    expect(lines.at(-1)).toMatch(/a\.json: .*keeping the last good targets/);
    rmSync(join(dir, "more.yaml"));
    expect(addrs()).toEqual(["a:1", "b:2", "d:4"]);
  });
});
