// Command skuprice prices shopping baskets for the checkout: for each line it
// asks the inventory service for the SKU's current price and stock, applies
// the basket's promotions and returns the total.
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
	"runtime"
	"syscall"
	"time"
)

var (
	basketsPriced = expvar.NewInt("baskets_priced")
	inventoryErrs = expvar.NewInt("inventory_errors")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	inventoryURL := flag.String("inventory", "", "inventory service base URL (default: the built-in stub)")
	flag.Parse()

	runtime.SetMutexProfileFraction(10)
	runtime.SetBlockProfileRate(int(100 * time.Microsecond))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	base := *inventoryURL
	if base == "" {
		ln, err := startInventoryStub()
		if err != nil {
			log.Fatalf("inventory stub: %v", err)
		}
		defer ln.Close()
		base = "http://" + ln.Addr().String()
	}
	inv := newInventoryClient(base, 800*time.Millisecond)
	p := &pricer{inv: inv, promos: defaultPromotions()}

	http.HandleFunc("/v1/baskets/price", p.handlePrice)
	http.HandleFunc("/v1/skus/", p.handleSKU)
	http.HandleFunc("/v1/promotions", p.handlePromotions)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("skuprice listening on %s (inventory %s)", ln.Addr(), base)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 90 * time.Second}
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
