// Command eventlog ingests audit events, seals them with a hash chain and
// serves them back to the audit UI.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"expvar"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

var (
	batchesIn  = expvar.NewInt("batches_ingested")
	eventsIn   = expvar.NewInt("events_accepted")
	eventsRej  = expvar.NewInt("events_rejected")
	digestReqs = expvar.NewInt("digest_requests")
)

type service struct {
	journal *journal
	stats   *tenantStats
}

func sendJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *service) ingest(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		sendJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var body struct {
		Events []Event `json:"events"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 2<<20)).Decode(&body); err != nil {
		sendJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON: " + err.Error()})
		return
	}
	if len(body.Events) == 0 {
		sendJSON(w, http.StatusBadRequest, map[string]string{"error": "no events"})
		return
	}
	sealed, sum, err := processBatch(body.Events)
	if err != nil {
		sendJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	s.journal.append(sealed)
	if len(sealed) > 0 {
		s.stats.add(sealed[0].Tenant, sum.ByType)
	}
	batchesIn.Add(1)
	eventsIn.Add(int64(sum.Accepted))
	eventsRej.Add(int64(len(sum.Rejected)))
	sendJSON(w, http.StatusAccepted, sum)
}

func (s *service) recent(w http.ResponseWriter, r *http.Request) {
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 || limit > 200 {
		limit = 50
	}
	sendJSON(w, http.StatusOK, map[string]interface{}{"events": s.journal.recent(r.URL.Query().Get("tenant"), limit)})
}

func (s *service) tenantCounts(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("tenant")
	if t == "" {
		sendJSON(w, http.StatusBadRequest, map[string]string{"error": "tenant is required"})
		return
	}
	sendJSON(w, http.StatusOK, map[string]interface{}{"tenant": t, "counts": s.stats.get(t)})
}

func (s *service) digest(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		sendJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	h := sha256.New()
	n, err := io.Copy(h, http.MaxBytesReader(w, r.Body, 4<<20))
	if err != nil {
		sendJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	digestReqs.Add(1)
	sendJSON(w, http.StatusOK, map[string]interface{}{"bytes": n, "sha256": hex.EncodeToString(h.Sum(nil))})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()

	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)

	s := &service{journal: newJournal(32), stats: &tenantStats{counts: map[string]map[string]int{}}}
	http.HandleFunc("/v1/events", s.ingest)
	http.HandleFunc("/v1/events/recent", s.recent)
	http.HandleFunc("/v1/tenants/counts", s.tenantCounts)
	http.HandleFunc("/v1/digest", s.digest)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		sendJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("eventlog listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
