// Command pricebook prices products and baskets for the storefront in each
// sales region, applying the price list and promotions published by the
// pricing engine.
package main

import (
	"context"
	"errors"
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
	engineURL := flag.String("engine-url", "", "pricing engine price-list endpoint (default: embedded simulator)")
	maxAge := flag.Duration("max-list-age", 100*time.Millisecond, "re-fetch the price list when it is older than this")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	url := *engineURL
	if url == "" {
		a, err := startPricingEngine()
		if err != nil {
			log.Fatalf("pricing engine: %v", err)
		}
		url = "http://" + a + "/v2/price-list"
	}
	svc := newPricingService(newPriceListCache(url, *maxAge))
	if _, err := svc.lists.current(ctx); err != nil {
		log.Printf("initial price list fetch failed: %v", err)
	}
	svc.routes(http.DefaultServeMux)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("pricebook listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		<-ctx.Done()
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(c)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
