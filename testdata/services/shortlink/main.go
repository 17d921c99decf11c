// Command shortlink is the link shortener behind go.example/… style URLs:
// it creates short codes, redirects, and reports click statistics.
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
	linksCreated = expvar.NewInt("links_created")
	redirects    = expvar.NewInt("redirects")
	resolved     = expvar.NewInt("resolved")
	notFound     = expvar.NewInt("lookup_misses")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	accessPath := flag.String("access-log", "", "access log file (default: a temporary file removed at exit)")
	base := flag.String("base-url", "http://sho.rt/", "public prefix for short links")
	flag.Parse()

	alog, err := openAccessLog(*accessPath)
	if err != nil {
		log.Fatalf("access log: %v", err)
	}
	defer alog.Close()

	svc := newShortener(*base)
	svc.preload(5000)

	mux := http.DefaultServeMux
	mux.HandleFunc("/v1/links", svc.createLink)
	mux.HandleFunc("/v1/links/resolve", svc.resolve)
	mux.HandleFunc("/v1/links/stats", svc.linkStats)
	mux.HandleFunc("/v1/links/top", svc.topLinks)
	mux.HandleFunc("/r/", svc.redirect)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("shortlink listening on %s", ln.Addr())

	srv := &http.Server{
		Handler:           alog.wrap(mux),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Printf("serve: %v", err)
	}
}
