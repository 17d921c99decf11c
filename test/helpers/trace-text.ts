// The Go tree's trace tests ($(go env GOROOT)/src/internal/trace/testdata/tests/*.test) are
// txtar files: an "expect" section (SUCCESS or FAILURE "regexp") and the trace in Go's
// text form (internal/trace/raw: "EventName arg=value ...", stack frames and string data
// on the lines after). This turns the text into the binary format, written from the
// format's description: the event type byte, then each argument as a uvarint in the order
// the text gives them, then (for strings) the data's length and bytes.

import { SPECS } from "../../src/trace/wire/spec.js";

export interface GoTraceTest {
  expect: string;
  trace: Uint8Array;
}

const TYPE_BY_NAME = new Map<string, number>();
SPECS.forEach((s, i) => {
  if (s) TYPE_BY_NAME.set(s.name, i);
});

function uvarint(out: number[], v: bigint): void {
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

/** Go's strconv.Unquote for a double-quoted literal. */
function unquote(lit: string): number[] {
  if (!lit.startsWith('"') || !lit.endsWith('"')) throw new Error(`bad string literal ${lit}`);
  const body = lit.slice(1, -1);
  const out: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== "\\") {
      out.push(...enc.encode(ch));
      continue;
    }
    const e = body[++i];
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92, '"': 34, "'": 39 };
    if (e in simple) out.push(simple[e]);
    else if (e === "x") {
      out.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === "u" || e === "U") {
      const n = e === "u" ? 4 : 8;
      out.push(...enc.encode(String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + n), 16))));
      i += n;
    } else if (e >= "0" && e <= "7") {
      out.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else throw new Error(`bad escape \\${e}`);
  }
  return out;
}

export function parseGoTraceTest(txtar: string): GoTraceTest {
  const sections = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of txtar.split("\n")) {
    const m = /^-- (.+) --$/.exec(line);
    if (m) sections.set(m[1], (cur = []));
    else cur?.push(line);
  }
  const expect = (sections.get("expect") ?? []).join("\n").trim();
  const lines = (sections.get("trace") ?? []).map((l) => l.replace(/#.*$/, "")).filter((l) => l.trim() !== "");
  const head = /^Trace Go1\.(\d+)$/.exec(lines[0]?.trim() ?? "");
  if (!head) throw new Error("no trace header");
  const out: number[] = [...new TextEncoder().encode(`go 1.${head[1]} trace\u0000\u0000\u0000`)];
  for (let i = 1; i < lines.length; i++) {
    const toks = lines[i].trim().split(/\s+/);
    const typ = TYPE_BY_NAME.get(toks[0]);
    if (typ === undefined) throw new Error(`unknown event ${toks[0]}`);
    out.push(typ);
    const args = toks.slice(1).map((t) => BigInt(t.split("=")[1]));
    for (const a of args) uvarint(out, a);
    if (toks[0] === "Stack") {
      const n = Number(args[1]);
      for (let f = 0; f < n; f++) {
        for (const t of lines[++i].trim().split(/\s+/)) uvarint(out, BigInt(t.split("=")[1]));
      }
    }
    if (toks[0] === "String" || toks[0] === "ExperimentalBatch") {
      const data = unquote(lines[++i].trim().replace(/^data=/, ""));
      uvarint(out, BigInt(data.length));
      out.push(...data);
    }
  }
  return { expect, trace: new Uint8Array(out) };
}
