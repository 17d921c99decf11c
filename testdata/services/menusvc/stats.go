package main

import (
	"encoding/json"
	"math"
	"net/http"
	"sort"
	"sync"
	"time"
)

// latency buckets in milliseconds, as the dashboard draws them
var bucketBounds = [...]float64{0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, math.Inf(1)}

const recentSamples = 128

type routeHist struct {
	buckets [len(bucketBounds)]uint64
	count   uint64
	errors  uint64
	sumMs   float64
	maxMs   float64
	recent  [recentSamples]float32 // for the dashboard's p99 over the last requests
	next    int
	first   time.Time
	last    time.Time
}

// routeStats keeps latency figures per route for /debug/routes.
type routeStats struct {
	mu     sync.Mutex
	routes map[string]*routeHist
}

func newRouteStats() *routeStats {
	return &routeStats{routes: make(map[string]*routeHist)}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// instrument times every request and records it under its route.
func (rs *routeStats) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		rs.observe(r.Method+" "+r.URL.Path, time.Since(start), rec.status >= 500)
	})
}

func (rs *routeStats) observe(route string, d time.Duration, failed bool) {
	ms := float64(d) / float64(time.Millisecond)
	now := time.Now()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	h := rs.routes[route]
	if h == nil {
		h = &routeHist{first: now}
		rs.routes[route] = h
	}
	i := sort.SearchFloat64s(bucketBounds[:], ms)
	h.buckets[i]++
	h.count++
	if failed {
		h.errors++
	}
	h.sumMs += ms
	if ms > h.maxMs {
		h.maxMs = ms
	}
	h.recent[h.next] = float32(ms)
	h.next = (h.next + 1) % recentSamples
	h.last = now
}

type routeSummary struct {
	Route  string  `json:"route"`
	Count  uint64  `json:"count"`
	Errors uint64  `json:"errors"`
	MeanMs float64 `json:"mean_ms"`
	P99Ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
}

func (rs *routeStats) serveSummary(w http.ResponseWriter, r *http.Request) {
	rs.mu.Lock()
	out := make([]routeSummary, 0, len(rs.routes))
	for route, h := range rs.routes {
		n := int(h.count)
		if n > recentSamples {
			n = recentSamples
		}
		xs := make([]float64, 0, n)
		for _, v := range h.recent[:n] {
			xs = append(xs, float64(v))
		}
		sort.Float64s(xs)
		p99 := 0.0
		if len(xs) > 0 {
			p99 = xs[(len(xs)*99)/100]
		}
		out = append(out, routeSummary{Route: route, Count: h.count, Errors: h.errors, MeanMs: h.sumMs / float64(h.count), P99Ms: p99, MaxMs: h.maxMs})
	}
	rs.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	if len(out) > 50 {
		out = out[:50]
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
