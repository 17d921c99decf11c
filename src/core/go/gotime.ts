// Go's time.Unix(0, ns).Format("2006-01-02 15:04:05 MST") in the local zone, as
// pprof prints the Time: header. Zone abbreviations come from Intl, which knows
// the common ones (UTC, CET, PST...) and otherwise prints an offset like Go does
// for zones without an abbreviation (e.g. "+03").

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

export function goTimeString(ns: bigint): string {
  const ms = Number(ns / 1_000_000n) - (ns < 0n && ns % 1_000_000n !== 0n ? 1 : 0);
  const d = new Date(ms);
  const tz = process.env.TZ;
  if (tz === undefined || tz === "" || tz === "UTC" || tz === "Etc/UTC" || tz === "UTC0") {
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
  }
  const parts = new Intl.DateTimeFormat("en-US", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
    timeZoneName: "short",
  }).formatToParts(d);
  const get = (t: string) => parts.find((x) => x.type === t)?.value ?? "";
  let zone = get("timeZoneName");
  const m = /^GMT([+-])(\d+)(?::(\d+))?$/.exec(zone);
  if (m) zone = m[1] + pad(Number(m[2])) + (m[3] ? m[3] : "");
  if (zone === "GMT") zone = "UTC";
  const hour = get("hour") === "24" ? "00" : get("hour");
  return `${get("year")}-${get("month")}-${get("day")} ${hour}:${get("minute")}:${get("second")} ${zone}`;
}
