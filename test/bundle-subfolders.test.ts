// A capture folder as a script or a person lays it out: profiles in pprof/, the log in
// logs/, dumps in dumps/. diagnose reads it as the flat folder it came from, and says it
// read subfolders; a bundle with a manifest stays what its manifest lists.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "./helpers/run.js";

const FOLDER = join(ROOT, "testdata/corpus/reportgen/curl-go119-heavy");
const dir = mkdtempSync(join(tmpdir(), "godiag-nested-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function diagnose(input: string) {
  const r = runCli(["diagnose", "--json", input]);
  expect(r.stderr).toBe("");
  const j = JSON.parse(r.stdout) as { findings: unknown[]; inputs: { kind: string }[]; warnings: string[] };
  return { code: r.code, findings: JSON.stringify(j.findings).replaceAll(input, "<in>"), kinds: j.inputs.map((x) => x.kind).sort(), warnings: j.warnings };
}

describe("a loose capture folder with subfolders", () => {
  it("is read as the flat folder: same files, same findings, and a warning naming the subfolders", () => {
    const root = join(dir, "incident");
    for (const f of readdirSync(FOLDER)) {
      const sub = f.endsWith(".log") ? "logs" : f.startsWith("stacks") ? "dumps/2026-12-06" : "pprof";
      mkdirSync(join(root, sub), { recursive: true });
      cpSync(join(FOLDER, f), join(root, sub, f));
    }
    const flat = diagnose(FOLDER);
    const nested = diagnose(root);
    expect(nested.code).toBe(flat.code);
    expect(nested.kinds).toEqual(flat.kinds);
    // the evidence cites files by their path below the input
    expect(nested.findings.replace(/"<in>\/(pprof|logs|dumps\/2026-12-06)\//g, '"<in>/')).toEqual(flat.findings);
    expect(nested.warnings.join("\n")).toContain("read files in subfolders too (dumps/2026-12-06/, logs/, pprof/)");
  });

  it("hidden folders are not read; what a subfolder holds besides is counted, not named", () => {
    const root = join(dir, "hidden");
    mkdirSync(join(root, ".git"), { recursive: true });
    mkdirSync(join(root, "notes"), { recursive: true });
    cpSync(join(FOLDER, "cpu.prof"), join(root, "cpu.prof"));
    cpSync(join(FOLDER, "heap.prof"), join(root, ".git", "heap.prof"));
    cpSync(join(ROOT, "README.md"), join(root, "notes", "README.md"));
    cpSync(join(ROOT, "package.json"), join(root, "notes", "package.json"));
    const d = diagnose(root);
    expect(d.kinds).toEqual(["cpu"]);
    expect(d.warnings).toContain(`${root}: 2 files in subfolders not recognised as Go profiles, dumps or logs; skipped`);
  });
});
