// Command giftcards issues and redeems store gift cards for the point-of-sale
// and web checkout. Every redemption is scored by the risk service before the
// balance is debited.
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
	"sync"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "API listen address")
	debugAddr := flag.String("debug-addr", "127.0.0.1:0", "debug (pprof) listen address")
	riskURL := flag.String("risk-url", "", "risk scoring service (default: the local sandbox)")
	cards := flag.Int("cards", 100000, "cards loaded from the snapshot at start")
	flag.Parse()

	runtime.SetMutexProfileFraction(5)
	runtime.SetBlockProfileRate(10000)

	base := *riskURL
	if base == "" {
		var err error
		if base, err = startRiskSandbox(); err != nil {
			log.Fatalf("risk sandbox: %v", err)
		}
	}
	store := newCardStore(newRiskClient(base))
	store.loadSnapshot(*cards)

	api := &api{store: store}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/cards", api.issue)
	mux.HandleFunc("/v1/cards/balance", api.balance)
	mux.HandleFunc("/v1/cards/redeem", api.redeem)
	mux.HandleFunc("/v1/cards/reload", api.reload)
	mux.HandleFunc("/v1/cards/history", api.history)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	dbg := http.NewServeMux()
	dbg.HandleFunc("/debug/pprof/", pprof.Index)
	dbg.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
	dbg.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	dbg.HandleFunc("/debug/pprof/trace", pprof.Trace)

	appLn, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	dbgLn, err := net.Listen("tcp", *debugAddr)
	if err != nil {
		log.Fatalf("debug listen: %v", err)
	}
	log.Printf("giftcards listening on %s (%d cards)", appLn.Addr(), *cards)
	log.Printf("debug server listening on %s", dbgLn.Addr())

	appSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 90 * time.Second}
	dbgSrv := &http.Server{Handler: dbg, ReadHeaderTimeout: 5 * time.Second}
	var wg sync.WaitGroup
	serve := func(srv *http.Server, ln net.Listener) {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Printf("serve %s: %v", ln.Addr(), err)
		}
	}
	wg.Add(2)
	go serve(appSrv, appLn)
	go serve(dbgSrv, dbgLn)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	appSrv.Shutdown(ctx)
	dbgSrv.Shutdown(ctx)
	wg.Wait()
}
