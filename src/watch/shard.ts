// Prometheus' hashmod relabel action (model/relabel/relabel.go, HashMod): the md5 of
// the source value, its last 8 bytes read big-endian as a uint64, modulo N. With
// `shard: {total: N, index: i}` a watcher keeps the targets whose address hashes to
// i, so N watchers (and a Prometheus using the same relabeling) split one fleet alike.

import { createHash } from "node:crypto";

export function hashmod(value: string, modulus: number): number {
  const sum = createHash("md5").update(value, "utf8").digest();
  return Number(sum.readBigUInt64BE(8) % BigInt(modulus));
}

export interface Shard {
  total: number;
  index: number;
}

/** Does this watcher's shard own the target address? */
export function ownsTarget(address: string, shard: Shard | undefined): boolean {
  return shard === undefined || hashmod(address, shard.total) === shard.index;
}
