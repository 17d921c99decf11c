// Command stockroom serves stock availability for the storefront and keeps
// the stock ledger in sync with the ERP's movement feed.
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
	"runtime"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	skus := flag.Int("skus", 3000, "catalog size")
	feedEvery := flag.Duration("feed-interval", 10*time.Millisecond, "ERP movement feed polling interval")
	flag.Parse()

	runtime.SetBlockProfileRate(100)
	runtime.SetMutexProfileFraction(100)

	cat := loadCatalog(*skus)
	st := newStock(cat, warehouses)
	res := newReservations()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	feed := newERPFeed(cat, warehouses)
	st.apply(feed.history(time.Now(), recentWindow))
	go st.follow(ctx, feed, *feedEvery)

	api := &api{cat: cat, stock: st, res: res}
	api.routes()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("stockroom listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 90 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		log.Fatal(err)
	}
	log.Printf("stockroom stopped")
}
