// Command chartpng renders the small PNG charts (sparklines and bar strips)
// embedded in the status pages, e-mails and chat notifications.
package main

import (
	"context"
	"expvar"
	"flag"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"
)

var (
	rendered  = expvar.NewInt("charts_rendered")
	cacheHits = expvar.NewInt("cache_hits")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	cacheSize := flag.Int("cache", 512, "rendered charts kept in memory")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	r := &renderer{cache: newLRU(*cacheSize), src: newSeriesSource(), enc: newEncoder()}
	expvar.Publish("cache_entries", expvar.Func(func() interface{} { return r.cache.len() }))
	http.HandleFunc("/v1/spark.png", r.spark)
	http.HandleFunc("/v1/bars.png", r.bars)
	http.HandleFunc("/v1/series/stats", r.stats)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("chartpng listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 3 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
