// CodeOrigins: which packages are dependencies, from where Go put their source files
// (cmd/go: the module cache "$GOMODCACHE/<escaped module>@<version>/<dir>", its -trimpath
// form "<module>@<version>/<dir>", the main module's vendor/<import path>). Expected
// values are the layouts Go writes, by hand; test/diagnose-dependencies checks real builds
// against `go list`.

import { describe, expect, it } from "vitest";
import { CodeOrigins, dependencySource, originOf } from "../src/core/go/index.js";

describe("dependencySource", () => {
  it("finds the module of a module-cache file, escaped upper case included", () => {
    expect(dependencySource("github.com/go-chi/chi/v5", "/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.5.0/mux.go")).toEqual({ module: "github.com/go-chi/chi/v5" });
    expect(dependencySource("github.com/go-chi/chi/v5/middleware", "/home/u/go/pkg/mod/github.com/go-chi/chi/v5@v5.5.0/middleware/logger.go")).toEqual({ module: "github.com/go-chi/chi/v5" });
    expect(dependencySource("github.com/BurntSushi/toml", "/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.3.2/decode.go")).toEqual({ module: "github.com/BurntSushi/toml" });
    expect(dependencySource("golang.org/x/exp/trace", "/root/go/pkg/mod/golang.org/x/exp@v0.0.0-20261113113407-e3970619a1a4/trace/reader.go")).toEqual({ module: "golang.org/x/exp" });
  });

  it("reads -trimpath's <module>@<version>/ and vendor/ paths", () => {
    expect(dependencySource("go.uber.org/zap/zapcore", "go.uber.org/zap@v1.28.0/zapcore/core.go")).toEqual({ module: "go.uber.org/zap" });
    expect(dependencySource("go.uber.org/zap", "/src/shop/vendor/go.uber.org/zap/logger.go")).toEqual({});
    expect(dependencySource("go.uber.org/zap", "C:\\src\\shop\\vendor\\go.uber.org\\zap\\logger.go")).toEqual({});
  });

  it("leaves the main module's files, GOPATH files and paths that do not match the package alone", () => {
    expect(dependencySource("github.com/acme/shop/internal/cart", "/home/u/src/shop/internal/cart/cart.go")).toBeUndefined();
    expect(dependencySource("github.com/acme/shop/internal/cart", "github.com/acme/shop/internal/cart/cart.go")).toBeUndefined();
    expect(dependencySource("github.com/acme/shop", "/home/u/go/src/github.com/acme/shop/main.go")).toBeUndefined();
    // an "@v" or "vendor" elsewhere in the path, not the package's own directory
    expect(dependencySource("example.com/svc/store", "/builds/x@v2/svc/store/store.go")).toBeUndefined();
    expect(dependencySource("example.com/svc/vendorapi", "/src/svc/vendorapi/api.go")).toBeUndefined();
    expect(dependencySource("example.com/other", "/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.5.0/mux.go")).toBeUndefined();
  });
});

describe("CodeOrigins", () => {
  it("names dependencies, keeps the user's module, std and the runtime as they were", () => {
    const o = CodeOrigins.fromFrames([
      { func: "github.com/go-chi/chi/v5.(*Mux).routeHTTP", file: "/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.5.0/mux.go" },
      { func: "github.com/acme/shop/internal/cart.(*Cart).Total", file: "/home/u/shop/internal/cart/cart.go" },
      { func: "net/http.HandlerFunc.ServeHTTP", file: "/usr/local/go/src/net/http/server.go" },
      { func: "main.main", file: "/home/u/shop/main.go" },
    ]);
    expect(originOf("github.com/go-chi/chi/v5.(*Mux).routeHTTP", o)).toBe("dependency");
    expect(originOf("github.com/go-chi/chi/v5.(*Mux).ServeHTTP", o)).toBe("dependency"); // the package, learned once
    expect(originOf("github.com/acme/shop/internal/cart.(*Cart).Total", o)).toBe("user");
    expect(originOf("net/http.HandlerFunc.ServeHTTP", o)).toBe("stdlib");
    expect(originOf("runtime.gopark", o)).toBe("runtime");
    expect(originOf("main.main", o)).toBe("user");
    // without evidence, as before: every non-std package is the user's
    expect(originOf("github.com/go-chi/chi/v5.(*Mux).routeHTTP")).toBe("user");
  });

  it("a dependency's closure inlined into the user's function is the dependency's code", () => {
    const o = CodeOrigins.fromFrames([
      { func: "main.main.NewRouter.NewMux.func2", file: "/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.5.0/mux.go" },
      { func: "github.com/go-chi/chi/v5.(*Mux).routeHTTP", file: "/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.5.0/mux.go" },
    ]);
    expect(originOf("main.main.NewRouter.NewMux.func2", o)).toBe("dependency");
    expect(originOf("main.main", o)).toBe("user");
    // a user's closure in a checkout whose path happens to hold "@v2" is still the user's
    const own = CodeOrigins.fromFrames([{ func: "example.com/svc/store.(*S).Get.func1", file: "/builds/x@v2/svc/store/store.go" }]);
    expect(originOf("example.com/svc/store.(*S).Get.func1", own)).toBe("user");
  });

  it("a program built by go install pkg@version: its own module's packages stay the user's", () => {
    const o = CodeOrigins.fromFrames([
      { func: "main.main", file: "/root/go/pkg/mod/example.com/shop@v1.4.0/cmd/shop/main.go" },
      { func: "example.com/shop/internal/cart.(*Cart).Total", file: "/root/go/pkg/mod/example.com/shop@v1.4.0/internal/cart/cart.go" },
      { func: "github.com/go-chi/chi/v5.(*Mux).routeHTTP", file: "/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.5.0/mux.go" },
    ]);
    expect(originOf("example.com/shop/internal/cart.(*Cart).Total", o)).toBe("user");
    expect(originOf("github.com/go-chi/chi/v5.(*Mux).routeHTTP", o)).toBe("dependency");
  });
});
