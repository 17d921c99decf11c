// Command staysearch compares hotel availability across wholesale suppliers.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type Hotel struct {
	ID    int     `json:"id"`
	Name  string  `json:"name"`
	City  string  `json:"city"`
	Stars int     `json:"stars"`
	Score float64 `json:"score"`
}

var cities = []string{"lisbon", "porto", "madrid", "seville", "valencia", "barcelona"}
var catalog = map[string][]Hotel{}
var byID = map[int]Hotel{}

func init() {
	names := []string{"Casa do Rio", "Hotel Miradouro", "Palacio Azul", "The Tram Stop", "Riverside Lofts", "Jardim Suites", "Plaza Mayor Inn", "Old Town Rooms", "Harbour View", "Estrela Boutique", "Alameda House", "Torre Norte"}
	id := 1000
	for ci, c := range cities {
		for i, n := range names {
			h := Hotel{ID: id, Name: n + " " + strings.ToUpper(c[:1]) + c[1:], City: c, Stars: 2 + (i+ci)%4, Score: 7 + float64((i*7+ci)%30)/10}
			catalog[c] = append(catalog[c], h)
			byID[id] = h
			id++
		}
	}
}

func hotelsIn(city string) []Hotel {
	if hs, ok := catalog[city]; ok {
		return hs
	}
	return catalog["lisbon"]
}

type app struct {
	agg   *Aggregator
	mu    sync.Mutex
	holds map[string]time.Time
}

func reply(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (a *app) search(w http.ResponseWriter, r *http.Request) {
	qs := r.URL.Query()
	dest := strings.ToLower(qs.Get("destination"))
	if _, ok := catalog[dest]; !ok {
		reply(w, http.StatusBadRequest, map[string]string{"error": "unknown destination"})
		return
	}
	checkIn, err := time.Parse("2006-01-02", qs.Get("checkin"))
	if err != nil {
		reply(w, http.StatusBadRequest, map[string]string{"error": "checkin must be YYYY-MM-DD"})
		return
	}
	nights, _ := strconv.Atoi(qs.Get("nights"))
	if nights <= 0 || nights > 30 {
		nights = 1
	}
	guests, _ := strconv.Atoi(qs.Get("guests"))
	if guests <= 0 {
		guests = 2
	}
	res := a.agg.Search(r.Context(), searchQuery{Destination: dest, CheckIn: checkIn, Nights: nights, Guests: guests})
	reply(w, http.StatusOK, res)
}

func (a *app) hotel(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.URL.Query().Get("id"))
	if err != nil {
		reply(w, http.StatusBadRequest, map[string]string{"error": "id must be numeric"})
		return
	}
	h, ok := byID[1000+id%len(byID)]
	if !ok {
		reply(w, http.StatusNotFound, map[string]string{"error": "not found"})
		return
	}
	reply(w, http.StatusOK, h)
}

func (a *app) destinations(w http.ResponseWriter, r *http.Request) {
	reply(w, http.StatusOK, map[string]interface{}{"destinations": cities})
}

func (a *app) hold(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		reply(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var req struct {
		HotelID int    `json:"hotelId"`
		Room    string `json:"room"`
		Guest   string `json:"guest"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Guest == "" {
		reply(w, http.StatusBadRequest, map[string]string{"error": "hotelId, room and guest are required"})
		return
	}
	key := strconv.Itoa(req.HotelID) + "/" + req.Room + "/" + req.Guest
	now := time.Now()
	a.mu.Lock()
	for k, t := range a.holds {
		if now.Sub(t) > 15*time.Minute || len(a.holds) > 5000 {
			delete(a.holds, k)
		}
	}
	a.holds[key] = now
	a.mu.Unlock()
	reply(w, http.StatusCreated, map[string]interface{}{"hold": key, "expires": now.Add(15 * time.Minute).UTC()})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "public API listen address")
	debugAddr := flag.String("debug-addr", "127.0.0.1:0", "listen address for the debug server (pprof)")
	budget := flag.Duration("supplier-budget", 250*time.Millisecond, "how long a search waits for suppliers")
	flag.Parse()

	a := &app{
		agg: &Aggregator{budget: *budget, suppliers: []*supplier{
			newSupplier("hotelbeds-eu", 40*time.Millisecond, 0.01, 1.00, 1),
			newSupplier("roomly", 70*time.Millisecond, 0.15, 0.97, 2),
			newSupplier("expedite-b2b", 55*time.Millisecond, 0.02, 1.04, 3),
		}},
		holds: make(map[string]time.Time),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/search", a.search)
	mux.HandleFunc("/v1/hotels", a.hotel)
	mux.HandleFunc("/v1/destinations", a.destinations)
	mux.HandleFunc("/v1/holds", a.hold)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { reply(w, 200, map[string]bool{"ok": true}) })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	dln, err := net.Listen("tcp", *debugAddr)
	if err != nil {
		log.Fatalf("debug listen: %v", err)
	}
	log.Printf("staysearch listening on %s", ln.Addr())
	log.Printf("debug server listening on %s", dln.Addr())

	api := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	dbg := &http.Server{Handler: http.DefaultServeMux}
	go func() {
		if err := dbg.Serve(dln); err != nil && err != http.ErrServerClosed {
			log.Printf("debug server: %v", err)
		}
	}()
	go func() {
		if err := api.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Fatalf("serve: %v", err)
		}
	}()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = api.Shutdown(ctx)
	_ = dbg.Shutdown(ctx)
}
