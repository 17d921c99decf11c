// Findings end in the user's own code, not in a third-party dependency's. A real service
// (testdata/thirdparty/routed: a chi router with its middleware, zap logging, its code in
// godiag.test/routed/internal/catalog) whose fault is its own: (*Catalog).Routes builds
// a chi sub-router, compiling every route's regexp, on each request. Its CPU goes to chi
// and regexp under Routes, so the top finding must be a cpu-hotspot naming Routes
// (the program's known behaviour), whatever the build put in the file paths: the module
// cache (a plain build), "<module>@<version>/" (-trimpath) or vendor/ (-mod=vendor).
// Which packages are dependencies is checked against Go itself: `go list -deps` says
// which packages of the build come from a module other than the main one.

import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose, openBundle } from "../src/api/diagnose.js";
import { DEFAULT_LIMITS } from "../src/api/errors.js";
import { attributeToUserCode, CodeOrigins, packageOf, topEntries } from "../src/core/go/index.js";
import { parseProfileData } from "../src/core/codec/index.js";
import { sampleTypeIndex, StackFrames } from "../src/core/model/index.js";
import { flameTreeFromProfile } from "../src/pprof/flame/index.js";
import { defaultConfig } from "../src/pprof/report/config.js";
import { bucketize, parseGoroutineData } from "../src/goroutines/index.js";
import { ROOT } from "./helpers/run.js";
import { loadAndCapture } from "./helpers/served.js";

const ENV = { ...process.env, GOWORK: "off", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" };
const ROUTES = "godiag.test/routed/internal/catalog.(*Catalog).Routes";
const keep = process.env["GODIAG_KEEP_DEPS"];
const dir = keep ?? mkdtempSync(join(tmpdir(), "godiag-deps-"));

/** How each build lays out the dependencies' source paths. */
const BUILDS: Array<{ name: string; args: string[]; vendor?: boolean }> = [
  { name: "modcache", args: [] },
  { name: "trimpath", args: ["-trimpath"] },
  { name: "vendor", args: ["-mod=vendor"], vendor: true },
];

function go(args: string[], cwd: string): string {
  const r = spawnSync("go", args, { cwd, env: ENV, encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`go ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/** Go's own answer: packages of the build from another module than the main one, and the main module's. */
const goDeps = new Set<string>();
const goOwn = new Set<string>();

beforeAll(async () => {
  for (const b of BUILDS) {
    const src = join(dir, b.name);
    cpSync(join(ROOT, "testdata/thirdparty/routed"), src, { recursive: true });
    if (b.vendor) go(["mod", "vendor"], src);
    go(["build", ...b.args, "-o", "prog", "."], src);
    await loadAndCapture(join(src, "prog"), [], "/catalog/sku/ABC-1234", { kind: "busy", clients: 4 }, join(dir, "out", b.name), 1000, 5);
  }
  const listed = go(["list", "-deps", "-f", "{{with .Module}}{{if .Main}}own{{else}}dep{{end}} {{end}}{{.ImportPath}}", "."], join(dir, "modcache"));
  for (const line of listed.trim().split("\n")) {
    const [k, pkg] = line.split(" ");
    if (k === "dep") goDeps.add(pkg!);
    else if (k === "own") goOwn.add(pkg!);
  }
}, 300_000);
afterAll(() => {
  if (!keep) rmSync(dir, { recursive: true, force: true });
});

const run = async (d: string) => diagnose(await openBundle([d], { ...DEFAULT_LIMITS, maxFiles: 100 }));

function cpuOf(build: string): StackFrames {
  const p = parseProfileData(readFileSync(join(dir, "out", build, "cpu.pprof")), "cpu.pprof", DEFAULT_LIMITS);
  return new StackFrames(p);
}

describe.each(BUILDS.map((b) => b.name))("routed built %s", (build) => {
  it("Go's module list agrees with the program: chi and zap are dependencies, catalog is the user's", () => {
    expect(goDeps.has("github.com/go-chi/chi/v5")).toBe(true);
    expect(goDeps.has("go.uber.org/zap")).toBe(true);
    expect(goOwn.has("godiag.test/routed/internal/catalog")).toBe(true);
  });

  it("learns the dependencies from the profile's file paths, as go list names them", () => {
    const learned = CodeOrigins.fromProfile(cpuOf(build).profile).dependencies;
    expect(learned.has("github.com/go-chi/chi/v5")).toBe(true);
    for (const pkg of learned) expect(goDeps, pkg).toContain(pkg);
    for (const pkg of goOwn) expect(learned.has(pkg), pkg).toBe(false);
  });

  it("by names alone the CPU would end in a dependency's frame (why the paths are needed)", () => {
    const sf = cpuOf(build);
    const ti = sampleTypeIndex(sf.profile, "cpu");
    const byName = topEntries(attributeToUserCode(sf, ti, undefined, CodeOrigins.NONE).byFunction, 1)[0]![0];
    expect(goDeps.has(packageOf(byName)), byName).toBe(true);
    const learned = topEntries(attributeToUserCode(sf, ti).byFunction, 1)[0]![0];
    expect(learned).toBe(ROUTES);
  });

  it("flame graphs and goroutine buckets mark chi's frames as a dependency's, the catalog's as the user's", () => {
    const tree = flameTreeFromProfile(cpuOf(build).profile, defaultConfig(), {}, () => {});
    const originOfFrame = (fn: string) => tree.frames.find((f) => f.func === fn)?.origin;
    expect(originOfFrame(ROUTES)).toBe("user");
    expect(originOfFrame("github.com/go-chi/chi/v5.(*Mux).ServeHTTP")).toBe("dependency");
    const g = join(dir, "out", build, "g1.txt");
    const frames = bucketize(parseGoroutineData(readFileSync(g), g, DEFAULT_LIMITS)).flatMap((b) => b.frames.map((f, i) => [f.func, b.origins[i]] as const));
    const chi = frames.filter(([fn]) => packageOf(fn).startsWith("github.com/go-chi/chi/v5"));
    expect(chi.length).toBeGreaterThan(0); // the /debug/pprof fetch itself runs through chi's router
    for (const [fn, o] of chi) expect(o, fn).toBe("dependency");
    for (const [fn, o] of frames) if (goOwn.has(packageOf(fn))) expect(o, fn).toBe("user");
  });

  it("the top finding is the cpu-hotspot in the user's Routes, not in chi or regexp", async () => {
    const r = await run(join(dir, "out", build));
    const top = r.findings.find((f) => f.severity !== "info");
    const all = r.findings.map((f) => `${f.severity} ${f.category} ${f.functions[0] ?? ""}`).join("\n");
    expect(top?.category, all).toBe("cpu-hotspot");
    expect(top?.functions[0], all).toBe(ROUTES);
    for (const f of r.findings.filter((x) => x.severity !== "info" && x.functions[0] !== undefined)) {
      expect(goDeps.has(packageOf(f.functions[0]!)), `${f.category} is named by ${f.functions[0]}`).toBe(false);
    }
  });
});
