// The diagnose HTML report in real headless Chromium: renders without console
// errors and without any network request, verdict and findings present, the flame
// graphs the findings cite are drawn. A screenshot goes to test-output/diagnose/.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT, runCli } from "./helpers/run.js";
import { available } from "./helpers/available.js";
import { openLocalPage } from "./helpers/local-page.js";

const OUT = join(ROOT, "test-output/diagnose");
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = available(existsSync(CHROMIUM), `chromium (${CHROMIUM})`) && available(existsSync(CLI), `the built CLI (${CLI})`);
let browser: Browser;

describe.skipIf(!hasChromium)("diagnose --html in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const [workload, category, fn, flameKind] of [
    ["lockcontention", "mutex-contention", "main.(*registry).touch", "mutex"],
    ["tinywrites", "syscall-heavy", "main.writeAuditRecord", "cpu"],
  ] as const) {
    it(`${workload}: verdict, findings and the ${flameKind} flame graph`, async () => {
      const file = join(OUT, `${workload}.html`);
      const r = runCli(["diagnose", "--html", file, join(ROOT, "testdata/captures", workload)]);
      expect(r.code, r.stderr).toBe(3); // both workloads have a critical finding
      const { page, errors, refused: requests } = await openLocalPage(browser, file, { viewport: { width: 1300, height: 1000 }, warnings: true });
      const graph = `flame-${flameKind}-graph`;
      await page.waitForFunction(
        (id) => (document.getElementById(id) as unknown as { godiagFlame?: unknown } | null)?.godiagFlame !== undefined,
        graph,
        { timeout: 15_000 },
      );
      const verdict = await page.textContent("#verdict");
      expect(verdict).toContain(fn);
      const first = await page.textContent("#f1");
      expect(first).toContain(category);
      // The finding links to the flame graph and the graph section exists.
      expect(await page.locator(`#f1 a[href="#flame-${flameKind}"]`).count()).toBe(1);
      const canvases = await page.locator(`#${graph} canvas`).count();
      expect(canvases).toBeGreaterThan(0);
      await page.screenshot({ path: join(OUT, `${workload}.png`), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.close();
    });
  }

  it("a folder with an execution trace: the timeline is embedded and drawn, the same lanes as godiag trace --html", async () => {
    // A folder as users have it: a trace fetched by hand next to nothing else.
    const dir = mkdtempSync(join(tmpdir(), "godiag-diag-trace-"));
    copyFileSync(join(ROOT, "testdata/trace/corpus/gcheavy.trace"), join(dir, "trace.out"));
    const file = join(OUT, "trace-folder.html");
    const r = runCli(["diagnose", "--html", file, dir], { timeoutMs: 120_000 });
    expect([0, 1, 3], r.stderr).toContain(r.code);
    const alone = join(OUT, "trace-alone.html");
    expect(runCli(["trace", join(dir, "trace.out"), "--html", alone], { timeoutMs: 120_000 }).code).toBe(0);
    type Lanes = { kind: string; label: string }[];
    const lanesOf = async (html: string, id: string) => {
      const { page, errors, refused: requests } = await openLocalPage(browser, html, { viewport: { width: 1300, height: 1000 } });
      await page.waitForFunction(
        (el) => ((document.getElementById(el) as unknown as { godiagTimeline?: { state(): { firstPaintMs: number } } } | null)?.godiagTimeline?.state().firstPaintMs ?? 0) > 0,
        id,
        { timeout: 30_000 },
      );
      const lanes = (await page.evaluate(
        `document.getElementById(${JSON.stringify(id)}).godiagTimeline.state().lanes.map((l) => ({ kind: l.kind, label: l.label }))`,
      )) as Lanes;
      await page.screenshot({ path: html.replace(/\.html$/, ".png"), fullPage: true });
      await page.close();
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      return lanes;
    };
    const embedded = await lanesOf(file, "trace-timeline");
    expect(embedded.filter((l) => l.kind === "proc").length).toBeGreaterThan(0);
    expect(embedded).toEqual(await lanesOf(alone, "godiag-timeline"));
  });
});
