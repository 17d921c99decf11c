package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

type series struct {
	Key     string
	Metric  string
	Last    float64
	LastTs  int64
	Samples int64
}

type ingester struct {
	external  map[string]string
	maxSeries int

	mu    sync.Mutex
	head  map[string]*series
	cuts  int
	since time.Time
}

func newIngester(external map[string]string, maxSeries int) *ingester {
	return &ingester{external: external, maxSeries: maxSeries, head: make(map[string]*series), since: time.Now()}
}

// seriesKey is the canonical identity of a series: the metric name and the
// label set (the sample's labels plus the external ones, which the sample
// may override), sorted by label name.
func (ing *ingester) seriesKey(metric string, labels []labelPair) string {
	all := map[string]string{}
	for k, v := range ing.external {
		all[k] = v
	}
	for _, l := range labels {
		all[l.Name] = l.Value
	}
	names := []string{}
	for k := range all {
		names = append(names, k)
	}
	sort.Strings(names)
	key := metric + "{"
	for i, n := range names {
		if i > 0 {
			key += ","
		}
		key += n + "=\"" + all[n] + "\""
	}
	return key + "}"
}

func (ing *ingester) append(batch []sample, keys []string) {
	ing.mu.Lock()
	defer ing.mu.Unlock()
	for i, s := range batch {
		sr, ok := ing.head[keys[i]]
		if !ok {
			if len(ing.head) >= ing.maxSeries {
				// Cut the head: the block goes to the store's flusher.
				seriesFlushed.Add(int64(len(ing.head)))
				ing.head = make(map[string]*series, ing.maxSeries)
				ing.cuts++
			}
			sr = &series{Key: keys[i], Metric: s.Metric}
			ing.head[keys[i]] = sr
		}
		if s.TsMs >= sr.LastTs {
			sr.Last, sr.LastTs = s.Value, s.TsMs
		}
		sr.Samples++
	}
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (ing *ingester) handleWrite(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	sc := bufio.NewScanner(http.MaxBytesReader(w, r.Body, 4<<20))
	sc.Buffer(make([]byte, 0, 64<<10), 64<<10)
	var (
		batch    []sample
		keys     []string
		rejected int
		firstErr string
	)
	now := time.Now().UnixMilli()
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parseLine(line, make([]labelPair, 0, 8))
		if err != nil {
			rejected++
			if firstErr == "" {
				firstErr = err.Error()
			}
			continue
		}
		if s.TsMs == 0 {
			s.TsMs = now
		}
		batch = append(batch, s)
		keys = append(keys, ing.seriesKey(s.Metric, s.Labels))
	}
	if err := sc.Err(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	ing.append(batch, keys)
	samplesIn.Add(int64(len(batch)))
	samplesBad.Add(int64(rejected))
	out := map[string]interface{}{"accepted": len(batch), "rejected": rejected}
	if firstErr != "" {
		out["firstError"] = firstErr
	}
	writeJSON(w, http.StatusOK, out)
}

func (ing *ingester) handleSeries(w http.ResponseWriter, r *http.Request) {
	metric := r.URL.Query().Get("metric")
	ing.mu.Lock()
	var keys []string
	for k, s := range ing.head {
		if metric == "" || s.Metric == metric {
			keys = append(keys, k)
			if len(keys) == 100 {
				break
			}
		}
	}
	n, cuts := len(ing.head), ing.cuts
	ing.mu.Unlock()
	sort.Strings(keys)
	writeJSON(w, http.StatusOK, map[string]interface{}{"headSeries": n, "cuts": cuts, "series": keys})
}

func (ing *ingester) handleLast(w http.ResponseWriter, r *http.Request) {
	metric := r.URL.Query().Get("metric")
	type point struct {
		Key   string  `json:"series"`
		Value float64 `json:"value"`
		TsMs  int64   `json:"ts"`
	}
	var pts []point
	ing.mu.Lock()
	for _, s := range ing.head {
		if s.Metric == metric {
			pts = append(pts, point{s.Key, s.Last, s.LastTs})
			if len(pts) == 50 {
				break
			}
		}
	}
	ing.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]interface{}{"metric": metric, "points": pts})
}
