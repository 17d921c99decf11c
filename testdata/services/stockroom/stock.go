package main

import (
	"context"
	"sync"
	"time"
)

type movement struct {
	SKU       string
	Warehouse string
	Delta     int
	Kind      string // receipt, pick, adjust, transfer-in, transfer-out
	At        time.Time
}

type level struct {
	OnHand  int
	InBound int
	Updated time.Time
}

type stock struct {
	cat *catalog
	whs []string

	mu      sync.RWMutex
	levels  map[string]map[string]*level // sku -> warehouse -> level
	recent  []movement                   // last movements, oldest first
	applied int64
}

const recentWindow = 50000

func newStock(cat *catalog, whs []string) *stock {
	s := &stock{cat: cat, whs: whs, levels: make(map[string]map[string]*level, len(cat.skus))}
	now := time.Now()
	for i, sku := range cat.skus {
		m := make(map[string]*level, len(whs))
		for j, wh := range whs {
			m[wh] = &level{OnHand: (i*7 + j*13) % 120, Updated: now}
		}
		s.levels[sku] = m
	}
	return s
}

type whLevel struct {
	OnHand int `json:"on_hand"`
	Trend  int `json:"trend"`
}

type availability struct {
	SKU        string             `json:"sku"`
	Total      int                `json:"total"`
	Sellable   int                `json:"sellable"`
	ByWH       map[string]whLevel `json:"by_warehouse"`
	InBound    int                `json:"inbound"`
	Trend      int                `json:"trend_last_window"`
	LowStock   bool               `json:"low_stock"`
	ComputedAt time.Time          `json:"computed_at"`
}

// Availability reports sellable stock for a SKU across all warehouses,
// including the recent movement trend and stock that is on its way.
func (s *stock) Availability(sku string, reorder int) (availability, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	whs, ok := s.levels[sku]
	if !ok {
		return availability{}, false
	}
	a := availability{SKU: sku, ByWH: make(map[string]whLevel, len(whs)), ComputedAt: time.Now().UTC()}
	for _, wh := range s.whs {
		l := whs[wh]
		trend := 0
		for _, m := range s.recent {
			if m.Warehouse == wh && m.SKU == sku {
				trend += m.Delta
			}
		}
		a.ByWH[wh] = whLevel{OnHand: l.OnHand, Trend: trend}
		a.Trend += trend
		a.Total += l.OnHand
		a.InBound += s.inbound(sku, wh)
	}
	a.Sellable = a.Total
	if a.Trend < 0 && -a.Trend > a.Total/2 {
		a.Sellable = a.Total / 2
	}
	a.LowStock = a.Total+a.InBound < reorder
	return a, true
}

func (s *stock) inbound(sku, wh string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if l, ok := s.levels[sku][wh]; ok {
		return l.InBound
	}
	return 0
}

func (s *stock) apply(batch []movement) {
	if len(batch) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range batch {
		l := s.levels[m.SKU][m.Warehouse]
		if l == nil {
			continue
		}
		switch m.Kind {
		case "transfer-in":
			l.InBound += m.Delta
		case "receipt":
			l.OnHand += m.Delta
			if l.InBound >= m.Delta {
				l.InBound -= m.Delta
			}
		default:
			l.OnHand += m.Delta
			if l.OnHand < 0 {
				l.OnHand = 0
			}
		}
		l.Updated = m.At
		s.applied++
	}
	s.recent = append(s.recent, batch...)
	if over := len(s.recent) - recentWindow; over > 0 {
		s.recent = append(s.recent[:0], s.recent[over:]...)
	}
}

// follow polls the ERP feed and applies each batch of movements.
func (s *stock) follow(ctx context.Context, f *erpFeed, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.apply(f.poll(now))
		}
	}
}
