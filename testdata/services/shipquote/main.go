// Command shipquote returns shipping quotes for a parcel by asking every
// configured carrier for a rate and picking the cheapest and the fastest.
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
	carrierAPI := flag.String("carrier-api", "", "base URL of the carrier rating gateway (default: built-in sandbox)")
	flag.Parse()

	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	base := *carrierAPI
	if base == "" {
		sb, err := startSandbox()
		if err != nil {
			log.Fatalf("sandbox: %v", err)
		}
		defer sb.Close()
		base = "http://" + sb.Addr().String()
	}

	carriers := []*carrierClient{
		newCarrierClient(carrierConfig{Name: "parcelfast", BaseURL: base + "/parcelfast", Timeout: 2 * time.Second, APIKey: "pf-sandbox"}),
		newCarrierClient(carrierConfig{Name: "northpost", BaseURL: base + "/northpost", Timeout: 3 * time.Second, APIKey: "np-sandbox"}),
	}
	q := newQuoter(carriers)

	mux := http.DefaultServeMux
	mux.HandleFunc("/v1/quotes", q.handleQuote)
	mux.HandleFunc("/v1/quotes/recent", q.handleRecent)
	mux.HandleFunc("/v1/carriers", q.handleCarriers)
	mux.HandleFunc("/v1/zones", handleZones)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("shipquote listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
