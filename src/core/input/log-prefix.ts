// Logs as users hand them over: a service's stderr (gctrace lines, a SIGQUIT traceback)
// is rarely the raw stream. `kubectl logs --timestamps` and `docker logs -t` put an
// RFC 3339 time before each line, the container runtime's own files (CRI, under
// /var/log/pods) add the stream and a partial-line tag, journalctl and syslog files add
// the time, host and unit. The runtime's text formats are recognised by what starts a
// line, so such a prefix hid the whole log. The collector's prefix is taken off every
// line that carries it, one line for one line (line numbers in messages stay right).
// Recognised only when the file's first non-empty line carries one of these prefixes;
// taking it off the service's own lines too changes nothing that is read from them.

const PREFIXES: readonly RegExp[] = [
  // CRI log file: 2026-12-06T20:00:01.123456789Z stderr F <line>
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d) (?:stdout|stderr) [FP] /,
  // kubectl logs --timestamps, docker logs -t: 2026-12-06T20:00:01.123456789Z <line>
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d) /,
  // journalctl (short, short-iso, short-precise) and syslog: <time> host unit[pid]: <line>
  /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) \S+ [^\s:[]+(?:\[\d+\])?: /,
];

/** The bytes with a log collector's per-line prefix removed; the same array when there is none. */
export function stripLogPrefixes(data: Uint8Array): Uint8Array {
  const prefix = collectorPrefix(data);
  if (prefix === null) return data;
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
  const out = text.split("\n").map((line) => {
    const m = prefix.exec(line);
    return m === null ? line : line.slice(m[0].length);
  });
  return new Uint8Array(Buffer.from(out.join("\n"), "utf8"));
}

/** The prefix that the first non-empty line (within the first 4 KiB) carries, if any. */
function collectorPrefix(data: Uint8Array): RegExp | null {
  let start = 0;
  const n = Math.min(data.length, 4096);
  while (start < n && (data[start] === 10 || data[start] === 13)) start++;
  let end = start;
  while (end < n && data[end] !== 10) end++;
  const first = Buffer.from(data.buffer, data.byteOffset + start, end - start).toString("utf8");
  return PREFIXES.find((p) => p.test(first)) ?? null;
}
