// 64-bit content ids for deduplicated rows: the first 8 bytes of an md5 of the
// row's identity, as a signed BIGINT. A stack, location or function is stored once
// however many scrapes carry it; the id is the same in every watcher, so watchers
// writing into one ClickHouse cluster share rows without coordination.

import { createHash } from "node:crypto";

function md5Id(key: string): bigint {
  const h = createHash("md5").update(key, "utf8").digest();
  const id = h.readBigInt64LE(0);
  // 0 means "none" (a location without a mapping).
  return id === 0n ? 1n : id;
}

// A fleet's scrapes repeat the same functions, locations and stacks every interval:
// one md5 (a createHash object each) per row was a third of the watcher's CPU at 200
// targets. Ids already computed are remembered in two generations bounded by key
// length: when the young one holds CACHE_CHARS, it becomes the old one and the
// previous old one is dropped (at most ~2 x CACHE_CHARS x 2 bytes plus entries).
const CACHE_CHARS = 8 << 20;
let young = new Map<string, bigint>();
let old = new Map<string, bigint>();
let youngChars = 0;

export function contentId(key: string): bigint {
  let id = young.get(key);
  if (id !== undefined) return id;
  id = old.get(key) ?? md5Id(key);
  young.set(key, id);
  youngChars += key.length;
  if (youngChars >= CACHE_CHARS) {
    old = young;
    young = new Map();
    youngChars = 0;
  }
  return id;
}
