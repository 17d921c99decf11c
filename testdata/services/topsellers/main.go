// Command topsellers serves the shop's merchandising data: units sold per
// product, the best sellers of a category for the home and category pages,
// and a product's sales rank for the product page badge.
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
	salesRecorded = expvar.NewInt("sales_recorded")
	topServed     = expvar.NewInt("top_lists_served")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	products := flag.Int("products", 20000, "catalogue size loaded at start")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	book := newSalesBook(loadCatalogue(*products))
	expvar.Publish("products", expvar.Func(func() interface{} { return book.size() }))

	api := &api{book: book}
	http.HandleFunc("/v1/sales", api.recordSale)
	http.HandleFunc("/v1/top", api.top)
	http.HandleFunc("/v1/products/rank", api.rank)
	http.HandleFunc("/v1/products", api.product)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("topsellers listening on %s (%d products)", ln.Addr(), book.size())
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
