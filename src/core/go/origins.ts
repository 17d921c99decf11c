// Which packages are the user's and which are dependencies, learned from the inputs
// themselves: Go builds a dependency from the module cache
// ($GOMODCACHE/<escaped module>@<version>/<dir>, "<module>@<version>/<dir>" under
// -trimpath; cmd/go/internal/work, the -trimpath rewrite) or from the main module's
// vendor/<import path> directory, never from the main module's own tree. Profiles
// (function file names), goroutine dumps and execution traces (frame files) carry those
// paths, so a package is a dependency exactly when its files are there. A finding then
// ends in the innermost frame of the user's own module; dependency frames, like the
// standard library's, are evidence.

import type { Profile } from "../model/index.js";
import { originByName, packageOf, type CodeOrigin, type PackageOrigins } from "./gopkg.js";

/** Where a dependency's source file says it came from: its module, when the path names one (not under vendor/). */
export interface DependencySource {
  module?: string;
}

/** "@v1.2.3" (any semver or pseudo-version) ending a directory element. */
const AT_VERSION = /@v[0-9][^/@]*(?=\/|$)/g;

/** A file in a place Go builds dependencies from. */
interface Location {
  /** the directory before "@version", unescaped ("/root/go/pkg/mod/github.com/go-chi/chi/v5"); "" under vendor/ */
  root: string;
  /** after "@version" ("/middleware", ""), or the import path after vendor/ */
  rest: string;
  vendored: boolean;
}

function locate(file: string): Location | undefined {
  const path = file.replaceAll("\\", "/");
  const dir = path.slice(0, Math.max(0, path.lastIndexOf("/")));
  if (dir.includes("@v")) {
    let at: RegExpExecArray | null = null;
    for (const m of dir.matchAll(AT_VERSION)) at = m;
    if (at !== null) return { root: unescapeModulePath(dir.slice(0, at.index)), rest: dir.slice(at.index + at[0].length), vendored: false };
  }
  const v = dir.startsWith("vendor/") ? 0 : dir.lastIndexOf("/vendor/") + 1;
  if (v > 0 || dir.startsWith("vendor/")) return { root: "", rest: dir.slice(v + "vendor/".length), vendored: true };
  return undefined;
}

/** The module cache escapes upper-case letters as "!" + lower case (golang.org/x/mod/module, EscapePath). */
function unescapeModulePath(p: string): string {
  return p.includes("!") ? p.replace(/!([a-z])/g, (_, c: string) => c.toUpperCase()) : p;
}

/** The module of package pkg when loc is its directory: <root ending in module>@<version><rest> with pkg = module + rest. */
function moduleAt(pkg: string, loc: Location): DependencySource | undefined {
  if (loc.vendored) return loc.rest === pkg ? {} : undefined;
  if (!pkg.endsWith(loc.rest)) return undefined;
  const module = pkg.slice(0, pkg.length - loc.rest.length);
  if (module === "" || (loc.root !== module && !loc.root.endsWith(`/${module}`))) return undefined;
  return { module };
}

/**
 * Whether `file` (a source file of package `pkg`) is a dependency's: in the module cache,
 * its -trimpath form, or a vendor/ directory, with the directory matching the package's
 * import path (so a stray "@v" or "vendor" elsewhere in a path proves nothing).
 * undefined for the main module's files, GOPATH files and anything else.
 */
export function dependencySource(pkg: string, file: string): DependencySource | undefined {
  if (pkg === "" || file === "") return undefined;
  const loc = locate(file);
  return loc ? moduleAt(pkg, loc) : undefined;
}

/**
 * The dependency packages of one input (or of a bundle's inputs together): of(fn) is
 * originByName's answer with those packages as "dependency". Immutable once built; one
 * per input or bundle, never shared between bundles.
 */
export class CodeOrigins implements PackageOrigins {
  /** Nothing learned: every package outside the standard library is user code. */
  static readonly NONE = new CodeOrigins(new Set());
  private readonly cache = new Map<string, CodeOrigin>();

  /**
   * @param dependencies the dependency packages
   * @param dependencyFunctions functions named after a user package whose code is a
   *   dependency's: a dependency's closure inlined into the user's function is named
   *   after it ("main.main.NewRouter.NewMux.func2", in chi's mux.go)
   */
  constructor(
    readonly dependencies: ReadonlySet<string>,
    readonly dependencyFunctions: ReadonlySet<string> = new Set(),
  ) {}

  /** The packages a profile's function file names prove to be dependencies. */
  static fromProfile(p: Profile): CodeOrigins {
    return new CodeOriginsBuilder().addProfile(p).build();
  }

  /** The packages some frames' files prove to be dependencies (one stack, one dump). */
  static fromFrames(frames: Iterable<{ readonly func: string; readonly file: string }>): CodeOrigins {
    let b: CodeOriginsBuilder | undefined; // most stacks have no such file: no builder for them
    for (const f of frames) if (mayBeDependencyFile(f.file)) (b ??= new CodeOriginsBuilder()).add(f.func, f.file);
    return b ? b.build() : CodeOrigins.NONE;
  }

  of(fn: string): CodeOrigin {
    let o = this.cache.get(fn);
    if (o === undefined) {
      o = originByName(fn);
      if (o === "user" && (this.dependencies.has(packageOf(fn)) || this.dependencyFunctions.has(fn))) o = "dependency";
      if (this.cache.size < 100_000) this.cache.set(fn, o);
    }
    return o;
  }

  /** For innermostUserFrame and the like. */
  readonly isUser = (fn: string): boolean => this.of(fn) === "user";
}

/** Cheap first look: only such paths can be a dependency's (or a module-cache main package's). */
const mayBeDependencyFile = (file: string): boolean => file.includes("@v") || file.includes("vendor");

/** A module's root in the cache (what mainRoots hold), or a vendored package's directory. */
const placeOf = (loc: Location): string => (loc.vendored ? `vendor/${loc.rest}` : loc.root);

/** A top-level function or method of package main: defined in main's own files (closures may be inlined from elsewhere). */
const MAIN_TOP_LEVEL = /^main\.(\(\*?\w+\)\.)?\w+$/;

/** Collects (function, file) pairs from any number of inputs, then builds their CodeOrigins. */
export class CodeOriginsBuilder {
  /** dependency package -> where it is (placeOf) */
  private readonly deps = new Map<string, string>();
  /**
   * function -> where it is, for CodeOrigins.dependencyFunctions: named after a user
   * package, its file in a dependency's place. Kept only where a package of its own
   * proves the place a dependency's (a user's checkout under ".../x@v2/" proves nothing).
   */
  private readonly depFunctions = new Map<string, string>();
  /**
   * Location.roots of package main. Built by `go install pkg@version` (or `go run
   * pkg@version`) the program's own module is in the module cache too; its packages are
   * still the user's, not dependencies.
   */
  private readonly mainRoots = new Set<string>();
  private readonly seen = new Set<string>();

  add(fn: string, file: string): this {
    if (!mayBeDependencyFile(file)) return this;
    const pkg = packageOf(fn);
    if (pkg === "" || originByName(fn) !== "user") return this;
    const key = `${fn}\0${file}`;
    if (this.seen.has(key)) return this;
    this.seen.add(key);
    const loc = locate(file);
    if (!loc) return this;
    if (pkg === "main" && MAIN_TOP_LEVEL.test(fn)) {
      if (!loc.vendored) this.mainRoots.add(loc.root);
      return this;
    }
    if (moduleAt(pkg, loc)) this.deps.set(pkg, placeOf(loc));
    else this.depFunctions.set(fn, placeOf(loc));
    return this;
  }

  /** Every function of a profile with its file name. */
  addProfile(p: Profile): this {
    const { name, filename } = p.functions;
    for (let f = 0; f < p.functions.length; f++) this.add(p.str(name[f]!), p.str(filename[f]!));
    return this;
  }

  build(): CodeOrigins {
    if (this.deps.size === 0 && this.depFunctions.size === 0) return CodeOrigins.NONE;
    const proven = new Set(this.deps.values());
    const notMain = (m: Map<string, string>) => new Set([...m].filter(([, place]) => proven.has(place) && !this.mainRoots.has(place)).map(([k]) => k));
    const deps = notMain(this.deps);
    const fns = notMain(this.depFunctions);
    return deps.size === 0 && fns.size === 0 ? CodeOrigins.NONE : new CodeOrigins(deps, fns);
  }
}
