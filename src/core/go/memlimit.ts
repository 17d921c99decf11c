// GOMEMLIMIT as the Go runtime reads it (runtime/string.go parseByteCount and
// readGOMEMLIMIT in runtime/mgcpacer.go): whole digits, optionally followed by B,
// KiB, MiB, GiB or TiB; "off" means no limit. Anything else the runtime rejects
// at start-up, so we reject it too.

/** Bytes, Infinity for "off", undefined when Go would not accept the value. */
export function parseGoMemLimit(s: string): number | undefined {
  if (s === "off") return Infinity;
  const m = /^(\d+)(B|KiB|MiB|GiB|TiB)?$/.exec(s);
  if (!m) return undefined;
  const power = { B: 0n, KiB: 1n, MiB: 2n, GiB: 3n, TiB: 4n }[m[2] ?? "B"]!;
  // The runtime refuses values that overflow an int64 (exact, hence BigInt).
  const n = BigInt(m[1]!) * 1024n ** power;
  return n <= 2n ** 63n - 1n ? Number(n) : undefined;
}

/** The limit in MiB, undefined when unset, "off" or not valid Go syntax. */
export function goMemLimitMiB(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const b = parseGoMemLimit(s.trim());
  return b === undefined || b === Infinity ? undefined : b / 2 ** 20;
}
