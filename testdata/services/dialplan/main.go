// Command dialplan is the call-routing service of the voice platform: the SIP
// edge asks it which carrier trunk an outbound call should take, and it keeps
// the call detail records the billing export reads.
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
	routed      = expvar.NewInt("calls_routed")
	unroutable  = expvar.NewInt("calls_unroutable")
	cdrsWritten = expvar.NewInt("cdrs_written")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	region := flag.String("region", "eu-west", "edge region, picks the default trunk group")
	flag.Parse()

	table := newRouteTable(append(defaultRules(*region), wholesaleDeck()...))
	cdrs := newCDRStore(50000)
	api := &api{routes: table, cdrs: cdrs, region: *region}

	http.HandleFunc("/v1/route", api.route)
	http.HandleFunc("/v1/route/batch", api.routeBatch)
	http.HandleFunc("/v1/cdr", api.recordCDR)
	http.HandleFunc("/v1/trunks", api.trunks)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("dialplan listening on %s (region %s, %d rules)", ln.Addr(), *region, table.size())

	srv := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatalf("serve: %v", err)
	}
	<-done
}
