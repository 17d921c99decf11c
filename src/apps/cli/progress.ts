// Showing a capture as it runs. On a terminal: one cli-progress bar per running
// fetch (the CPU profile and trace count down their seconds). Otherwise (CI,
// pipes, log files): plain lines, one per event, no control characters.
// The summary table at the end is the same either way.

import cliProgress from "cli-progress";
import type { CaptureEvent, CaptureProgress, CaptureResult } from "../../api/capture.js";

export interface ProgressRenderer {
  onEvent: CaptureProgress;
  /** stop timers and bars; call before printing anything else */
  stop(): void;
}

export function progressRenderer(stream: NodeJS.WriteStream, quiet = false): ProgressRenderer {
  if (quiet) return { onEvent: () => {}, stop: () => {} };
  return stream.isTTY ? barRenderer(stream) : lineRenderer((s) => stream.write(s));
}

/** Plain lines: "godiag capture: cpu: profiling 30 s", "godiag capture: heap.pb.gz 6.2 kB (12 ms)". */
export function lineRenderer(write: (s: string) => void): ProgressRenderer {
  const onEvent = (e: CaptureEvent) => {
    switch (e.type) {
      case "start":
        if (e.seconds !== undefined) write(`godiag capture: ${e.label}: recording ${e.seconds} s\n`);
        break;
      case "retry":
        write(`godiag capture: ${e.label}: retry ${e.attempt} after: ${e.error}\n`);
        break;
      case "done":
        if (e.error !== undefined) write(`godiag capture: ${e.file ?? e.label}: FAILED: ${e.error}\n`);
        else if (e.file !== undefined) write(`godiag capture: ${e.file} ${formatBytes(e.bytes ?? 0)} (${formatMs(e.ms)})\n`);
        for (const w of e.warnings ?? []) write(`godiag capture: warning: ${w}\n`);
        break;
      case "note":
        write(`godiag capture: ${e.text}\n`);
        break;
      case "warning":
        write(`godiag capture: warning: ${e.text}\n`);
        break;
    }
  };
  return { onEvent, stop: () => {} };
}

export function barRenderer(stream: NodeJS.WriteStream): ProgressRenderer {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: " {label} |{bar}| {status}",
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, { bar: cliProgress.SingleBar; started: number; seconds?: number }>();
  const later: string[] = [];
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [, b] of bars) {
      if (b.seconds === undefined) continue;
      const el = Math.min((now - b.started) / 1000, b.seconds);
      const left = Math.max(0, Math.ceil(b.seconds - el));
      b.bar.update(el, { status: left > 0 ? `${left} s left` : "writing..." });
    }
  }, 250);
  timer.unref();
  const label = (s: string) => s.padEnd(22).slice(0, 22);
  const onEvent = (e: CaptureEvent) => {
    switch (e.type) {
      case "start": {
        const total = e.seconds ?? 1;
        const bar = multi.create(total, 0, { label: label(e.label), status: e.seconds !== undefined ? `${e.seconds} s left` : "fetching..." });
        bars.set(e.label, { bar, started: Date.now(), seconds: e.seconds });
        break;
      }
      case "retry": {
        bars.get(e.label)?.bar.update({ status: `retry ${e.attempt}: ${e.error.slice(0, 60)}` });
        break;
      }
      case "done": {
        const b = bars.get(e.label);
        const status =
          e.error !== undefined
            ? `FAILED: ${e.error.slice(0, 70)}`
            : e.notOffered !== undefined
              ? `not offered (${e.notOffered})` // optional endpoint (e.g. /debug/vars): no file, no error
              : `${formatBytes(e.bytes ?? 0)} in ${formatMs(e.ms)}${e.warnings ? " (warning)" : ""}`;
        if (b) {
          b.seconds = undefined;
          b.bar.update(b.bar.getTotal(), { status });
        }
        // (warnings: the summary table lists them all once)
        break;
      }
      case "note":
        later.push(e.text);
        break;
      case "warning":
        break; // listed in the summary table's warnings
    }
  };
  const stop = () => {
    clearInterval(timer);
    multi.stop();
    for (const l of later) stream.write(`godiag capture: ${l}\n`);
  };
  return { onEvent, stop };
}

/** The table printed at the end: one row per bundle file, failures and warnings spelled out. */
export function formatSummary(r: CaptureResult): string {
  const rows: string[][] = [["FILE", "KIND", "BYTES", "STATUS"]];
  for (const f of r.manifest.files) {
    const status = f.error !== undefined ? `FAILED: ${f.error}` : f.warnings?.length ? "ok, warning below" : "ok";
    rows.push([f.path, f.kind, f.bytes !== undefined ? String(f.bytes) : "-", status]);
  }
  const w = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
  let out = rows.map((row) => `${row[0]!.padEnd(w[0]!)}  ${row[1]!.padEnd(w[1]!)}  ${row[2]!.padStart(w[2]!)}  ${row[3]}`).join("\n") + "\n";
  // The index page's error already starts with its URL (every consumer of it wants the URL).
  for (const f of r.failures) if (f.file === undefined) out += `FAILED: ${f.error.startsWith(`${f.url}: `) ? "" : `${f.url}: `}${f.error}\n`;
  for (const wn of r.warnings) out += `warning: ${wn}\n`;
  const failed = r.failures.length;
  if (r.interrupted) out += `bundle: ${r.dir} (interrupted: ${failed} file${failed === 1 ? "" : "s"} missing or cut short)\n`;
  else out += failed === 0 ? `bundle: ${r.dir} (complete)\n` : `bundle: ${r.dir} (partial: ${failed} failure${failed > 1 ? "s" : ""})\n`;
  return out;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / (1 << 20)).toFixed(1)} MB`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
