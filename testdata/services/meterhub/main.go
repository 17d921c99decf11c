// Command meterhub ingests interval readings from the smart-meter fleet (the
// head-end system posts one batch per meter per polling cycle) and answers the
// usage queries of the billing and outage teams.
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
	batchesIn  = expvar.NewInt("batches_ingested")
	readingsIn = expvar.NewInt("readings_ingested")
	rejected   = expvar.NewInt("batches_rejected")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	retention := flag.Duration("retention", 48*time.Hour, "how long readings are kept for queries")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store := newReadingStore(*retention)
	go store.janitor(ctx)
	expvar.Publish("meters", expvar.Func(func() interface{} { return store.meterCount() }))

	api := &api{store: store, tariffs: defaultTariffs()}
	http.HandleFunc("/v1/readings", api.ingest)
	http.HandleFunc("/v1/meters/usage", api.usage)
	http.HandleFunc("/v1/meters/peak", api.peak)
	http.HandleFunc("/v1/fleet/summary", api.fleetSummary)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("meterhub listening on %s (retention %s)", ln.Addr(), *retention)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, IdleTimeout: 90 * time.Second}
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
