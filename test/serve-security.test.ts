// godiag serve's security, over plain HTTP against the built CLI: the default bind is
// 127.0.0.1; every answer carries the CSP and nosniff and no CORS header; a foreign Host
// is refused (DNS rebinding); a non-loopback bind refuses requests without the token and
// accepts it (Bearer, or ?token= once then the cookie); the source view reads only files
// under the source roots (absolute paths, ../ traversal and symlinks out are refused,
// while `godiag list` itself, like pprof, reads them); zod refuses bad queries.

import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeProfileGz } from "../src/core/codec/index.js";
import { ProfileBuilder } from "../src/core/model/index.js";
import { available } from "./helpers/available.js";
import { CLI, ROOT, runCli } from "./helpers/run.js";
import { startServe, type RunningServe } from "./helpers/serve-ui.js";

const hasCli = available(existsSync(CLI), `the built CLI (${CLI})`);
const OUT = join(ROOT, "test-output/serve-security");
const SRC = join(OUT, "src");
const PROFILE = join(OUT, "traversal.pb.gz");
const CPU = join(ROOT, "testdata/profiles/cpubound/cpu.pb.gz");

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET with any headers (fetch may not set Host). */
function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A CPU profile whose functions name sources inside the root, outside it, and through a symlink out of it. */
function writeTraversalProfile(): void {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(SRC, { recursive: true });
  writeFileSync(join(SRC, "ok.go"), "package main\n\nfunc inside() { // godiag-inside-root\n}\n");
  symlinkSync("/etc/passwd", join(SRC, "link.go"));
  const b = new ProfileBuilder();
  b.sampleTypes = [{ type: "samples", unit: "count" }, { type: "cpu", unit: "nanoseconds" }];
  b.periodType = { type: "cpu", unit: "nanoseconds" };
  b.period = 10_000_000;
  const files: [string, string][] = [
    ["main.inside", join(SRC, "ok.go")],
    ["main.absolute", "/etc/passwd"],
    ["main.dotdot", "../../../../../../../../../../etc/passwd"],
    ["main.symlink", join(SRC, "link.go")],
  ];
  files.forEach(([name, file], i) => {
    const f = b.addFunction(name, name, file, 1);
    const loc = b.addLocation([{ func: f, line: 1 }], BigInt(0x1000 + i * 16));
    b.addSample([loc], [10 + i, (10 + i) * 10_000_000]);
  });
  writeFileSync(PROFILE, writeProfileGz(b.build()));
}

describe.skipIf(!hasCli)("godiag serve: security", () => {
  let local: RunningServe;
  beforeAll(async () => {
    writeTraversalProfile();
    local = await startServe([PROFILE, CPU, `--source_path=${SRC}`]);
  });
  afterAll(async () => {
    await local?.stop();
  });

  it("binds 127.0.0.1 and a free port by default and prints the URL", () => {
    expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(Number(new URL(local.url).port)).toBeGreaterThan(0);
  });

  it("sets the CSP (nothing outside this server) and nosniff on every answer, and no CORS header", async () => {
    for (const path of ["", "api/meta", "api/top?p=1", "assets/main.js", "api/top?nope=1", "no/such/thing"]) {
      const r = await get(local.url + path, { Origin: "http://evil.example" });
      const csp = String(r.headers["content-security-policy"]);
      expect(csp, path).toContain("default-src 'self'");
      expect(csp).not.toMatch(/https?:|\*/);
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    }
    expect((await get(local.url + "api/meta")).status).toBe(200);
  });

  it("refuses a request whose Host is not the loopback address (DNS rebinding)", async () => {
    const port = new URL(local.url).port;
    expect((await get(local.url + "api/meta", { Host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(local.url + "api/meta", { Host: `localhost:${port}` })).status).toBe(200);
  });

  it("zod refuses unknown, mistyped and oversized query parameters (400, one line)", async () => {
    for (const q of ["nope=1", "p=abc", "p=-1", "sort=sideways", "g=pages", `focus=${"a".repeat(5000)}`]) {
      const r = await get(local.url + "api/top?" + q);
      expect(r.status, q).toBe(400);
      expect((JSON.parse(r.body) as { error: string }).error).toMatch(/^bad query: /);
    }
    // a bad regexp is the report's error, as the CLI words it
    const r = await get(local.url + "api/top?p=1&focus=(");
    expect(r.status).toBe(400);
    expect((JSON.parse(r.body) as { error: string }).error).toBe(runCli(["top", "--focus=(", CPU]).stderr.replace(/^godiag: /, "").trim());
  });

  it("serves sources only from under the source roots: absolute paths, ../ and symlinks out are refused", async () => {
    const meta = JSON.parse((await get(local.url + "api/meta")).body) as { profiles: { id: number; name: string }[] };
    const id = meta.profiles.find((p) => p.name.endsWith("traversal.pb.gz"))!.id;
    const list = async (fn: string) => {
      const r = await get(local.url + `api/source?p=${id}&fn=` + encodeURIComponent(fn));
      expect(r.status).toBe(200);
      return (JSON.parse(r.body) as { text: string }).text;
    };
    const inside = await list("main\\.inside");
    expect(inside).toContain("godiag-inside-root");
    for (const fn of ["main\\.absolute", "main\\.dotdot", "main\\.symlink"]) {
      const text = await list(fn);
      expect(text, fn).toMatch(/ROUTINE =+ main\.\w+ in /);
      expect(text, fn).toMatch(/ Error: (open \S+: outside the source roots|could not find file)/);
      expect(text, fn).not.toMatch(/^root:/m);
    }
    // the CLI, like go tool pprof -list, reads them: the guard is the server's
    const cli = runCli(["list", "main\\.absolute", PROFILE]);
    expect(cli.stdout).toMatch(/root:/);
  });
});

describe.skipIf(!hasCli)("godiag serve: a non-loopback bind", () => {
  let srv: RunningServe;
  beforeAll(async () => {
    srv = await startServe([CPU, "--listen", "0.0.0.0:0"]);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it("prints the token once and refuses every request without it (401)", async () => {
    const m = /\?token=([\w-]+)/.exec(srv.stdout);
    expect(m).not.toBeNull();
    const port = /:(\d+)\//.exec(srv.url)![1];
    const base = `http://127.0.0.1:${port}/`;
    for (const path of ["", "api/meta", "api/top", "assets/main.js"]) {
      expect((await get(base + path)).status, path).toBe(401);
    }
    expect((await get(base + "api/meta", { Authorization: "Bearer wrong" })).status).toBe(401);
    expect((await get(base + "api/meta?token=wrong")).status).toBe(401);
    expect((await get(base + "api/meta", { Cookie: "godiag_token=wrong" })).status).toBe(401);
  });

  it("accepts the token: Authorization header, or ?token= once (then a cookie)", async () => {
    const token = /\?token=([\w-]+)/.exec(srv.stdout)![1]!;
    const port = /:(\d+)\//.exec(srv.url)![1];
    const base = `http://127.0.0.1:${port}/`;
    const bearer = await get(base + "api/meta", { Authorization: `Bearer ${token}` });
    expect(bearer.status).toBe(200);
    expect(JSON.parse(bearer.body)).toHaveProperty("profiles");
    const first = await get(base + `?view=top&token=${token}`);
    expect(first.status).toBe(302);
    // the redirect drops the token from the URL; the cookie carries it from now on
    expect(first.headers.location).toBe("/?view=top");
    const cookie = String(first.headers["set-cookie"]).split(";")[0]!;
    expect(String(first.headers["set-cookie"])).toMatch(/HttpOnly/);
    const page = await get(base + "?view=top", { Cookie: cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain("/assets/main.js");
  });
});

describe.skipIf(!hasCli)("godiag serve: bad input", () => {
  it("one line naming the file, exit 2", () => {
    const missing = runCli(["serve", join(OUT, "no-such-file.pb.gz")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toContain("no-such-file.pb.gz");
    const listen = runCli(["serve", CPU, "--listen", "nonsense"]);
    expect(listen.code).toBe(2);
    expect(listen.stderr.trim().split("\n")).toHaveLength(1);
  });
});
