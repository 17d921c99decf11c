// Command catalogsvc serves the product catalog used by the storefront:
// product lookups, text search, category listings and product creation.
package main

import (
	"context"
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

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	seed := flag.Int("seed-products", 2000, "number of demo products to load at start")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, *addr, *seed); err != nil {
		log.Fatalf("catalogsvc: %v", err)
	}
}

func run(ctx context.Context, addr string, seed int) error {
	cat := newCatalog()
	cat.seed(seed)

	h := &handlers{cat: cat, started: time.Now()}
	h.register(http.DefaultServeMux)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Printf("catalogsvc listening on %s", ln.Addr())

	srv := &http.Server{
		Handler:        withRequestID(http.DefaultServeMux),
		MaxHeaderBytes: 64 << 10,
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
	}()

	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		return err
	}
	<-done
	log.Printf("catalogsvc stopped")
	return nil
}
