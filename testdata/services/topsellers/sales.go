package main

import (
	"sort"
	"sync"
)

// salesBook holds every product with its running sales figures.
type salesBook struct {
	mu    sync.RWMutex
	all   []*product
	bySKU map[string]*product
}

func newSalesBook(ps []*product) *salesBook {
	b := &salesBook{all: ps, bySKU: make(map[string]*product, len(ps))}
	for _, p := range ps {
		b.bySKU[p.SKU] = p
	}
	return b
}

func (b *salesBook) size() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.all)
}

// record adds a sale of qty units.
func (b *salesBook) record(sku string, qty int) (*product, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.bySKU[sku]
	if p == nil {
		return nil, false
	}
	p.Units += int64(qty)
	p.Revenue += int64(qty) * int64(p.Price)
	cp := *p
	return &cp, true
}

type ranked struct {
	SKU      string `json:"sku"`
	Title    string `json:"title"`
	Category string `json:"category"`
	Units    int64  `json:"units"`
	Revenue  int64  `json:"revenue_cents"`
	Rank     int    `json:"rank"`
}

// ranking returns every product ordered best seller first (ties: revenue,
// then SKU, so pages are stable between requests).
func (b *salesBook) ranking() []ranked {
	b.mu.RLock()
	out := make([]ranked, len(b.all))
	for i, p := range b.all {
		out[i] = ranked{SKU: p.SKU, Title: p.Title, Category: p.Category, Units: p.Units, Revenue: p.Revenue}
	}
	b.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Units != out[j].Units {
			return out[i].Units > out[j].Units
		}
		if out[i].Revenue != out[j].Revenue {
			return out[i].Revenue > out[j].Revenue
		}
		return out[i].SKU < out[j].SKU
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

// top returns the n best sellers, of one category when category is set.
func (b *salesBook) top(category string, n int) []ranked {
	all := b.ranking()
	res := make([]ranked, 0, n)
	for _, r := range all {
		if category != "" && r.Category != category {
			continue
		}
		res = append(res, r)
		if len(res) == n {
			break
		}
	}
	return res
}

// rankOf returns a product's overall sales rank.
func (b *salesBook) rankOf(sku string) (ranked, bool) {
	for _, r := range b.ranking() {
		if r.SKU == sku {
			return r, true
		}
	}
	return ranked{}, false
}

func (b *salesBook) get(sku string) (product, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	p := b.bySKU[sku]
	if p == nil {
		return product{}, false
	}
	return *p, true
}
