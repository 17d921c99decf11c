// 64-bit content ids for deduplicated rows: the first 8 bytes of an md5 of the
// row's identity, as a signed BIGINT. A stack, location or function is stored once
// however many scrapes carry it; the id is the same in every watcher, so watchers
// writing into one ClickHouse cluster share rows without coordination.

import { createHash } from "node:crypto";

export function md5Id(key: string): bigint {
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

// A stack's id is the md5 of its location ids as text ("s\0" and 20 digits a frame), and
// building and hashing that text for every sample of every scrape was most of the
// watcher's normalizing time at 200 targets (a --cpu-prof: contentId 5.2 s and
// normalizeProfile 4.2 s self of 39 s busy). Stacks are cached by a short key instead:
// each location id stands for a small number given in order of appearance, and the
// canonical text is built only when the short key is new. The ids stay the md5s.
// Both tables are dropped together when full (between profiles: resetStackCacheIfFull).
const MAX_LOCATION_NUMBERS = 1 << 20;
const locationNumbers = new Map<bigint, number>();
let stackIds = new Map<string, bigint>();
let stackChars = 0;

export function resetStackCacheIfFull(): void {
  if (locationNumbers.size < MAX_LOCATION_NUMBERS && stackChars < CACHE_CHARS) return;
  locationNumbers.clear();
  stackIds = new Map();
  stackChars = 0;
}

/** The small number standing for a location id in stack cache keys. */
export function locationNumber(id: bigint): number {
  let n = locationNumbers.get(id);
  if (n === undefined) locationNumbers.set(id, (n = locationNumbers.size));
  return n;
}

/** A stack's content id by its short key (location numbers); `canonical` gives the md5's text. */
export function stackContentId(short: string, canonical: () => string): bigint {
  let id = stackIds.get(short);
  if (id === undefined) {
    id = md5Id(canonical());
    stackIds.set(short, id);
    stackChars += short.length;
  }
  return id;
}
