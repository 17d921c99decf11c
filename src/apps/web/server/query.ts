// The API's query strings, validated with zod: a request with an unknown parameter,
// a wrong type or an oversized value is refused (400) before any work is done.

import { z } from "zod";

/** Regexps and label filters are short; a longer value is not a user's filter. */
const text = z.string().max(4096).default("");
const id = (min: number) => z.coerce.number().int().min(min).max(1_000_000);

export const viewQuery = z
  .object({
    p: id(0).default(0),
    si: text,
    focus: text,
    ignore: text,
    hide: text,
    show: text,
    show_from: text,
    tagfocus: text,
    tagignore: text,
    g: z.enum(["", "functions", "filefunctions", "files", "lines", "addresses"]).default(""),
    base: id(-1).default(-1),
    sort: z.enum(["flat", "cum"]).default("flat"),
    fn: text,
  })
  .strict();

export const noQuery = z.object({}).strict();

export const traceQuery = z.object({ t: id(0).default(0) }).strict();

/** One line naming what is wrong with a query. */
export function queryError(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");
}
