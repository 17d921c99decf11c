// A folder whose only heap profile is heap?debug=1 text (the form people curl to read it):
// the rules get the heap profile from it, named from the text's own `#` lines (the binary
// is not at hand; go tool pprof shows such a profile as <unknown>). Expected: the
// service's ground truth (testdata/services/<svc>/truth.json), on corpus folders of the
// tuning half with their proto heap and allocs profiles left out.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "./helpers/run.js";

const tmp = mkdtempSync(join(tmpdir(), "godiag-heaptext-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PROTO_HEAP = /^(heap\.(out|pb\.gz|prof)|mem\.prof|allocs\.(pb\.gz|prof|out))$/;

interface Finding {
  category: string;
  severity: string;
  functions?: string[];
}

function withoutHeapProtos(service: string, variant: string): string {
  const src = join(ROOT, "testdata/corpus", service, variant);
  const dst = mkdtempSync(join(tmp, `${service}-`));
  for (const f of readdirSync(src)) if (!PROTO_HEAP.test(f)) cpSync(join(src, f), join(dst, f));
  return dst;
}

describe("heap?debug=1 text as the only heap profile", () => {
  it.each([
    ["reportgen", "curl-go119-heavy"],
    ["fxquote", "curl-go119-heavy"],
  ])("%s %s: the top finding names the truth's function", (service, variant) => {
    const truth = JSON.parse(readFileSync(join(ROOT, "testdata/services", service, "truth.json"), "utf8")) as { category: string; function: string };
    const dir = withoutHeapProtos(service, variant);
    const r = runCli(["diagnose", "--json", dir]);
    expect(r.stderr).toBe("");
    const j = JSON.parse(r.stdout) as { inputs: { kind: string }[]; findings: Finding[] };
    expect(j.inputs.map((x) => x.kind)).not.toContain("heap");
    expect(j.inputs.map((x) => x.kind)).toContain("heap-debug1");
    const top = j.findings.find((f) => f.severity !== "info");
    expect(top?.category).toBe(truth.category);
    expect(top?.functions?.[0]).toBe(truth.function);
  });
});
