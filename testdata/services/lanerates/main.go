// Command lanerates answers parcel shipping price queries from the carrier
// tariff table held in memory.
package main

import (
	"context"
	"encoding/json"
	"expvar"
	"flag"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var (
	quotes  = expvar.NewInt("quotes")
	misses  = expvar.NewInt("unknown_routes")
	lanesEV = expvar.NewInt("lanes_loaded")
)

func out(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func parseKg(s string) (float64, bool) {
	kg, err := strconv.ParseFloat(s, 64)
	return kg, err == nil && kg > 0 && kg <= 31.5
}

// zoneForZip maps a German postal code to its tariff zone (first three
// digits of the five-digit code).
func zoneForZip(zip string) string {
	for len(zip) < 5 {
		zip = "0" + zip
	}
	return "DE-" + zip[:3]
}

func quoteHandler(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kg, ok := parseKg(q.Get("kg"))
	if !ok {
		out(w, http.StatusBadRequest, map[string]string{"error": "kg must be between 0 and 31.5"})
		return
	}
	origin := q.Get("from")
	if zip := q.Get("from_zip"); zip != "" {
		origin = zoneForZip(zip)
	}
	lanes := table.lanesFor(origin, q.Get("to"))
	if len(lanes) == 0 {
		misses.Add(1)
		out(w, http.StatusNotFound, map[string]string{"error": "no carrier serves this route"})
		return
	}
	var offers []Offer
	for _, l := range lanes {
		if p, ok := l.price(kg); ok {
			offers = append(offers, Offer{Lane: l, Price: p})
		}
	}
	sort.Slice(offers, func(i, j int) bool { return offers[i].Price < offers[j].Price })
	quotes.Add(1)
	out(w, http.StatusOK, map[string]interface{}{"kg": kg, "offers": offers})
}

func cheapestHandler(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kg, ok := parseKg(q.Get("kg"))
	if !ok {
		out(w, http.StatusBadRequest, map[string]string{"error": "kg must be between 0 and 31.5"})
		return
	}
	origin := strings.ToUpper(q.Get("from"))
	offers := table.cheapestFrom(origin, kg, 25)
	if len(offers) == 0 {
		out(w, http.StatusNotFound, map[string]string{"error": "unknown origin"})
		return
	}
	out(w, http.StatusOK, map[string]interface{}{"origin": origin, "kg": kg, "offers": offers})
}

func zonesHandler(w http.ResponseWriter, r *http.Request) {
	out(w, http.StatusOK, map[string]interface{}{"origins": len(table.origins), "destinations": table.dests})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	origins := flag.Int("origins", 1000, "origin zones to load")
	flag.Parse()

	start := time.Now()
	table = loadRateTable(*origins, 150)
	lanesEV.Set(int64(table.lanes))
	log.Printf("rate table: %d lanes on %d routes loaded in %v", table.lanes, len(table.byRoute), time.Since(start).Round(time.Millisecond))

	http.HandleFunc("/v1/quote", quoteHandler)
	http.HandleFunc("/v1/cheapest", cheapestHandler)
	http.HandleFunc("/v1/zones", zonesHandler)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { out(w, 200, map[string]string{"status": "ok"}) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("lanerates listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
