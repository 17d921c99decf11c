package main

import (
	"context"
	"sort"
	"time"
)

type supplierResult struct {
	supplier string
	offers   []Offer
	err      error
	took     time.Duration
}

// Aggregator asks every supplier for availability and merges the offers.
type Aggregator struct {
	suppliers []*supplier
	budget    time.Duration
}

func (a *Aggregator) query(ctx context.Context, s *supplier, q searchQuery, out chan<- supplierResult) {
	start := time.Now()
	offers, err := s.availability(ctx, q)
	out <- supplierResult{supplier: s.name, offers: offers, err: err, took: time.Since(start)}
}

type searchResult struct {
	Offers  []Offer  `json:"offers"`
	Missing []string `json:"missingSuppliers,omitempty"`
	TookMs  int64    `json:"tookMs"`
}

// Search returns whatever the suppliers answered within the time budget.
func (a *Aggregator) Search(ctx context.Context, q searchQuery) searchResult {
	start := time.Now()
	results := make(chan supplierResult)
	for _, s := range a.suppliers {
		go a.query(ctx, s, q, results)
	}
	answered := map[string]bool{}
	var offers []Offer
	budget := time.NewTimer(a.budget)
	defer budget.Stop()
collect:
	for i := 0; i < len(a.suppliers); i++ {
		select {
		case r := <-results:
			answered[r.supplier] = true
			if r.err == nil {
				offers = append(offers, r.offers...)
			}
		case <-budget.C:
			break collect
		case <-ctx.Done():
			break collect
		}
	}
	var missing []string
	for _, s := range a.suppliers {
		if !answered[s.name] {
			missing = append(missing, s.name)
		}
	}
	offers = cheapestPerHotel(offers)
	return searchResult{Offers: offers, Missing: missing, TookMs: time.Since(start).Milliseconds()}
}

func cheapestPerHotel(offers []Offer) []Offer {
	best := map[int]Offer{}
	for _, o := range offers {
		if cur, ok := best[o.HotelID]; !ok || o.Total < cur.Total {
			best[o.HotelID] = o
		}
	}
	out := make([]Offer, 0, len(best))
	for _, o := range best {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Total < out[j].Total })
	return out
}
