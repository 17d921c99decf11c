package main

import (
	"sync"
	"time"
)

type product struct {
	Item
	Updated time.Time
	Version int
}

// productStore is the catalogue database; writes go through a small
// connection pool, simulated here with latency.
type productStore struct {
	mu       sync.RWMutex
	products map[string]*product
	conns    chan struct{}
}

func newProductStore(poolSize int) *productStore {
	return &productStore{products: make(map[string]*product), conns: make(chan struct{}, poolSize)}
}

func (s *productStore) upsert(it Item) {
	s.conns <- struct{}{}
	time.Sleep(3 * time.Millisecond)
	<-s.conns
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[it.SKU]
	if !ok {
		if len(s.products) >= 5000 {
			for k := range s.products {
				delete(s.products, k)
				break
			}
		}
		p = &product{}
		s.products[it.SKU] = p
	}
	p.Item = it
	p.Updated = time.Now()
	p.Version++
}

func (s *productStore) get(sku string) (product, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.products[sku]
	if !ok {
		return product{}, false
	}
	return *p, true
}

func (s *productStore) count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.products)
}
