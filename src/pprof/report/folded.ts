// Folded (collapsed) stacks, Brendan Gregg's format read by flamegraph.pl,
// speedscope and inferno: one line per distinct stack, root first, frames
// joined by ';', then a space and the summed value. Inlined frames are
// separate frames, as in pprof's traces.

import { buildNodeIndex } from "../graph/nodes.js";
import { NameCache } from "../graph/graph.js";
import type { ProfileView } from "../../core/transform/index.js";

export function formatFolded(view: ProfileView): string {
  const index = buildNodeIndex(view, { noTrim: true });
  const names = new NameCache(index.infos);
  const sums = new Map<string, number>();
  for (let i = 0; i < view.sampleCount; i++) {
    const v = view.value(i);
    if (v === 0) continue;
    const frames: string[] = [];
    for (let s = view.stackStart[i + 1] - 1; s >= view.stackStart[i]; s--) {
      const loc = view.stack[s];
      for (let k = index.locNodeStart[loc + 1] - 1; k >= index.locNodeStart[loc]; k--) {
        // ';' separates frames; a name containing it would split the frame.
        frames.push(names.name(index.locNodes[k]).replace(/;/g, ":"));
      }
    }
    if (frames.length === 0) continue;
    const key = frames.join(";");
    sums.set(key, (sums.get(key) ?? 0) + v);
  }
  let out = "";
  for (const [k, v] of sums) out += `${k} ${v}\n`;
  return out;
}
