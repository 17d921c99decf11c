// Go symbol names: which package a function belongs to, and whether that package
// is the runtime, the standard library, a dependency or user code. Shared by goroutine
// buckets (user frames highlighted), flame graph colours and the diagnosis rules.
// A name alone cannot tell a dependency (github.com/go-chi/chi/v5) from the user's own
// module (github.com/acme/shop): that is learned from the inputs' source file paths
// (origins.ts) and passed in.

export type CodeOrigin = "runtime" | "stdlib" | "dependency" | "user";

/** What the inputs proved about packages (CodeOrigins in origins.ts): the origin of a function. */
export interface PackageOrigins {
  of(fn: string): CodeOrigin;
}

/**
 * The import path of a Go function symbol, e.g.
 *   "github.com/a/b.(*T).M"         -> "github.com/a/b"
 *   "net/http.(*conn).serve.func1"  -> "net/http"
 *   "main.main"                     -> "main"
 *   "pkg.F[...]" / "pkg.G[go.shape.int]" -> "pkg"
 * Returns "" for names that are not Go symbols (C frames, addresses).
 */
export function packageOf(fn: string): string {
  // The last slash before any bracket/paren ends the directory part; the package
  // name then runs to the first dot after it. Generic brackets may contain
  // slashes and dots ("go.shape.*uint8"), so cut them off first.
  let end = fn.length;
  const bracket = fn.indexOf("[");
  if (bracket >= 0) end = bracket;
  const paren = fn.indexOf("(");
  if (paren >= 0 && paren < end) end = paren;
  const slash = fn.lastIndexOf("/", end - 1);
  const dot = fn.indexOf(".", slash + 1);
  if (dot < 0 || dot > end) return "";
  return fn.slice(0, dot);
}

/**
 * runtime, stdlib, dependency or user code. Without `origins` every package outside
 * the standard library counts as user code (the name alone cannot tell); with them,
 * the packages the inputs proved to be dependencies are "dependency".
 */
export function originOf(fn: string, origins?: PackageOrigins): CodeOrigin {
  return origins ? origins.of(fn) : originByName(fn);
}

/** runtime, stdlib (no dot in the first path element) or, for every other package, user. */
export function originByName(fn: string): CodeOrigin {
  const pkg = packageOf(fn);
  if (pkg === "") return "runtime"; // unsymbolized or assembly/C frames: not user code
  if (pkg === "runtime" || pkg.startsWith("runtime/") || pkg.startsWith("internal/runtime")) return "runtime";
  if (pkg === "main") return "user";
  const first = pkg.split("/", 1)[0]!;
  // Standard library import paths have no dot in their first element; "main" and
  // module paths without dots (e.g. "example/foo" in go.mod) are the exception,
  // but a stdlib package never starts with a user's module name, so only the
  // well-known std roots count.
  if (!first.includes(".") && STD_ROOTS.has(first)) return "stdlib";
  if (first === "golang.org" && pkg.startsWith("golang.org/toolchain")) return "stdlib";
  return "user";
}

/** Top-level directories of GOROOT/src (Go 1.26), i.e. every std import path's first element. */
const STD_ROOTS = new Set([
  "archive", "arena", "bufio", "builtin", "bytes", "cmp", "compress", "container", "context", "crypto",
  "database", "debug", "embed", "encoding", "errors", "expvar", "flag", "fmt", "go", "hash", "html",
  "image", "index", "internal", "io", "iter", "log", "maps", "math", "mime", "net", "os", "path",
  "plugin", "reflect", "regexp", "runtime", "slices", "sort", "strconv", "strings", "structs", "sync",
  "syscall", "testing", "text", "time", "unicode", "unique", "unsafe", "weak", "vendor", "cmd",
]);
