// Command boxoffice holds seats for the ticket shop while buyers check out:
// seat maps per performance, holds that expire, and the periodic sync with
// the venue's access-control system.
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
	holdFor := flag.Duration("hold", 20*time.Second, "how long a hold lasts without checkout")
	syncEvery := flag.Duration("venue-sync", 120*time.Millisecond, "how often seat maps are reconciled with the venue")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	house := newHouse([]string{"PERF-1101", "PERF-1102", "PERF-1103", "PERF-1201", "PERF-1202"}, 24, 40)
	venue := &venueLink{latency: 35 * time.Millisecond}
	go house.syncLoop(ctx, venue, *syncEvery)

	b := &booker{house: house, holdFor: *holdFor, maxWait: 2 * time.Second}
	api := &api{b: b, house: house}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/holds", api.hold)
	mux.HandleFunc("/v1/holds/release", api.release)
	mux.HandleFunc("/v1/performances/availability", api.availability)
	mux.HandleFunc("/v1/performances", api.performances)
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
	log.Printf("boxoffice listening on %s", ln.Addr())
	log.Printf("debug server listening on %s", dln.Addr())
	go http.Serve(dln, dbg)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: time.Minute}
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
