import type { Report } from "./report.js";
export function formatList(_rpt: Report): string {
  return "";
}
