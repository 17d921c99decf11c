// Naming user code from execution-trace stacks: findings end in the user's function,
// the innermost frame outside the runtime and the standard library (those frames are
// evidence only).

import { CodeOrigins, originOf } from "../core/go/index.js";
import type { StackFrame } from "../trace/index.js";

/**
 * The innermost user frame of a stack (innermost first), or undefined when it has none;
 * a dependency's frame (its file in the module cache or vendor/) is not one.
 */
export function userFrame(stack: readonly StackFrame[]): StackFrame | undefined {
  const origins = CodeOrigins.fromFrames(stack);
  return stack.find((f) => originOf(f.func, origins) === "user");
}

/** A stack as an excerpt: the innermost frames, one a line. */
export function stackExcerpt(stack: readonly StackFrame[], max = 8): string {
  return stack
    .slice(0, max)
    .map((f) => `${f.func}\n\t${f.file}:${f.line}`)
    .join("\n");
}

/** Adds v to m[k]. */
export function addUp<K>(m: Map<K, number>, k: K, v: number): void {
  m.set(k, (m.get(k) ?? 0) + v);
}

/** The key with the largest value, or undefined for an empty map. */
export function largest<K>(m: Map<K, number>): [K, number] | undefined {
  let best: [K, number] | undefined;
  for (const e of m) if (!best || e[1] > best[1]) best = e;
  return best;
}

export const ms = (ns: number, d = 1): number => Math.round(ns / 10 ** (6 - d)) / 10 ** d;
export const pctOf = (part: number, whole: number): number => (whole > 0 ? Math.round((1000 * part) / whole) / 10 : 0);
