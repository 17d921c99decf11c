// `callgrind`: pprof's printCallgrind (internal/report/report.go). The untrimmed graph
// at address granularity (binary names kept, -call_tree honoured), nodes in flat (or
// -cum) order, each with its cost line and its calls, names and addresses compressed
// as the callgrind format allows ("(N)" for a name seen before, "+/-delta" or "*").

import { NameCache } from "../graph/graph.js";
import { buildNodeIndex, type NodeInfo } from "../graph/nodes.js";
import { buildTaggedGraph, sortEdgeList, type TNode } from "../graph/tagged-graph.js";
import { scaleValue, scaledLabel } from "../../core/measure/index.js";
import type { Report } from "./report.js";
import { selectUnitFor } from "./trimmed-graph.js";

function strCmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Nodes.Sort(FlatNameOrder) or Sort(CumNameOrder): the order of non-visual graphs. */
export function sortByValue(nodes: TNode[], names: NameCache, cum: boolean): void {
  const abs = Math.abs;
  nodes.sort((l, r) => {
    const pl = abs(cum ? l.cum : l.flat);
    const pr = abs(cum ? r.cum : r.flat);
    if (pl !== pr) return pr - pl;
    if (l.id !== r.id) {
      const a = l.info;
      const b = r.info;
      if (a.address !== 0n && b.address !== 0n && a.address !== b.address) return a.address < b.address ? -1 : 1;
      const c = strCmp(names.name(l.id), names.name(r.id));
      if (c !== 0) return c;
    }
    const sl = abs(cum ? l.flat : l.cum);
    const sr = abs(cum ? r.flat : r.cum);
    if (sl !== sr) return sr - sl;
    return strCmp(names.sprint(l.id), names.sprint(r.id));
  });
}

/**
 * The identity of a node's Node.Function in pprof: the node of the same NodeInfo with
 * address, line and column zeroed, found in the same node map (with -call_tree, one map
 * per parent node, so a function called from two places is two functions).
 */
function functionKey(n: TNode, callTree: boolean, parentIds: Map<TNode, number>): string {
  const i: NodeInfo = n.info;
  const own = `${i.name}\u0000${i.origName}\u0000${i.file}\u0000${i.startLine}\u0000${i.objfile}`;
  if (!callTree) return own;
  let parent: TNode | null = null;
  for (const e of n.in.values()) {
    parent = e.src;
    break;
  }
  let pid = -1;
  if (parent !== null) {
    pid = parentIds.get(parent) ?? parentIds.size;
    parentIds.set(parent, pid);
  }
  return `${pid}\u0000${own}`;
}

/** getDisambiguatedNames: " [k/n]" after names that several functions share in one file. */
function disambiguatedNames(nodes: TNode[], callTree: boolean): Map<TNode, string> {
  const parentIds = new Map<TNode, number>();
  const fnIndex = new Map<string, Map<string, number>>();
  const fnOf = new Map<TNode, string>();
  for (const n of nodes) {
    const nm = n.info.file + "\u0000" + n.info.name;
    let p = fnIndex.get(nm);
    if (p === undefined) fnIndex.set(nm, (p = new Map()));
    const fk = functionKey(n, callTree, parentIds);
    fnOf.set(n, fk);
    if (!p.has(fk)) p.set(fk, p.size);
  }
  const out = new Map<TNode, string>();
  for (const n of nodes) {
    const p = fnIndex.get(n.info.file + "\u0000" + n.info.name) as Map<string, number>;
    let name = n.info.name;
    if (p.size > 1) name += ` [${(p.get(fnOf.get(n) as string) as number) + 1}/${p.size}]`;
    out.set(n, name);
  }
  return out;
}

/** callgrindName: "(N) name" the first time, "(N)" after, "" for no name. */
function nameCompressor(): (name: string) => string {
  const ids = new Map<string, number>();
  return (name) => {
    if (name === "") return "";
    const id = ids.get(name);
    if (id !== undefined) return `(${id})`;
    ids.set(name, ids.size + 1);
    return `(${ids.size}) ${name}`;
  };
}

/** callgrindAddress: "*" for the same address, a signed delta when shorter than %#x. */
function addressText(prev: NodeInfo | null, curr: bigint): string {
  const abs = "0x" + curr.toString(16);
  if (prev === null) return abs;
  if (prev.address === curr) return "*";
  const diff = BigInt.asIntN(64, curr - prev.address);
  const rel = (diff >= 0n ? "+" : "") + diff.toString();
  return rel.length < abs.length ? rel : abs;
}

export function formatCallgrind(rpt: Report): string {
  const cfg = rpt.cfg;
  const index = buildNodeIndex(rpt.view, { objNames: true, trimPath: cfg.trimPath, sourcePath: cfg.sourcePath });
  const names = new NameCache(index.infos);
  const unit = cfg.unit;
  const nodes = buildTaggedGraph(rpt.view, index, {
    meanIndex: cfg.mean ? 0 : -1,
    numLabelUnits: rpt.numLabelUnits,
    formatTag: (v, u) => scaledLabel(v, u, unit),
    dropNegative: cfg.dropNegative,
    callTree: cfg.callTree,
    kept: null,
  });
  sortByValue(nodes, names, cfg.cum);
  selectUnitFor(
    rpt,
    nodes.map((n) => [n.flatValue(), n.cumValue()]),
    true,
  );
  const nodeNames = disambiguatedNames(nodes, cfg.callTree);
  const scaled = (v: number) => Math.trunc(scaleValue(v, rpt.sampleUnit, rpt.outputUnit)[0]);
  const ob = nameCompressor();
  const fl = nameCompressor();
  const fn = nameCompressor();
  const out: string[] = ["positions: instr line", `events: ${rpt.sampleType}(${rpt.outputUnit})`];
  let prev: NodeInfo | null = null;
  for (const n of nodes) {
    const i = n.info;
    if (prev === null || i.objfile !== prev.objfile || i.file !== prev.file || i.name !== prev.name) {
      out.push("", "ob=" + ob(i.objfile), "fl=" + fl(i.file), "fn=" + fn(i.name));
    }
    out.push(`${addressText(prev, i.address)} ${i.lineno} ${scaled(n.flatValue())}`);
    for (const e of sortEdgeList(n.out.values(), names)) {
      const callee = e.dst;
      out.push("cfl=" + fl(callee.info.file));
      out.push("cfn=" + fn(nodeNames.get(callee) ?? ""));
      out.push(`calls=0 ${addressText(prev, callee.info.address)} ${callee.info.lineno}`);
      out.push(`* * ${scaled(e.weight)}`);
    }
    prev = i;
  }
  return out.join("\n") + "\n";
}
