package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

type api struct {
	routes *routeTable
	cdrs   *cdrStore
	region string
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// normalize turns what the SIP edge passes (with spaces, dashes, a 00 or
// national 0 prefix) into E.164.
func normalize(raw, defaultCC string) string {
	var b strings.Builder
	b.Grow(len(raw) + 3)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if (c >= '0' && c <= '9') || (c == '+' && b.Len() == 0) {
			b.WriteByte(c)
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+"):
		return n
	case strings.HasPrefix(n, "00"):
		return "+" + n[2:]
	case strings.HasPrefix(n, "0"):
		return "+" + defaultCC + n[1:]
	case len(n) <= 3:
		return "+" + n // short codes: emergency numbers
	}
	return "+" + n
}

func (a *api) route(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if to == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "to is required"})
		return
	}
	cc := r.URL.Query().Get("cc")
	if cc == "" {
		cc = "44"
	}
	d, err := a.routes.lookup(normalize(to, cc))
	if err != nil {
		unroutable.Add(1)
		writeJSON(w, http.StatusNotFound, map[string]interface{}{"error": err.Error(), "number": d.Number})
		return
	}
	routed.Add(1)
	writeJSON(w, http.StatusOK, d)
}

func (a *api) routeBatch(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var in struct {
		CC      string   `json:"cc"`
		Numbers []string `json:"numbers"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil || len(in.Numbers) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "numbers are required"})
		return
	}
	if in.CC == "" {
		in.CC = "44"
	}
	out := make([]decision, 0, len(in.Numbers))
	for _, n := range in.Numbers {
		d, err := a.routes.lookup(normalize(n, in.CC))
		if err != nil {
			unroutable.Add(1)
			d.Trunk = ""
		} else {
			routed.Add(1)
		}
		out = append(out, d)
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"decisions": out})
}

func (a *api) trunks(w http.ResponseWriter, r *http.Request) {
	a.routes.mu.RLock()
	names := trunkNames(a.routes.rules)
	a.routes.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]interface{}{"region": a.region, "trunks": names})
}

// cdr is one call detail record as the SIP edge reports it at hang-up.
type cdr struct {
	CallID   string    `json:"callId"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Trunk    string    `json:"trunk"`
	Seconds  int       `json:"seconds"`
	Cost     float64   `json:"cost"`
	Received time.Time `json:"received"`
}

type cdrStore struct {
	mu   sync.Mutex
	ring []cdr
	next int
	full bool
}

func newCDRStore(n int) *cdrStore { return &cdrStore{ring: make([]cdr, n)} }

func (s *cdrStore) add(c cdr) {
	s.mu.Lock()
	s.ring[s.next] = c
	s.next++
	if s.next == len(s.ring) {
		s.next, s.full = 0, true
	}
	s.mu.Unlock()
}

func (a *api) recordCDR(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var c cdr
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&c); err != nil || c.CallID == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "callId is required"})
		return
	}
	c.Received = time.Now().UTC()
	if c.Trunk == "" {
		if d, err := a.routes.lookup(normalize(c.To, "44")); err == nil {
			c.Trunk = d.Trunk
			c.Cost = float64(c.Seconds) / 60 * d.RatePerM
		}
	}
	a.cdrs.add(c)
	cdrsWritten.Add(1)
	writeJSON(w, http.StatusAccepted, map[string]string{"callId": c.CallID, "trunk": c.Trunk})
}
