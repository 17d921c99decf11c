// Command kycgate takes customer onboarding applications (identity, address,
// documents and a source-of-funds statement), checks them against the field
// rules compliance publishes, and queues them for review.
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
	debugAddr := flag.String("debug-addr", "127.0.0.1:0", "pprof listen address")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	q := newReviewQueue(5000)
	h := &handlers{v: newValidator(), queue: q}

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/applications", h.submit)
	mux.HandleFunc("/v1/applications/validate", h.dryRun)
	mux.HandleFunc("/v1/applications/status", h.status)
	mux.HandleFunc("/v1/queue", h.queueDepth)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	dbg := http.NewServeMux()
	dbg.HandleFunc("/debug/pprof/", pprof.Index)
	dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
	dbg.HandleFunc("/debug/pprof/symbol", pprof.Symbol)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	dln, err := net.Listen("tcp", *debugAddr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("kycgate listening on %s", ln.Addr())
	log.Printf("debug server listening on %s", dln.Addr())
	go http.Serve(dln, dbg)

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 20 * time.Second, IdleTimeout: time.Minute}
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
