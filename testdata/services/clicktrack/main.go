// Command clicktrack records ad clicks, keeps per-campaign counters and
// forwards every click to the analytics warehouse.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

type server struct {
	tracker *Tracker
}

type clickRequest struct {
	Campaign string `json:"campaign"`
	Ad       string `json:"ad"`
	User     string `json:"user"`
	Referrer string `json:"referrer"`
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *server) handleClick(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var req clickRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid body"})
		return
	}
	if req.Campaign == "" || req.Ad == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "campaign and ad are required"})
		return
	}
	id, err := s.tracker.Record(Click{
		Campaign: req.Campaign,
		Ad:       req.Ad,
		User:     req.User,
		Referrer: req.Referrer,
		At:       time.Now().UTC(),
	})
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]interface{}{"id": id, "status": "recorded"})
}

func (s *server) handleCampaigns(w http.ResponseWriter, r *http.Request) {
	stats := s.tracker.Snapshot()
	sort.Slice(stats, func(i, j int) bool { return stats[i].Clicks > stats[j].Clicks })
	if len(stats) > 50 {
		stats = stats[:50]
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"campaigns": stats, "count": len(stats)})
}

func (s *server) handleCampaignStats(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSpace(r.URL.Query().Get("id"))
	if id == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "id is required"})
		return
	}
	st, ok := s.tracker.Campaign(id)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown campaign"})
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"status":  "ok",
		"shipped": s.tracker.journal.Shipped(),
	})
}

// limitInflight rejects API requests once too many are being served at
// once. Health and debug endpoints are never shed.
func limitInflight(max int, next http.Handler) http.Handler {
	slots := make(chan struct{}, max)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1/") {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
		default:
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "server busy"})
			return
		}
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()

	runtime.SetBlockProfileRate(1000)

	warehouse, err := startWarehouse()
	if err != nil {
		log.Fatalf("warehouse: %v", err)
	}
	j := newJournal(warehouse, 16)
	go j.run()

	s := &server{tracker: NewTracker(j)}
	http.HandleFunc("/v1/clicks", s.handleClick)
	http.HandleFunc("/v1/campaigns", s.handleCampaigns)
	http.HandleFunc("/v1/campaigns/stats", s.handleCampaignStats)
	http.HandleFunc("/healthz", s.handleHealth)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	log.Printf("clicktrack listening on %s", ln.Addr())

	srv := &http.Server{Handler: limitInflight(400, http.DefaultServeMux), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, syscall.SIGINT, syscall.SIGTERM)
	select {
	case sig := <-sigc:
		log.Printf("received %v, shutting down", sig)
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("serve: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
