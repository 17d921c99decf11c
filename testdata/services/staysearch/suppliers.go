package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand"
	"sync"
	"time"
)

type Offer struct {
	Supplier string  `json:"supplier"`
	HotelID  int     `json:"hotelId"`
	Hotel    string  `json:"hotel"`
	Room     string  `json:"room"`
	Nightly  float64 `json:"nightly"`
	Total    float64 `json:"total"`
	Refund   bool    `json:"refundable"`
}

type searchQuery struct {
	Destination string
	CheckIn     time.Time
	Nights      int
	Guests      int
}

// supplier simulates one wholesaler's availability API (the real ones are
// reached through their SDKs).
type supplier struct {
	name      string
	typical   time.Duration
	tailShare float64
	markup    float64

	mu  sync.Mutex
	rng *rand.Rand
}

func newSupplier(name string, typical time.Duration, tailShare, markup float64, seed int64) *supplier {
	return &supplier{name: name, typical: typical, tailShare: tailShare, markup: markup, rng: rand.New(rand.NewSource(seed))}
}

func (s *supplier) latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.typical/2 + time.Duration(s.rng.Int63n(int64(s.typical)))
	if s.rng.Float64() < s.tailShare {
		d += 300*time.Millisecond + time.Duration(s.rng.Int63n(int64(300*time.Millisecond)))
	}
	return d
}

func (s *supplier) availability(ctx context.Context, q searchQuery) ([]Offer, error) {
	time.Sleep(s.latency())
	h := fnv.New32a()
	fmt.Fprintf(h, "%s|%s|%s", s.name, q.Destination, q.CheckIn.Format("2006-01-02"))
	seed := h.Sum32()
	n := 3 + int(seed%5)
	offers := make([]Offer, 0, n)
	for i := 0; i < n; i++ {
		hotel := hotelsIn(q.Destination)[(int(seed)+i*7)%len(hotelsIn(q.Destination))]
		nightly := float64(60+int(seed>>uint(i%8))%180) * s.markup
		offers = append(offers, Offer{
			Supplier: s.name,
			HotelID:  hotel.ID,
			Hotel:    hotel.Name,
			Room:     []string{"Standard double", "Superior twin", "Junior suite", "Economy single"}[(int(seed)+i)%4],
			Nightly:  nightly,
			Total:    nightly * float64(q.Nights),
			Refund:   (int(seed)+i)%3 != 0,
		})
	}
	return offers, nil
}
