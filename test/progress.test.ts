// The capture progress shown on a terminal: what each finished fetch says.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { barRenderer } from "../src/apps/cli/progress.js";

/** A stream that says it is a terminal, collecting what the bars draw. */
function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const pass = new PassThrough();
  let out = "";
  pass.on("data", (b: Buffer) => (out += b.toString()));
  const stream = Object.assign(pass, { isTTY: true, columns: 120, rows: 40, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

describe("progress bars", () => {
  it("an endpoint the service does not offer reads 'not offered', not '0 B'", () => {
    const t = terminal();
    const r = barRenderer(t.stream);
    r.onEvent({ type: "start", label: "vars" });
    r.onEvent({ type: "done", label: "vars", notOffered: "HTTP 404", ms: 3 });
    r.onEvent({ type: "start", label: "heap" });
    r.onEvent({ type: "done", label: "heap", file: "heap.pb.gz", bytes: 2048, ms: 5 });
    r.stop();
    expect(t.text()).toContain("not offered (HTTP 404)");
    expect(t.text()).not.toMatch(/vars[^\n]*0 B/);
    expect(t.text()).toContain("2.0 kB");
  });
});
