// Request latencies from load-test outputs, in milliseconds. Formats (sniffed
// from the content):
//   - plain: one number per line; a bare number is milliseconds, or give a Go
//     duration ("1.5ms", "250µs", "2s"); blank and '#' lines are skipped.
//   - CSV with a header naming the column: hey's `hey -o csv` ("response-time",
//     seconds), or any column named latency / latency_ms / latency_us /
//     latency_ns / latency_s / duration_ms (unit from the suffix, bare = ms).
//   - vegeta: `vegeta encode --to csv` (no header; 3rd column is latency in ns)
//     and `vegeta encode --to json` / the JSON lines of `vegeta attack | vegeta encode`
//     ({"latency": ns, ...} per line).
// Hand-written: these are a handful of fixed layouts, not worth a CSV library.

import { InputError } from "../../core/input/index.js";

export type LatencyFormat = "plain" | "csv" | "hey" | "vegeta-csv" | "vegeta-json";

export interface LatencyData {
  file: string;
  format: LatencyFormat;
  /** milliseconds, in input order */
  values: Float64Array;
  /** lines (rows) that were skipped: errors for load tools, junk for plain */
  skipped: number;
}

const GO_DURATION = /^([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)(ns|us|µs|μs|ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

/** A plain latency value in ms, or null. */
function plainValue(s: string): number | null {
  const m = GO_DURATION.exec(s);
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[m[2] ?? "ms"];
}

function splitCSV(line: string): string[] {
  // Quoted fields only occur in vegeta's error/body columns, after latency; keep it simple but correct.
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const HEADER_COLUMNS: [RegExp, number][] = [
  [/^(latency|duration)[_-]?ns$/i, 1e-6],
  [/^(latency|duration)[_-]?(us|µs)$/i, 1e-3],
  [/^(latency|duration)[_-]?ms$/i, 1],
  [/^(latency|duration)[_-]?(s|sec|seconds)$/i, 1e3],
  [/^(latency|duration)$/i, 1],
];

export function parseLatency(text: string, file: string, maxValues = 50_000_000): LatencyData {
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && (lines[first].trim() === "" || lines[first].trimStart().startsWith("#"))) first++;
  if (first === lines.length) throw new InputError(file, "no latency values (empty file)");
  const head = lines[first].trim();
  const values: number[] = [];
  let skipped = 0;
  const push = (v: number, lineNo: number) => {
    if (!Number.isFinite(v) || v < 0) throw new InputError(file, `bad latency value`, undefined, lineNo);
    if (values.length >= maxValues) throw new InputError(file, `more than ${maxValues} latency values`, undefined, lineNo);
    values.push(v);
  };

  let format: LatencyFormat;
  if (head.startsWith("{")) {
    format = "vegeta-json";
    for (let i = first; i < lines.length; i++) {
      const l = lines[i].trim();
      if (l === "") continue;
      let o: unknown;
      try {
        o = JSON.parse(l);
      } catch {
        throw new InputError(file, "not a JSON object (vegeta JSON lines expected)", undefined, i + 1);
      }
      const rec = o as { latency?: unknown; code?: unknown; error?: unknown };
      if (typeof rec.latency !== "number") throw new InputError(file, 'no numeric "latency" field', undefined, i + 1);
      if ((typeof rec.error === "string" && rec.error !== "") || rec.code === 0) {
        skipped++;
        continue;
      }
      push(rec.latency / 1e6, i + 1);
    }
  } else if (head.includes(",")) {
    const cols = splitCSV(head).map((c) => c.trim());
    const heyCol = cols.indexOf("response-time");
    let col = -1;
    let factor = 1;
    let start = first + 1;
    if (heyCol >= 0) {
      format = "hey";
      col = heyCol;
      factor = 1e3;
    } else {
      for (const [re, f] of HEADER_COLUMNS) {
        const i = cols.findIndex((c) => re.test(c));
        if (i >= 0) {
          col = i;
          factor = f;
          break;
        }
      }
      if (col >= 0) format = "csv";
      else if (/^\d{10,}$/.test(cols[0]) && /^\d+$/.test(cols[1] ?? "") && /^\d+$/.test(cols[2] ?? "")) {
        // vegeta: timestamp (unix ns), status code, latency (ns), bytes out, bytes in, error, ...
        format = "vegeta-csv";
        col = 2;
        factor = 1e-6;
        start = first;
      } else {
        throw new InputError(file, `CSV header has no latency column (want response-time, latency, latency_ms, latency_us, latency_ns or latency_s)`, undefined, first + 1);
      }
    }
    const codeCol = format === "hey" ? cols.indexOf("status-code") : format === "vegeta-csv" ? 1 : -1;
    for (let i = start; i < lines.length; i++) {
      const l = lines[i].trim();
      if (l === "") continue;
      const f = splitCSV(l);
      if (codeCol >= 0 && (f[codeCol] === "0" || (format === "vegeta-csv" && (f[5] ?? "") !== ""))) {
        skipped++; // failed request: no latency to speak of
        continue;
      }
      const v = Number(f[col]);
      if (f[col] === undefined || f[col].trim() === "" || Number.isNaN(v)) throw new InputError(file, `column ${col + 1} is not a number: ${JSON.stringify(f[col] ?? "")}`, undefined, i + 1);
      push(v * factor, i + 1);
    }
  } else {
    format = "plain";
    for (let i = first; i < lines.length; i++) {
      const l = lines[i].trim();
      if (l === "" || l.startsWith("#")) continue;
      const v = plainValue(l);
      if (v === null) throw new InputError(file, `not a latency: ${JSON.stringify(l.slice(0, 40))} (want one number per line, ms, or a Go duration)`, undefined, i + 1);
      push(v, i + 1);
    }
  }
  if (values.length === 0) throw new InputError(file, "no latency values");
  return { file, format, values: Float64Array.from(values), skipped };
}
