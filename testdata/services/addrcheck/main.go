// Command addrcheck validates and normalises postal addresses for checkout
// and onboarding, using the geocoding vendor to confirm that an address exists.
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
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	geoURL := flag.String("geocoder-url", "", "geocoding vendor base URL (default: the vendor's sandbox on loopback)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	base := *geoURL
	if base == "" {
		sb, err := startVendorSandbox()
		if err != nil {
			log.Fatalf("geocoder sandbox: %v", err)
		}
		base = sb
	}
	v := &validator{geo: newGeocoder(base), cache: newResultCache(20000)}
	http.HandleFunc("/v1/addresses/validate", v.handleValidate)
	http.HandleFunc("/v1/addresses/normalize", v.handleNormalize)
	http.HandleFunc("/v1/countries", handleCountries)
	http.HandleFunc("/v1/cache/stats", v.handleCacheStats)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("addrcheck listening on %s (geocoder %s)", ln.Addr(), base)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, IdleTimeout: time.Minute}
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
