// 64-bit content ids for deduplicated rows: the first 8 bytes of an md5 of the
// row's identity, as a signed BIGINT. A stack, location or function is stored once
// however many scrapes carry it; the id is the same in every watcher, so watchers
// writing into one ClickHouse cluster share rows without coordination.

import { createHash } from "node:crypto";

export function contentId(key: string): bigint {
  const h = createHash("md5").update(key, "utf8").digest();
  const id = h.readBigInt64LE(0);
  // 0 means "none" (a location without a mapping).
  return id === 0n ? 1n : id;
}
