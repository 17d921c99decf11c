// routed is a small catalog service as real ones are built: requests reach its handlers
// through a chi router and its middleware, and it logs through zap. Its fault is its own:
// catalog.(*Catalog).Routes builds the catalog's sub-router, compiling every route's
// regular expression, on each request instead of once at start-up. The CPU goes to
// chi's route tree and regexp under that function, which a diagnosis must name.
//
//	prog    serves /catalog/* on 127.0.0.1; prints its URL
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"godiag.test/routed/internal/catalog"
)

func main() {
	// JSON logs to nowhere: the cost of encoding them is real, the disk is not the test's.
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zap.InfoLevel))
	c := catalog.New(log)
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer, accessLog(log))
	r.Get("/catalog/*", c.Serve)
	r.Mount("/debug", middleware.Profiler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println("http://" + ln.Addr().String())
	panic(http.Serve(ln, r))
}

// accessLog logs each request once, as services do.
func accessLog(log *zap.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			log.Info("request", zap.String("path", r.URL.Path), zap.String("id", middleware.GetReqID(r.Context())))
		})
	}
}
