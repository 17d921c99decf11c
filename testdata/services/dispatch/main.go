// Command dispatch matches riders with nearby drivers.
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
	"runtime"
	"strings"
	"syscall"
	"time"
)

type api struct {
	fleet    *Fleet
	dispatch *Dispatcher
	gate     chan struct{}
}

var zones = []map[string]interface{}{
	{"id": "mitte", "name": "Mitte", "center": GeoPoint{52.520, 13.405}, "radiusKm": 3.0},
	{"id": "kreuzberg", "name": "Kreuzberg", "center": GeoPoint{52.499, 13.403}, "radiusKm": 2.5},
	{"id": "prenzlauer-berg", "name": "Prenzlauer Berg", "center": GeoPoint{52.539, 13.424}, "radiusKm": 2.5},
	{"id": "charlottenburg", "name": "Charlottenburg", "center": GeoPoint{52.516, 13.304}, "radiusKm": 3.5},
}

func send(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// admit bounds how many requests may work on the dispatch state at a time.
func (a *api) admit(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(2 * time.Second)
		defer t.Stop()
		select {
		case a.gate <- struct{}{}:
		case <-t.C:
			send(w, http.StatusServiceUnavailable, map[string]string{"error": "dispatch busy, retry later"})
			return
		case <-r.Context().Done():
			return
		}
		defer func() { <-a.gate }()
		next(w, r)
	}
}

func (a *api) heartbeat(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Driver string  `json:"driver"`
		Lat    float64 `json:"lat"`
		Lon    float64 `json:"lon"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Driver == "" {
		send(w, http.StatusBadRequest, map[string]string{"error": "driver, lat and lon are required"})
		return
	}
	online := a.fleet.Heartbeat(body.Driver, GeoPoint{body.Lat, body.Lon})
	send(w, http.StatusOK, map[string]interface{}{"ok": true, "online": online})
}

func (a *api) requestRide(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		send(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var body struct {
		Rider  string   `json:"rider"`
		Pickup GeoPoint `json:"pickup"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Rider == "" {
		send(w, http.StatusBadRequest, map[string]string{"error": "rider and pickup are required"})
		return
	}
	ride, err := a.dispatch.RequestRide(body.Rider, body.Pickup)
	if err == errNoDriver {
		send(w, http.StatusConflict, map[string]interface{}{"error": err.Error(), "ride": ride})
		return
	}
	send(w, http.StatusCreated, ride)
}

func (a *api) rideStatus(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/v1/rides/")
	if strings.HasSuffix(id, "/complete") {
		if r.Method != http.MethodPost {
			send(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
			return
		}
		if err := a.dispatch.Complete(strings.TrimSuffix(id, "/complete")); err != nil {
			send(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		send(w, http.StatusOK, map[string]string{"status": "completed"})
		return
	}
	ride, ok := a.dispatch.Ride(id)
	if !ok {
		send(w, http.StatusNotFound, map[string]string{"error": "no such ride"})
		return
	}
	send(w, http.StatusOK, ride)
}

func (a *api) listZones(w http.ResponseWriter, r *http.Request) {
	send(w, http.StatusOK, map[string]interface{}{"zones": zones})
}

func (a *api) health(w http.ResponseWriter, r *http.Request) {
	send(w, http.StatusOK, map[string]interface{}{"status": "ok", "time": time.Now().UTC()})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	ttl := flag.Duration("driver-ttl", 3*time.Second, "drivers without a heartbeat for this long go offline")
	flag.Parse()

	runtime.SetBlockProfileRate(10000)
	runtime.SetMutexProfileFraction(5)

	fleet := NewFleet(*ttl, &pushGateway{latency: time.Millisecond})
	a := &api{fleet: fleet, dispatch: NewDispatcher(fleet, &fareEngine{latency: 6 * time.Millisecond}), gate: make(chan struct{}, 256)}

	stop := make(chan struct{})
	go fleet.runSweeper(100*time.Millisecond, stop)
	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				a.dispatch.prune(2 * time.Minute)
			}
		}
	}()

	http.HandleFunc("/v1/drivers/heartbeat", a.admit(a.heartbeat))
	http.HandleFunc("/v1/rides", a.admit(a.requestRide))
	http.HandleFunc("/v1/rides/", a.admit(a.rideStatus))
	http.HandleFunc("/v1/zones", a.listZones)
	http.HandleFunc("/healthz", a.health)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("dispatch listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	close(stop)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
