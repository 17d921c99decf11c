// Command cartprice prices shopping carts for the storefront and the mobile
// apps: list prices, volume tiers, promotions, coupons and regional tax.
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
	quotesServed = expvar.NewInt("quotes")
	quoteErrors  = expvar.NewInt("quote_errors")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	level := flag.String("log-level", "info", "debug, info, warn or error")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	lg := newLogger(os.Stderr, parseLevel(*level))
	cat := buildCatalog(4000)
	p := &pricer{cat: cat, promos: defaultPromotions(), taxes: defaultTaxes(), log: lg}

	h := &handlers{p: p, cat: cat, log: lg}
	http.HandleFunc("/v1/quote", h.quote)
	http.HandleFunc("/v1/products", h.product)
	http.HandleFunc("/v1/promotions", h.promotions)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("cartprice listening on %s (%d products, log level %s)", ln.Addr(), len(cat.bySKU), *level)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
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
