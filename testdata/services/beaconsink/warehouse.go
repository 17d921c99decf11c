package main

import (
	"sync"
	"time"
)

// warehouse stands in for the loader of the analytics warehouse: it keeps the
// per-site, per-path aggregates the dashboards read and a short shipment log.
type warehouse struct {
	mu        sync.Mutex
	pageViews map[string]map[string]int // site -> path -> views
	errors    map[string]int
	timingSum map[string]int64
	timingN   map[string]int64
	shipments []shipment
	keep      int
	total     int64
}

type shipment struct {
	At     time.Time `json:"at"`
	Events int       `json:"events"`
	Sites  int       `json:"sites"`
}

func newWarehouse(keep int) *warehouse {
	return &warehouse{
		pageViews: map[string]map[string]int{},
		errors:    map[string]int{},
		timingSum: map[string]int64{},
		timingN:   map[string]int64{},
		keep:      keep,
	}
}

// load folds one batch into the aggregates. The batch's slice is reused by
// the caller, so nothing here keeps a reference to it.
func (w *warehouse) load(batch []event) {
	if len(batch) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	sites := map[string]bool{}
	for i := range batch {
		ev := &batch[i]
		sites[ev.Site] = true
		switch ev.Kind {
		case "pv":
			byPath := w.pageViews[ev.Site]
			if byPath == nil {
				byPath = map[string]int{}
				w.pageViews[ev.Site] = byPath
			}
			if _, ok := byPath[ev.Path]; !ok && len(byPath) >= 5000 {
				byPath["(other)"]++
				continue
			}
			byPath[ev.Path]++
		case "er":
			w.errors[ev.Site]++
		case "tm":
			w.timingSum[ev.Site] += int64(ev.Millis)
			w.timingN[ev.Site]++
		}
	}
	w.total += int64(len(batch))
	w.shipments = append(w.shipments, shipment{At: time.Now(), Events: len(batch), Sites: len(sites)})
	if len(w.shipments) > w.keep {
		w.shipments = append(w.shipments[:0], w.shipments[len(w.shipments)-w.keep:]...)
	}
}

func (w *warehouse) stats() map[string]interface{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	avg := map[string]float64{}
	for s, n := range w.timingN {
		if n > 0 {
			avg[s] = float64(w.timingSum[s]) / float64(n)
		}
	}
	paths := map[string]int{}
	for s, m := range w.pageViews {
		paths[s] = len(m)
	}
	errs := make(map[string]int, len(w.errors))
	for s, n := range w.errors {
		errs[s] = n
	}
	return map[string]interface{}{"events": w.total, "js_errors": errs, "avg_timing_ms": avg, "distinct_paths": paths}
}

func (w *warehouse) recent(n int) []shipment {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n > len(w.shipments) {
		n = len(w.shipments)
	}
	out := make([]shipment, n)
	copy(out, w.shipments[len(w.shipments)-n:])
	return out
}
