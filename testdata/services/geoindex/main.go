// Command geoindex answers postcode and place lookups from the gazetteer,
// which it loads into memory at start-up and serves read-only.
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
	"runtime"
	"syscall"
	"time"
)

var (
	lookups    = expvar.NewInt("lookups")
	misses     = expvar.NewInt("lookup_misses")
	placeCount = expvar.NewInt("places_loaded")
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	places := flag.Int("places", 900000, "number of gazetteer places to load")
	flag.Parse()

	runtime.SetBlockProfileRate(10000)
	runtime.SetMutexProfileFraction(100)

	start := time.Now()
	g := buildGazetteer(*places, 20240601)
	placeCount.Set(int64(len(g.places)))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	log.Printf("gazetteer loaded: %d places, %d postcodes, %d grid cells in %s (heap %d MB)",
		len(g.places), len(g.byPostcode), len(g.grid), time.Since(start).Round(time.Millisecond), ms.HeapAlloc>>20)

	h := &handlers{g: g}
	http.HandleFunc("/v1/places", h.place)
	http.HandleFunc("/v1/postcodes", h.postcode)
	http.HandleFunc("/v1/nearby", h.nearby)
	http.HandleFunc("/v1/regions", h.regions)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("geoindex listening on %s", ln.Addr())

	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	go func() {
		<-sigs
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
