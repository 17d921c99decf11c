package main

import (
	"math"
	"sync/atomic"
	"time"
)

// Fare is the upfront price shown to the rider.
type Fare struct {
	Currency string  `json:"currency"`
	Base     float64 `json:"base"`
	Total    float64 `json:"total"`
}

// fareEngine stands in for the pricing service the dispatcher consults
// before assigning a driver.
type fareEngine struct {
	latency time.Duration
	calls   int64
}

func (e *fareEngine) Quote(p GeoPoint, surge float64) Fare {
	atomic.AddInt64(&e.calls, 1)
	time.Sleep(e.latency)
	base := 3.9 + 1.5*math.Abs(p.Lat-52.52)*111
	return Fare{Currency: "EUR", Base: math.Round(base*100) / 100, Total: math.Round(base*surge*100) / 100}
}

// pushGateway stands in for the mobile push provider.
type pushGateway struct {
	latency time.Duration
	sent    int64
}

func (g *pushGateway) Notify(driverID, msg string) {
	time.Sleep(g.latency)
	atomic.AddInt64(&g.sent, 1)
}
