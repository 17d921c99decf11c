// Command orderdesk accepts web-shop orders, reserves stock in the local
// warehouse and tracks each order until the warehouse reports it shipped.
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
	pickTime := flag.Duration("pick-time", 40*time.Millisecond, "simulated warehouse pick-and-pack time")
	flag.Parse()

	runtime.SetBlockProfileRate(10000)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	wh := newWarehouse(*pickTime)
	trk := newTracker()
	wh.onShipped = trk.publish
	go wh.run(ctx)

	app := &app{pay: newPaymentGateway(30 * time.Millisecond), orders: newOrderBook(), wh: wh, trk: trk}
	http.HandleFunc("/v1/orders", app.handleOrders)
	http.HandleFunc("/v1/orders/", app.handleOrder)
	http.HandleFunc("/v1/stock", app.handleStock)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("orderdesk listening on %s", ln.Addr())

	srv := &http.Server{ReadHeaderTimeout: 3 * time.Second, IdleTimeout: 60 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		log.Fatalf("serve: %v", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Printf("shutdown: %v", err)
	}
}
