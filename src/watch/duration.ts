// Prometheus' duration syntax (model.ParseDuration): units y w d h m s ms, largest
// first, each at most once, e.g. "1h30m", "15s", "500ms", "7d". Returns milliseconds.

const UNITS: Array<[string, number]> = [
  ["y", 365 * 24 * 3600_000],
  ["w", 7 * 24 * 3600_000],
  ["d", 24 * 3600_000],
  ["h", 3600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

const RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds of a Prometheus duration, or null when the text is not one. */
export function parseDuration(text: string): number | null {
  if (text === "0") return 0;
  const m = RE.exec(text);
  if (!m || text === "") return null;
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const v = m[i + 1];
    if (v !== undefined) ms += Number(v) * UNITS[i]![1];
  }
  return ms;
}
