package main

import (
	"context"
	"sort"
	"sync"
	"time"
)

// reading is one metering interval as the head-end reports it.
type reading struct {
	At      int64   // unix seconds, end of the interval
	KWh     float64 // energy imported in the interval
	Voltage float32
	Quality uint16 // head-end quality flags (estimated, power-fail, clock-adjusted, ...)
	Phase   uint8
}

type series struct {
	meter    string
	feeder   string
	points   []reading // ordered by At as the head-end sends them
	lastSeen time.Time
}

// readingStore keeps recent readings per meter for usage and outage queries.
type readingStore struct {
	mu        sync.RWMutex
	retention time.Duration
	byMeter   map[string]*series
}

func newReadingStore(retention time.Duration) *readingStore {
	return &readingStore{retention: retention, byMeter: make(map[string]*series)}
}

// add appends a batch for one meter.
func (s *readingStore) add(meter, feeder string, batch []reading) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	ser := s.byMeter[meter]
	if ser == nil {
		ser = &series{meter: meter, feeder: feeder}
		s.byMeter[meter] = ser
	}
	ser.points = append(ser.points, batch...)
	ser.lastSeen = time.Now()
	return len(ser.points)
}

// janitor drops what is older than the retention window, once per window.
func (s *readingStore) janitor(ctx context.Context) {
	t := time.NewTicker(s.retention)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.trim(now.Add(-s.retention))
		}
	}
}

func (s *readingStore) trim(cutoff time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := cutoff.Unix()
	for id, ser := range s.byMeter {
		i := sort.Search(len(ser.points), func(i int) bool { return ser.points[i].At >= c })
		if i == len(ser.points) && ser.lastSeen.Before(cutoff) {
			delete(s.byMeter, id)
			continue
		}
		ser.points = append([]reading(nil), ser.points[i:]...)
	}
}

func (s *readingStore) meterCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byMeter)
}

// window returns a copy of one meter's readings in [from, to].
func (s *readingStore) window(meter string, from, to int64) ([]reading, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ser := s.byMeter[meter]
	if ser == nil {
		return nil, false
	}
	var out []reading
	for _, p := range ser.points {
		if p.At >= from && p.At <= to {
			out = append(out, p)
		}
	}
	return out, true
}

type feederStat struct {
	Feeder string  `json:"feeder"`
	Meters int     `json:"meters"`
	KWh    float64 `json:"kwh_last_interval"`
	Stale  int     `json:"stale_meters"`
}

func (s *readingStore) feeders(staleAfter time.Duration) []feederStat {
	s.mu.RLock()
	defer s.mu.RUnlock()
	now := time.Now()
	agg := map[string]*feederStat{}
	for _, ser := range s.byMeter {
		f := agg[ser.feeder]
		if f == nil {
			f = &feederStat{Feeder: ser.feeder}
			agg[ser.feeder] = f
		}
		f.Meters++
		if n := len(ser.points); n > 0 {
			f.KWh += ser.points[n-1].KWh
		}
		if now.Sub(ser.lastSeen) > staleAfter {
			f.Stale++
		}
	}
	out := make([]feederStat, 0, len(agg))
	for _, f := range agg {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Feeder < out[j].Feeder })
	return out
}
