// Go build info read from ELF executables, compared with `go version -m`
// (the go command is the peer): a binary built by this machine's Go (inline
// layout, Go 1.18+), Go's own Go 1.17 test binary (pointer layout), and a C
// program (not Go).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatVersionM, readBuildInfo } from "../src/capture/sources/buildinfo.js";
import { buildWorkload } from "./helpers/live.js";
import { ROOT } from "./helpers/run.js";
import { available } from "./helpers/available.js";

const GOROOT = execFileSync("go", ["env", "GOROOT"], { encoding: "utf8" }).trim();
const TESTDATA = join(GOROOT, "src/debug/buildinfo/testdata");

function fromBase64(name: string): string {
  const out = join(ROOT, "test-output/bin", name);
  if (!existsSync(out)) {
    mkdirSync(join(ROOT, "test-output/bin"), { recursive: true });
    writeFileSync(out, Buffer.from(readFileSync(join(TESTDATA, name, `${name}.base64`), "utf8"), "base64"));
  }
  return out;
}

describe("readBuildInfo vs go version -m", () => {
  it("inline layout (this machine's Go)", () => {
    const bin = buildWorkload("badtarget");
    const info = readBuildInfo(bin);
    expect(formatVersionM(bin, info)).toBe(execFileSync("go", ["version", "-m", bin], { encoding: "utf8" }));
    expect(info.path).toBe("godiag.test/workloads/badtarget");
    expect(info.settings.GOOS).toBe("linux");
    expect(info.settings["-compiler"]).toBe("gc");
  });

  it.skipIf(!available(existsSync(join(TESTDATA, "go117")), "Go's debug/buildinfo testdata"))("pointer layout (Go 1.17 binary from Go's testdata)", () => {
    const bin = fromBase64("go117");
    const info = readBuildInfo(bin);
    expect(info.goVersion).toBe("go1.17");
    expect(formatVersionM(bin, info)).toBe(execFileSync("go", ["version", "-m", bin], { encoding: "utf8" }));
  });

  it.skipIf(!available(existsSync(join(TESTDATA, "notgo")), "Go's debug/buildinfo testdata"))("a C binary is not a Go executable, for both", () => {
    const bin = fromBase64("notgo");
    expect(() => readBuildInfo(bin)).toThrow(/not a Go executable/);
    const r = spawnSync("go", ["version", bin], { encoding: "utf8" });
    // go version prints nothing for a file that is not a Go executable (no "FILE: goX" line).
    expect(r.stdout).not.toContain(": go");
  });

  it("a non-ELF file is refused with one line", () => {
    expect(() => readBuildInfo(join(ROOT, "package.json"))).toThrow(/package\.json: not an ELF executable/);
  });
});
