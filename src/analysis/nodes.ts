// Graph nodes: pprof's NodeInfo, one per distinct (function, file, line, address, ...)
// after aggregation. Every (location, line) of the view is mapped to a node id once,
// so building graphs afterwards is pure integer work.

import { cleanPath, fileBase, trimPath } from "./paths.js";
import type { ProfileView } from "./view.js";

export interface NodeInfo {
  name: string;
  origName: string;
  address: bigint;
  file: string;
  startLine: number;
  lineno: number;
  columnno: number;
  objfile: string;
}

export interface NodeIndexOptions {
  /** keep the binary's name on every node (raw, callgrind, list reports) */
  objNames?: boolean;
  trimPath?: string;
  sourcePath?: string;
  /** leave file names as they are (pprof's traces report does not trim them) */
  noTrim?: boolean;
}

export interface NodeIndex {
  infos: NodeInfo[];
  /** Nodes of location l: locNodes[locNodeStart[l] .. locNodeStart[l+1]), innermost line first. */
  locNodeStart: Uint32Array;
  locNodes: Uint32Array;
}

/** pprof's NodeInfo.PrintableName. */
export function printableName(i: NodeInfo): string {
  const parts: string[] = [];
  if (i.address !== 0n) parts.push(i.address.toString(16).padStart(16, "0"));
  if (i.name !== "") parts.push(i.name);
  if (i.lineno !== 0) {
    parts.push(`${i.file}:${i.lineno}` + (i.columnno !== 0 ? `:${i.columnno}` : ""));
  } else if (i.file !== "") {
    parts.push(i.file);
  } else if (i.name !== "") {
    // the function name is already there
  } else if (i.objfile !== "") {
    parts.push("[" + fileBase(i.objfile) + "]");
  } else {
    parts.push("<unknown>");
  }
  return parts.join(" ");
}

/** Go's fmt.Sprint of a NodeInfo struct: pprof's last-resort tie breaker. */
export function sprintInfo(i: NodeInfo): string {
  return `{${i.name} ${i.origName} ${i.address} ${i.file} ${i.startLine} ${i.lineno} ${i.columnno} ${i.objfile}}`;
}

function infoKey(i: NodeInfo): string {
  return `${i.name}\u0000${i.origName}\u0000${i.address}\u0000${i.file}\u0000${i.startLine}\u0000${i.lineno}\u0000${i.columnno}\u0000${i.objfile}`;
}

export function buildNodeIndex(view: ProfileView, opts: NodeIndexOptions = {}): NodeIndex {
  const p = view.p;
  const g = view.granularity;
  const funcs = p.functions;
  const nLoc = p.locations.length;
  const infos: NodeInfo[] = [];
  const byKey = new Map<string, number>();
  const locNodeStart = new Uint32Array(nLoc + 1);
  const locNodes: number[] = [];
  const fileMemo = new Map<number, string>();
  const fileOf = (strIdx: number): string => {
    let f = fileMemo.get(strIdx);
    if (f === undefined) {
      const raw = p.str(strIdx);
      f = raw === "" ? "" : cleanPath(opts.noTrim ? raw : trimPath(raw, opts.trimPath ?? "", opts.sourcePath ?? ""));
      fileMemo.set(strIdx, f);
    }
    return f;
  };
  const intern = (info: NodeInfo): number => {
    const key = infoKey(info);
    let id = byKey.get(key);
    if (id === undefined) {
      id = infos.length;
      infos.push(info);
      byKey.set(key, id);
    }
    return id;
  };
  for (let l = 0; l < nLoc; l++) {
    locNodeStart[l] = locNodes.length;
    const m = p.locations.mapping[l];
    const objfile = m >= 0 ? p.mappings[m].file : "";
    const address = g.address ? p.locations.address[l] : 0n;
    let lo = view.locLineStart[l];
    const hi = view.locLineStart[l + 1];
    if (!g.inlineFrame && hi - lo > 1) lo = hi - 1;
    if (lo === hi) {
      locNodes.push(intern({ name: "", origName: "", address, file: "", startLine: 0, lineno: 0, columnno: 0, objfile }));
      continue;
    }
    for (let k = lo; k < hi; k++) {
      const ln = view.locLines[k];
      const f = p.lines.func[ln];
      if (f < 0) {
        locNodes.push(intern({ name: "", origName: "", address, file: "", startLine: 0, lineno: 0, columnno: 0, objfile }));
        continue;
      }
      const name = g.function ? p.str(funcs.name[f]) : "";
      const info: NodeInfo = {
        name,
        origName: "",
        address,
        file: g.filename ? fileOf(funcs.filename[f]) : "",
        startLine: 0,
        lineno: g.linenumber ? p.lines.line[ln] : 0,
        columnno: g.linenumber && g.columnnumber ? p.lines.column[ln] : 0,
        objfile: "",
      };
      if (opts.objNames || name === "") {
        info.objfile = objfile;
        info.startLine = funcs.startLine[f];
      }
      locNodes.push(intern(info));
    }
  }
  locNodeStart[nLoc] = locNodes.length;
  return { infos, locNodeStart, locNodes: Uint32Array.from(locNodes) };
}
