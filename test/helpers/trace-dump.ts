// The canonical one-line-per-event dump of a trace, the same format the oracle's "events"
// mode prints from golang.org/x/exp/trace (testdata/trace/oracle/events.go).

import { execFileSync } from "node:child_process";
import { expect } from "vitest";
import { InputError } from "../../src/core/input/index.js";
import {
  readTraceBytes,
  EVENT_KIND_NAMES,
  EventKind,
  GO_STATE_NAMES,
  PROC_STATE_NAMES,
  RESOURCE_KIND_NAMES,
  ResourceKind,
  type ResourceID,
  type TraceEvent,
  type TraceReadResult,
  type TraceTables,
  type TraceVisitor,
} from "../../src/trace/index.js";

/** The oracle's dump (its "events" mode): one line per event, then "ERROR ..." if x/exp/trace failed. */
export function oracleEventsOf(oracle: string, path: string): string[] {
  const out = execFileSync(oracle, ["events", path], { encoding: "utf8", maxBuffer: 1 << 30, timeout: 120_000 });
  return out.split("\n").filter((l) => l !== "");
}

export interface Ours {
  lines: string[];
  result?: TraceReadResult;
  error?: unknown;
}

/** Our dump in the same format; an error ends it as the oracle's does. */
export function ourEvents(read: (visit: TraceVisitor) => TraceReadResult): Ours {
  const lines: string[] = [];
  try {
    const result = read((ev, tables) => lines.push(canonical(ev, tables)));
    return { lines, result };
  } catch (error) {
    return { lines, error };
  }
}

/** Go's strconv.Quote for the strings traces hold. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (c === 0x07) out += "\\a";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x0b) out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (c === 0xfffd) out += "\\ufffd";
    else out += ch;
  }
  return out + '"';
}

/** A uint64 id as Go prints it (our -1 stands for ^uint64(0)). */
function u64(n: number): string {
  return n === -1 ? "18446744073709551615" : String(n);
}

function resource(r: ResourceID): string {
  return r.kind === ResourceKind.None ? "None" : `${RESOURCE_KIND_NAMES[r.kind]}(${r.id})`;
}

function frames(tables: TraceTables, stack: number): string {
  return "[" + tables.frames(stack).map((f) => `${f.func}@0x${f.pc.toString(16)}:${f.file}:${f.line}`).join("|") + "]";
}

export function canonical(ev: TraceEvent, tables: TraceTables): string {
  let s = `${EVENT_KIND_NAMES[ev.kind]} t=${ev.time} g=${ev.goroutine} p=${ev.proc} m=${ev.thread} stk=${frames(tables, ev.stack)}`;
  switch (ev.kind) {
    case EventKind.Sync: {
      const y = ev.sync();
      s += ` n=${y.n}`;
      const c = y.clockSnapshot;
      if (c) {
        const sec = c.wallSec + Math.floor(c.wallNsec / 1e9);
        const ns = c.wallNsec % 1e9;
        s += ` clock=${c.trace}/${sec}.${String(ns).padStart(9, "0")}/${c.mono}`;
      }
      for (const name of [...y.experimentalBatches.keys()].sort()) {
        const bs = y.experimentalBatches.get(name)!;
        s += ` exp=${name}:${bs.length}:${bs.reduce((a, b) => a + b.data.length, 0)}`;
      }
      break;
    }
    case EventKind.Metric: {
      const m = ev.metric();
      s += ` name=${goQuote(m.name)} v=${m.value}`;
      break;
    }
    case EventKind.Label: {
      const l = ev.label();
      s += ` label=${goQuote(l.label)} res=${resource(l.resource)}`;
      break;
    }
    case EventKind.RangeBegin:
    case EventKind.RangeActive:
    case EventKind.RangeEnd: {
      const r = ev.range();
      s += ` name=${goQuote(r.name)} scope=${resource(r.scope)}`;
      if (ev.kind === EventKind.RangeEnd) for (const a of ev.rangeAttributes()) s += ` attr=${goQuote(a.name)}:${a.value}`;
      break;
    }
    case EventKind.TaskBegin:
    case EventKind.TaskEnd: {
      const t = ev.task();
      s += ` id=${u64(t.id)} parent=${u64(t.parent)} type=${goQuote(t.type)}`;
      break;
    }
    case EventKind.RegionBegin:
    case EventKind.RegionEnd: {
      const r = ev.region();
      s += ` task=${u64(r.task)} type=${goQuote(r.type)}`;
      break;
    }
    case EventKind.Log: {
      const l = ev.log();
      s += ` task=${u64(l.task)} cat=${goQuote(l.category)} msg=${goQuote(l.message)}`;
      break;
    }
    case EventKind.StateTransition: {
      const t = ev.stateTransition();
      const names = t.resource.kind === ResourceKind.Goroutine ? GO_STATE_NAMES : PROC_STATE_NAMES;
      s += ` res=${resource(t.resource)} from=${names[t.from] ?? "Bad"} to=${names[t.to] ?? "Bad"} reason=${goQuote(t.reason)} tstk=${frames(tables, t.stack)}`;
      break;
    }
    case EventKind.Experimental: {
      const e = ev.experimental();
      s += ` name=${e.name} exp=${e.experiment}`;
      e.argNames.forEach((a, i) => (s += ` ${a}=${e.argValues[i]}`));
      break;
    }
  }
  return s;
}

/**
 * Flips one byte at n places spread over data (past the header) and reads each copy: every
 * read must end normally or in an InputError naming its byte offset, within 5 s (no hang).
 * Returns how many were refused.
 */
export function flipAndRead(data: Uint8Array, n: number): number {
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const bad = Uint8Array.from(data);
    const at = 16 + Math.floor((((i * 7919) % 1000) / 1000) * (data.length - 16));
    bad[at] ^= 0xff;
    const t0 = Date.now();
    try {
      readTraceBytes(bad, `flip-${at}`, () => {});
    } catch (e) {
      expect(e, `flip at ${at}`).toBeInstanceOf(InputError);
      expect((e as InputError).message).toMatch(/\(at byte \d+\)$/);
      errors++;
    }
    expect(Date.now() - t0).toBeLessThan(5000);
  }
  return errors;
}
