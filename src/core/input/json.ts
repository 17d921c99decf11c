// JSON.parse for input files: a SyntaxError becomes an InputError on one line with
// the byte offset of the fault. V8 gives "at position N" for some faults; for an
// unexpected token it gives only an excerpt (10 characters either side, which keeps
// the input's newlines), so the offset is found by locating that excerpt.

import { InputError } from "./errors.js";

export function parseJsonInput(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const msg = (e as Error).message;
    const offset = jsonErrorOffset(text, msg);
    // The excerpt is dropped: it repeats the input (newlines included) and the offset says where.
    const short = msg.replace(/, (\.\.\.)?"[\s\S]*" is not valid JSON$/, "").replace(/ in JSON at position \d+.*$/, "").replace(/\s*\n\s*/g, " ");
    throw new InputError(file, `${what}: ${short}`, offset);
  }
}

/** Character offset of a JSON.parse fault (= byte offset for ASCII input), when it can be told. */
export function jsonErrorOffset(text: string, message: string): number | undefined {
  const at = / at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  const m = /^Unexpected token '([\s\S])', (\.\.\.)?"([\s\S]*?)(\.\.\.)?" is not valid JSON$/.exec(message);
  if (!m) return undefined;
  const [, token, cutBefore, excerpt] = m;
  const start = text.indexOf(excerpt!);
  if (start < 0) return undefined;
  // V8 shows 10 characters before the fault when it cuts the excerpt, else from the start.
  const within = cutBefore ? 10 : excerpt!.indexOf(token!);
  return within < 0 ? undefined : start + within;
}
