// GOMEMLIMIT as the Go runtime reads it (runtime/string.go parseByteCount and
// readGOMEMLIMIT in runtime/mgcpacer.go): whole digits, optionally followed by B,
// KiB, MiB, GiB or TiB; "off" means no limit. Anything else the runtime rejects
// at start-up, so we reject it too.

/** Bytes, Infinity for "off", undefined when Go would not accept the value. */
export function parseGoMemLimit(s: string): number | undefined {
  if (s === "off") return Infinity;
  const m = /^(\d+)(B|KiB|MiB|GiB|TiB)?$/.exec(s);
  if (!m) return undefined;
  const power = { B: 0, KiB: 1, MiB: 2, GiB: 3, TiB: 4 }[m[2] ?? "B"]!;
  const n = Number(m[1]) * 1024 ** power;
  // The runtime refuses values that overflow an int64.
  return n <= 2 ** 63 - 1 ? n : undefined;
}

/** The limit in MiB, undefined when unset, "off" or not valid Go syntax. */
export function goMemLimitMiB(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const b = parseGoMemLimit(s.trim());
  return b === undefined || b === Infinity ? undefined : b / 2 ** 20;
}
