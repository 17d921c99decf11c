// Command menusvc serves restaurant menus, item details and cart updates to
// the delivery app, with per-route latency figures for the ops dashboard.
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
	"runtime"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	debugAddr := flag.String("debug-addr", "127.0.0.1:0", "debug listen address (pprof, route stats)")
	restaurants := flag.Int("restaurants", 400, "restaurants in the demo dataset")
	flag.Parse()

	// Block profiling: the team chases slow carts with it.
	runtime.SetBlockProfileRate(int(20 * time.Microsecond))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	menus := buildMenus(*restaurants)
	carts := newCartStore()
	stats := newRouteStats()
	s := &server{menus: menus, carts: carts}

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/restaurants/", s.restaurant)
	mux.HandleFunc("/v1/carts/", s.cart)
	mux.HandleFunc("/v1/search", s.search)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	dbg := http.NewServeMux()
	dbg.HandleFunc("/debug/pprof/", pprof.Index)
	dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
	dbg.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	dbg.HandleFunc("/debug/routes", stats.serveSummary)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	dln, err := net.Listen("tcp", *debugAddr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("menusvc listening on %s", ln.Addr())
	log.Printf("debug server listening on %s", dln.Addr())
	go http.Serve(dln, dbg)

	srv := &http.Server{
		Handler:           stats.instrument(mux),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       90 * time.Second,
	}
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
