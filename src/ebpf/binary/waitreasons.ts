// Names of the runtime's waitReason values (the byte gopark receives). The enum
// is renumbered between versions (Go 1.21+ moved the channel reasons together),
// so names come from the binary's own runtime.waitReasonStrings array when
// .symtab has it, else from this table (runtime/runtime2.go of each version,
// indexed by enum value). test/ebpf-binary.test.ts checks the table against the
// array in binaries built with Go 1.19, 1.26 and 1.27.

import type { Elf } from "./elf.js";
import { goMinor } from "./offsets.js";

const GO119 = [
  "", "GC assist marking", "IO wait", "chan receive (nil chan)", "chan send (nil chan)", "dumping heap",
  "garbage collection", "garbage collection scan", "panicwait", "select", "select (no cases)", "GC assist wait",
  "GC sweep wait", "GC scavenge wait", "chan receive", "chan send", "finalizer wait", "force gc (idle)", "semacquire",
  "sleep", "sync.Cond.Wait", "timer goroutine (idle)", "trace reader (blocked)", "wait for GC cycle",
  "GC worker (idle)", "preempted", "debug call",
];

const GO126 = [
  "", "GC assist marking", "IO wait", "dumping heap", "garbage collection", "garbage collection scan", "panicwait",
  "GC assist wait", "GC sweep wait", "GC scavenge wait", "finalizer wait", "force gc (idle)",
  "GOMAXPROCS updater (idle)", "semacquire", "sleep", "chan receive (nil chan)", "chan send (nil chan)",
  "select (no cases)", "select", "chan receive", "chan send", "sync.Cond.Wait", "sync.Mutex.Lock",
  "sync.RWMutex.RLock", "sync.RWMutex.Lock", "sync.WaitGroup.Wait", "trace reader (blocked)", "wait for GC cycle",
  "GC worker (idle)", "GC worker (active)", "preempted", "debug call", "GC mark termination", "stopping the world",
  "flushing proc caches", "trace goroutine status", "trace proc status", "page trace flush", "coroutine",
  "GC weak to strong wait", "synctest.Run", "synctest.Wait", "chan receive (durable)", "chan send (durable)",
  "select (durable)", "sync.WaitGroup.Wait (durable)", "cleanup wait",
];

export const WAIT_REASON_TABLE: Record<string, readonly string[]> = { "1.19": GO119, "1.26": GO126, "1.27": GO126 };

/** The wait-reason names from the binary's runtime.waitReasonStrings ([N]string: {ptr, len} pairs). */
export function waitReasonsFromSymtab(elf: Elf, symbols: { name: string; addr: bigint; size: number }[]): string[] | undefined {
  const sym = symbols.find((s) => s.name === "runtime.waitReasonStrings");
  if (!sym || sym.size % 16 !== 0 || sym.size > 16 * 256) return undefined;
  const arr = elf.bytesAt(sym.addr, sym.size);
  if (!arr) return undefined;
  const out: string[] = [];
  for (let o = 0; o < arr.length; o += 16) {
    const len = Number(arr.readBigUInt64LE(o + 8));
    const s = len === 0 ? Buffer.alloc(0) : elf.bytesAt(arr.readBigUInt64LE(o), Math.min(len, 256));
    if (!s) return undefined;
    out.push(s.toString("utf8"));
  }
  return out;
}

export function waitReasonsFromTable(goVersion: string): readonly string[] | undefined {
  const minor = goMinor(goVersion);
  if (minor === undefined) return undefined;
  if (WAIT_REASON_TABLE[`1.${minor}`]) return WAIT_REASON_TABLE[`1.${minor}`];
  // The 1.26 order holds from 1.21 on for the names it shares; older than 1.21: 1.19's.
  return minor >= 21 ? GO126 : minor >= 17 ? GO119 : undefined;
}
