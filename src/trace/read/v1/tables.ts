// The v1 trace's one stack table as trace-wide stack ids: small integers from 1, equal
// stacks (same frames) sharing one id, as the Go 1.22+ reader's tables do.

import type { StackFrame, TraceTables } from "../../model/event.js";
import type { V1Scan } from "./scan.js";

export class V1Tables implements TraceTables {
  private readonly stacks: (readonly StackFrame[])[] = [[]];
  /** the trace's stack id -> ours */
  private readonly ids = new Map<number, number>();

  constructor(scan: V1Scan) {
    const byKey = new Map<string, number>();
    const frames = new Map<number, StackFrame>();
    const str = (id: number) => scan.strings.get(id) ?? "";
    for (const [id, pcs] of scan.stacks) {
      const fs = pcs.map((pc) => {
        let f = frames.get(pc);
        if (f === undefined) {
          // Go keeps one frame per PC, the first one seen (inlined calls share a PC).
          const raw = scan.pcs.get(pc)!;
          f = { pc, func: str(raw.fn), file: str(raw.file), line: raw.line };
          frames.set(pc, f);
        }
        return f;
      });
      const key = pcs.join(",");
      let gid = byKey.get(key);
      if (gid === undefined) {
        gid = this.stacks.length;
        this.stacks.push(fs);
        byKey.set(key, gid);
      }
      this.ids.set(id, gid);
    }
  }

  /** Our id of the trace's stack id (0 for none or an unknown id). */
  id(traceId: number): number {
    return traceId === 0 ? 0 : (this.ids.get(traceId) ?? 0);
  }

  frames(stack: number): readonly StackFrame[] {
    return this.stacks[stack] ?? [];
  }

  get stackCount(): number {
    return this.stacks.length - 1;
  }
}
