// Command thumbd renders thumbnails of uploaded product photos for the
// storefront: the upload pipeline posts a source object and the sizes it
// needs, thumbd decodes, resizes and stores the result.
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	maxWidth := flag.Int("max-width", 2048, "largest thumbnail width accepted")
	keep := flag.Int("keep-jobs", 20000, "finished jobs kept for status queries")
	flag.Parse()

	s := &server{
		jobs:   newJobTable(*keep),
		render: newRenderer(*maxWidth),
		store:  newThumbStore(4096),
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/thumbnails", s.createThumbnail)
	mux.HandleFunc("/v1/thumbnails/status", s.jobStatus)
	mux.HandleFunc("/v1/thumbnails/cancel", s.cancelJob)
	mux.HandleFunc("/v1/thumbnails/fetch", s.fetchThumbnail)
	mux.HandleFunc("/v1/formats", s.formats)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	// Profiling on the app port: the port is only reachable inside the cluster.
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	log.Printf("thumbd listening on %s", ln.Addr())

	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       90 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(c)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatalf("serve: %v", err)
	}
}
