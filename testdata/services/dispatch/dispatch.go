package main

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

type Ride struct {
	ID        string    `json:"id"`
	Rider     string    `json:"rider"`
	Pickup    GeoPoint  `json:"pickup"`
	Driver    string    `json:"driver,omitempty"`
	Status    string    `json:"status"`
	EtaMin    float64   `json:"etaMinutes"`
	Surge     float64   `json:"surge"`
	Fare      Fare      `json:"fare"`
	Requested time.Time `json:"requested"`
}

var errNoDriver = errors.New("no driver available nearby")

// Dispatcher matches ride requests with drivers from the fleet.
type Dispatcher struct {
	mu       sync.Mutex
	rides    map[string]*Ride
	byDriver map[string]string
	recent   []time.Time
	seq      int64
	fleet    *Fleet
	fares    *fareEngine
}

func NewDispatcher(f *Fleet, fares *fareEngine) *Dispatcher {
	d := &Dispatcher{rides: make(map[string]*Ride), byDriver: make(map[string]string), fleet: f, fares: fares}
	f.onLost = d.releaseDriver
	return d
}

// surgeLocked prices demand from the requests of the last minute.
func (d *Dispatcher) surgeLocked(now time.Time) float64 {
	cut := 0
	for cut < len(d.recent) && now.Sub(d.recent[cut]) > time.Minute {
		cut++
	}
	d.recent = append(d.recent[:0], d.recent[cut:]...)
	d.recent = append(d.recent, now)
	perMin := float64(len(d.recent))
	switch {
	case perMin > 3000:
		return 1.8
	case perMin > 1200:
		return 1.4
	case perMin > 600:
		return 1.2
	}
	return 1.0
}

func (d *Dispatcher) RequestRide(rider string, pickup GeoPoint) (*Ride, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	d.seq++
	r := &Ride{ID: fmt.Sprintf("R%d", d.seq), Rider: rider, Pickup: pickup, Status: "searching", Requested: now}
	r.Surge = d.surgeLocked(now)
	r.Fare = d.fares.Quote(pickup, r.Surge)
	drv, km := d.fleet.claimNearest(pickup, 8)
	if drv == nil {
		r.Status = "unfulfilled"
		return r, errNoDriver
	}
	r.Driver = drv.ID
	r.Status = "assigned"
	r.EtaMin = 2 + km*2.5
	d.rides[r.ID] = r
	d.byDriver[drv.ID] = r.ID
	return r, nil
}

func (d *Dispatcher) Ride(id string) (Ride, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, ok := d.rides[id]
	if !ok {
		return Ride{}, false
	}
	return *r, true
}

func (d *Dispatcher) Complete(id string) error {
	d.mu.Lock()
	r, ok := d.rides[id]
	if !ok {
		d.mu.Unlock()
		return fmt.Errorf("unknown ride %s", id)
	}
	r.Status = "completed"
	drv := r.Driver
	delete(d.byDriver, drv)
	d.mu.Unlock()
	d.fleet.setIdle(drv)
	return nil
}

// releaseDriver puts the open trip of a driver who went offline back into
// the "searching" state.
func (d *Dispatcher) releaseDriver(driverID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	rid, ok := d.byDriver[driverID]
	if !ok {
		return
	}
	delete(d.byDriver, driverID)
	if r := d.rides[rid]; r != nil && r.Status == "assigned" {
		r.Status = "searching"
		r.Driver = ""
	}
}

// prune forgets rides older than the retention window.
func (d *Dispatcher) prune(keep time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	for id, r := range d.rides {
		if now.Sub(r.Requested) > keep {
			delete(d.rides, id)
		}
	}
}
