// The dependency rule of docs/ARCHITECTURE.md, checked by `npm test` (npm run lint:deps).
// Layers, lowest first: core <- pprof <- domains (goroutines, gc, bench) and bundle
// <- capture, diagnose <- api <- apps. A folder imports only its own files and the
// folders below it; another folder only through that folder's index.ts; no cycles.
const DOMAINS = "(goroutines|gc|bench|trace|net|ebpf)";
/** A folder may import itself and the listed folders, nothing else under src/. */
function only(from, allowed) {
  return {
    name: `${from}-imports-only-${allowed.join("-") || "itself"}`,
    comment: `src/${from}/ may import ${allowed.length ? allowed.join(", ") + " and " : ""}itself (docs/ARCHITECTURE.md)`,
    severity: "error",
    from: { path: `^src/${from}/` },
    to: { path: "^src/", pathNot: [`^src/${from}/`, ...allowed.map((a) => `^src/${a}/`)] },
  };
}
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "import cycles make layers meaningless and start-up order fragile",
      from: {},
      to: { circular: true },
    },
    only("core", []),
    only("pprof", ["core"]),
    only("goroutines", ["core", "pprof"]),
    only("gc", ["core", "pprof"]),
    only("bench", ["core", "pprof"]),
    only("trace", ["core", "pprof"]),
    only("net", ["core", "pprof"]),
    only("ebpf", ["core", "pprof"]),
    only("store", ["core", "pprof"]),
    only("bundle", ["core"]),
    only("capture", ["core", "bundle"]),
    only("diagnose", ["core", "pprof", "goroutines", "gc", "bench", "trace", "net", "ebpf", "bundle"]),
    only("watch", ["core", "pprof", "goroutines", "gc", "bundle", "capture", "diagnose", "store"]),
    only("api", ["core", "pprof", "goroutines", "gc", "bench", "trace", "net", "ebpf", "store", "bundle", "capture", "diagnose", "watch"]),
    only("apps", ["api"]),
    {
      name: "through-index",
      comment: "another folder is imported through its index.ts (core: through core/<part>/index.ts)",
      severity: "error",
      from: { path: "^src/([^/]+)/" },
      to: {
        path: "^src/",
        pathNot: ["^src/$1/", "^src/(?!core/)[^/]+/index\\.ts$", "^src/core/[^/]+/index\\.ts$", "^src/api/[^/]+\\.ts$"],
      },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "no-orphans",
      comment: "a module nothing imports is dead code (entry points excepted)",
      severity: "error",
      from: { orphan: true, path: "^src/", pathNot: ["^src/apps/[^/]+/main\\.ts$", "^src/pprof/flame/viewer/main\\.ts$", "^src/trace/timeline/viewer/main\\.ts$", "^src/apps/web/client/main\\.ts$", "\\.d\\.ts$"] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
