// Graph nodes: pprof's NodeInfo, one per distinct (function, file, line, address, ...)
// after aggregation. Every (location, line) of the view is mapped to a node id once,
// so building graphs afterwards is pure integer work.

import { IntPairMap } from "./pairmap.js";
import { cleanPath, fileBase, trimPath } from "./paths.js";
import type { ProfileView } from "../../core/transform/index.js";

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

export function buildNodeIndex(view: ProfileView, opts: NodeIndexOptions = {}): NodeIndex {
  const p = view.p;
  const g = view.granularity;
  const funcs = p.functions;
  const nLoc = p.locations.length;
  const infos: NodeInfo[] = [];
  const byKey = new Map<string, number>();
  const locNodeStart = new Uint32Array(nLoc + 1);
  let locNodes = new Uint32Array(Math.max(16, p.lines.length + nLoc));
  let used = 0;
  // Keys are built from small canonical ids (not the long names), so hashing stays cheap.
  const canon = new Map<string, number>();
  const canonOf = (s: string): number => {
    let c = canon.get(s);
    if (c === undefined) canon.set(s, (c = canon.size));
    return c;
  };
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
  // Per function row: its name and file after aggregation, and their key part.
  const fName: (string | undefined)[] = [];
  const fFile: string[] = [];
  const fKey: string[] = [];
  const fNameC = new Int32Array(funcs.length);
  const fFileC = new Int32Array(funcs.length);
  const byNameFile = new IntPairMap(Math.max(1024, funcs.length));
  const funcPart = (f: number): string => {
    if (fName[f] === undefined) {
      const name = g.function ? p.str(funcs.name[f]) : "";
      const file = g.filename ? fileOf(funcs.filename[f]) : "";
      fName[f] = name;
      fFile[f] = file;
      fNameC[f] = canonOf(name);
      fFileC[f] = canonOf(file);
      const needObj = opts.objNames || name === "";
      fKey[f] = `${fNameC[f]},${fFileC[f]},${needObj ? funcs.startLine[f] : 0}`;
    }
    return fKey[f];
  };
  const push = (id: number) => {
    if (used === locNodes.length) {
      const bigger = new Uint32Array(used * 2);
      bigger.set(locNodes);
      locNodes = bigger;
    }
    locNodes[used++] = id;
  };
  const bare = (address: bigint, objfile: string): number => {
    const key = `-,${address},${canonOf(objfile)}`;
    let id = byKey.get(key);
    if (id === undefined) {
      id = infos.length;
      infos.push({ name: "", origName: "", address, file: "", startLine: 0, lineno: 0, columnno: 0, objfile });
      byKey.set(key, id);
    }
    return id;
  };
  const perFunction = !g.linenumber && !g.address;
  const funcNode = new Int32Array(funcs.length).fill(-1);
  for (let l = 0; l < nLoc; l++) {
    locNodeStart[l] = used;
    const m = p.locations.mapping[l];
    const objfile = m >= 0 ? p.mappings[m].file : "";
    const address = g.address ? p.locations.address[l] : 0n;
    let lo = view.locLineStart[l];
    const hi = view.locLineStart[l + 1];
    if (!g.inlineFrame && hi - lo > 1) lo = hi - 1;
    if (lo === hi) {
      push(bare(address, objfile));
      continue;
    }
    for (let k = lo; k < hi; k++) {
      const ln = view.locLines[k];
      const f = p.lines.func[ln];
      if (f < 0) {
        push(bare(address, objfile));
        continue;
      }
      if (perFunction && funcNode[f] >= 0) {
        // At function or file granularity a line's node depends on its function row alone.
        push(funcNode[f]);
        continue;
      }
      const part = funcPart(f);
      if (perFunction && fName[f] !== "" && !opts.objNames) {
        // Rows with the same name and file share a node: keyed by two small ints, no string.
        let id = byNameFile.get(fNameC[f], fFileC[f]);
        if (id < 0) {
          id = infos.length;
          infos.push({ name: fName[f] as string, origName: "", address: 0n, file: fFile[f], startLine: 0, lineno: 0, columnno: 0, objfile: "" });
          byNameFile.set(fNameC[f], fFileC[f], id);
        }
        funcNode[f] = id;
        push(id);
        continue;
      }
      const name = fName[f] as string;
      const needObj = opts.objNames === true || name === "";
      const lineno = g.linenumber ? p.lines.line[ln] : 0;
      const columnno = g.linenumber && g.columnnumber ? p.lines.column[ln] : 0;
      const key = `${part},${lineno},${columnno},${address === 0n ? 0 : address},${needObj ? canonOf(objfile) : -1}`;
      let id = byKey.get(key);
      if (id === undefined) {
        id = infos.length;
        infos.push({
          name,
          origName: "",
          address,
          file: fFile[f],
          startLine: needObj ? funcs.startLine[f] : 0,
          lineno,
          columnno,
          objfile: needObj ? objfile : "",
        });
        byKey.set(key, id);
      }
      if (perFunction && !needObj) funcNode[f] = id;
      push(id);
    }
  }
  locNodeStart[nLoc] = used;
  return { infos, locNodeStart, locNodes: locNodes.subarray(0, used) };
}
