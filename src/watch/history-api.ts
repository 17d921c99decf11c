// The history of a running watcher over its HTTP endpoint. DuckDB admits one
// process per database file, so `godiag query --data DIR` on a running watcher's
// directory asks the watcher (whose URL it finds in DIR/watcher.json) instead of
// opening the file; store/remote.ts is the client. Every answer is what the store
// itself gives: the merged profile as a gzipped pprof proto, the rest as JSON.

import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { writeProfileGz } from "../core/codec/index.js";
import { PROFILE_TYPES, type ProfileStore, type ProfileType, type RangeQuery } from "../store/index.js";

export const HISTORY_PREFIX = "/api/history/";

class BadRequest extends Error {}

function rangeOf(p: URLSearchParams): RangeQuery {
  const target = p.get("target");
  const type = p.get("type") ?? "";
  if (!target) throw new BadRequest("target= is missing");
  if (!(PROFILE_TYPES as readonly string[]).includes(type)) throw new BadRequest(`type= must be one of ${PROFILE_TYPES.join(", ")}`);
  return { target, type: type as ProfileType, fromMs: num(p, "from"), toMs: num(p, "to") };
}

function num(p: URLSearchParams, key: string): number {
  const v = Number(p.get(key) ?? "NaN");
  if (!Number.isFinite(v)) throw new BadRequest(`${key}= is not a number`);
  return v;
}

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
function authorized(req: IncomingMessage, token: string): boolean {
  const got = Buffer.from(req.headers.authorization ?? "", "utf8");
  const want = Buffer.from(`Bearer ${token}`, "utf8");
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * Answer a /api/history/ request from the store; false when the path is not one of them.
 * The history holds every target's stacks (function and file names): unlike /metrics it
 * needs the token the watcher wrote into DIR/watcher.json (mode 0600), so only who can
 * read the data directory can read the history.
 */
export function serveHistory(store: ProfileStore, req: IncomingMessage, res: ServerResponse, token: string): boolean {
  const url = new URL(req.url ?? "/", "http://local");
  if (!url.pathname.startsWith(HISTORY_PREFIX)) return false;
  if (!authorized(req, token)) {
    res.writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="godiag history"' });
    res.end("the history needs the token in the watcher's DIR/watcher.json (Authorization: Bearer TOKEN)\n");
    return true;
  }
  const what = url.pathname.slice(HISTORY_PREFIX.length);
  const json = (v: unknown): void => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(v));
  };
  const answer = async (): Promise<void> => {
    const p = url.searchParams;
    switch (what) {
      case "profile": {
        const prof = await store.mergedProfile(rangeOf(p));
        if (!prof) {
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("no profiles in that range\n");
          return;
        }
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(writeProfileGz(prof, 1));
        return;
      }
      case "series":
        return json(await store.series(p.get("target") ?? "", p.get("name") ?? "", num(p, "from"), num(p, "to")));
      case "top":
        return json(await store.topFunctions(rangeOf(p), num(p, "bucket"), num(p, "n")));
      case "targets":
        return json(await store.targets());
      default:
        throw new BadRequest(`not a history query: try profile, series, top, targets`);
    }
  };
  answer().catch((e: Error) => {
    const bad = e instanceof BadRequest;
    if (!res.headersSent) res.writeHead(bad ? 400 : 500, { "content-type": "text/plain" });
    res.end(`${e.message.split("\n")[0]}\n`);
  });
  return true;
}
