// Node names as pprof's DOT output writes them (graph.ShortenFunctionName,
// multilinePrintableName, escapeForDot in internal/graph/dotgraph.go).

import { fileBase } from "./paths.js";
import type { NodeInfo } from "./nodes.js";

const JAVA = /^(?:[a-z]\w*\.)*([A-Z][\w$]*\.(?:<init>|[a-z][\w$]*(?:\$\d+)?))(?:\(|$)/;
const GO = /^(?:[\w\-.]+\/)+([^.]+\..+)/;
const GO_VERSION = /^(.*?)\/v(?:[2-9]|[1-9][0-9]+)([./].*)$/;
const CPP = /^(?:[_a-zA-Z]\w*::)+(_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?)/;
const CPP_ANON = /^\(anonymous namespace\)::/;

/** Drop package paths (and module versions) from a function name, keep the rest. */
export function shortenFunctionName(f: string): string {
  f = f.replace(CPP_ANON, "").replace(GO_VERSION, "$1$2");
  for (const re of [GO, JAVA, CPP]) {
    const m = re.exec(f);
    if (m !== null) return m.slice(1).map((s) => s ?? "").join("");
  }
  return f;
}

/** Quotes and backslashes escaped; newlines become Graphviz's left-justified break. */
export function escapeForDot(s: string): string {
  return s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\l");
}

/** NodeInfo.NameComponents. */
export function nameComponents(i: NodeInfo): string[] {
  const out: string[] = [];
  if (i.address !== 0n) out.push(i.address.toString(16).padStart(16, "0"));
  if (i.name !== "") out.push(i.name);
  if (i.lineno !== 0) out.push(`${i.file}:${i.lineno}` + (i.columnno !== 0 ? `:${i.columnno}` : ""));
  else if (i.file !== "") out.push(i.file);
  else if (i.name !== "") {
    // the function name is already there
  } else if (i.objfile !== "") out.push("[" + fileBase(i.objfile) + "]");
  else out.push("<unknown>");
  return out;
}

/** A node's label: short name split at package/class dots, base file name, one per line. */
export function multilineName(i: NodeInfo): string {
  let name = escapeForDot(shortenFunctionName(i.name)).replaceAll("::", "\\n");
  // Go shows type parameters as [...]; keep that ellipsis whole
  name = name.replaceAll("[...]", "[…]").replaceAll(".", "\\n");
  const file = i.file !== "" ? fileBase(i.file) : "";
  return nameComponents({ ...i, name, file }).join("\\n") + "\\n";
}
