// Go's path handling as pprof applies it to file names: filepath.Clean and
// the report's trimPath heuristics.

/** Go's filepath.Clean for slash-separated paths. */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const parts = path.split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return "/" + joined;
  return joined === "" ? "." : joined;
}

function baseName(dir: string): string {
  const trimmed = dir.replace(/\/+$/, "");
  if (trimmed === "") return dir === "" ? "." : "/";
  const i = trimmed.lastIndexOf("/");
  return i >= 0 ? trimmed.slice(i + 1) : trimmed;
}

/** pprof report.trimPath: strip a configured (or guessed) prefix from a source path. */
export function trimPath(path: string, trim: string, searchPath: string): string {
  if (trim === "" && searchPath !== "") {
    for (const dir of searchPath.split(":")) {
      const want = "/" + baseName(dir) + "/";
      const found = path.indexOf(want);
      if (found !== -1) return path.slice(found + want.length);
    }
  }
  const prefixes = [...(trim === "" ? [] : trim.split(":")), "/proc/self/cwd/./", "/proc/self/cwd/"];
  for (let t of prefixes) {
    if (!t.endsWith("/")) t += "/";
    if (path.startsWith(t)) return path.slice(t.length);
  }
  return path;
}

/** filepath.Base */
export function fileBase(path: string): string {
  return baseName(path);
}
