// HTML report of a diagnosis (placeholder until the flame graph renderer lands).
import type { Bundle } from "../bundle/read.js";
import type { Diagnosis } from "../diagnose/engine.js";
import { renderDiagnosisMarkdown } from "./diagnose-md.js";

export function renderDiagnosisHtml(d: Diagnosis, _bundle: Bundle): string {
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
  return `<!doctype html><meta charset="utf-8"><title>godiag</title><pre>${esc(renderDiagnosisMarkdown(d))}</pre>`;
}
