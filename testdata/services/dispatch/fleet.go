package main

import (
	"hash/fnv"
	"math"
	"math/rand"
	"sync"
	"time"
)

type GeoPoint struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

type Driver struct {
	ID       string
	Pos      GeoPoint
	LastSeen time.Time
	Busy     bool
	Trail    []GeoPoint
	Online   time.Time
}

type ShiftSummary struct {
	Driver   string
	Distance float64
	Duration time.Duration
}

// Fleet tracks which drivers are online, where they are and whether they are
// on a trip.
type Fleet struct {
	mu      sync.Mutex
	drivers map[string]*Driver
	ttl     time.Duration
	onLost  func(driverID string)
	push    *pushGateway
	shifts  []ShiftSummary
}

func NewFleet(ttl time.Duration, push *pushGateway) *Fleet {
	return &Fleet{drivers: make(map[string]*Driver), ttl: ttl, push: push}
}

// jitter spreads drivers that report the same coarse position.
func jitter(id string) (float64, float64) {
	h := fnv.New32a()
	h.Write([]byte(id))
	v := h.Sum32()
	return float64(v%1000)/1000*0.02 - 0.01, float64((v/1000)%1000)/1000*0.02 - 0.01
}

func (f *Fleet) Heartbeat(id string, pos GeoPoint) (online int) {
	dlat, dlon := jitter(id)
	pos.Lat += dlat
	pos.Lon += dlon
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.drivers[id]
	if !ok {
		d = &Driver{ID: id, Online: now}
		f.drivers[id] = d
	}
	d.Pos = pos
	d.LastSeen = now
	if len(d.Trail) < 512 {
		d.Trail = append(d.Trail, pos)
	}
	return len(f.drivers)
}

// claimNearest reserves the closest idle driver within maxKm.
func (f *Fleet) claimNearest(p GeoPoint, maxKm float64) (*Driver, float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var best *Driver
	bestKm := maxKm
	for _, d := range f.drivers {
		if d.Busy {
			continue
		}
		if km := haversineKm(p, d.Pos); km < bestKm {
			best, bestKm = d, km
		}
	}
	if best != nil {
		best.Busy = true
	}
	return best, bestKm
}

func (f *Fleet) setIdle(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d, ok := f.drivers[id]; ok {
		d.Busy = false
	}
}

func (f *Fleet) Counts() (online, busy int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.drivers {
		online++
		if d.Busy {
			busy++
		}
	}
	return online, busy
}

func trailDistance(trail []GeoPoint) float64 {
	var km float64
	for i := 1; i < len(trail); i++ {
		km += haversineKm(trail[i-1], trail[i])
	}
	return km
}

// expireStale takes drivers offline whose last heartbeat is older than the
// TTL and hands their open trips back to dispatch.
func (f *Fleet) expireStale(now time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for id, d := range f.drivers {
		if now.Sub(d.LastSeen) < f.ttl {
			continue
		}
		if d.Busy && f.onLost != nil {
			f.onLost(id)
			f.push.Notify(id, "You went offline, your trip was reassigned.")
		}
		f.shifts = append(f.shifts, ShiftSummary{Driver: id, Distance: trailDistance(d.Trail), Duration: d.LastSeen.Sub(d.Online)})
		if len(f.shifts) > 4096 {
			f.shifts = append(f.shifts[:0], f.shifts[2048:]...)
		}
		delete(f.drivers, id)
		n++
	}
	return n
}

// runSweeper expires stale drivers at a jittered interval around every.
func (f *Fleet) runSweeper(every time.Duration, stop <-chan struct{}) {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for {
		wait := every/2 + time.Duration(rng.Int63n(int64(every)))
		select {
		case <-stop:
			return
		case now := <-time.After(wait):
			f.expireStale(now)
		}
	}
}

func haversineKm(a, b GeoPoint) float64 {
	const r = 6371.0
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla := la2 - la1
	dlo := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}
