// Value and percentage formatting for the tooltip, the top table and the legend.

/** A sample value with its unit scaled as pprof's ScaledLabel (ns..s, B..TB); counts grouped. */
export function fmtValue(v: number, unit: string): string {
  if (v === 0) return "0"; // as pprof's ScaledLabel
  const neg = v < 0;
  let a = Math.abs(v);
  let u = "";
  if (unit === "nanoseconds" || unit === "ns") {
    const steps: [number, string][] = [[1e9, "s"], [1e6, "ms"], [1e3, "us"], [1, "ns"]];
    for (const [f, s] of steps) {
      if (a >= f || f === 1) {
        a /= f;
        u = s;
        break;
      }
    }
  } else if (unit === "bytes" || unit === "B") {
    const steps: [number, string][] = [[2 ** 40, "TB"], [2 ** 30, "GB"], [2 ** 20, "MB"], [2 ** 10, "kB"], [1, "B"]];
    for (const [f, s] of steps) {
      if (a >= f || f === 1) {
        a /= f;
        u = s;
        break;
      }
    }
  } else {
    return (neg ? "-" : "") + Math.round(a).toLocaleString("en-US");
  }
  let s = a.toFixed(2);
  if (s.endsWith(".00")) s = s.slice(0, -3);
  return (neg ? "-" : "") + s + u;
}

/** v as a percentage of `of`, two decimals. */
export const pct = (v: number, of: number): string => (of === 0 ? "0%" : ((100 * v) / of).toFixed(2) + "%");
