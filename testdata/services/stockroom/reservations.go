package main

import (
	"errors"
	"strconv"
	"sync"
	"time"
)

type reservation struct {
	ID      string    `json:"id"`
	SKU     string    `json:"sku"`
	Qty     int       `json:"qty"`
	Cart    string    `json:"cart,omitempty"`
	Expires time.Time `json:"expires"`
}

type reservations struct {
	mu    sync.Mutex
	seq   int
	byID  map[string]*reservation
	held  map[string]int
	order []string
}

func newReservations() *reservations {
	return &reservations{byID: make(map[string]*reservation), held: make(map[string]int)}
}

var errTooMany = errors.New("quantity exceeds per-cart limit")

func (r *reservations) hold(sku, cart string, qty int) (*reservation, error) {
	if qty <= 0 || qty > 20 {
		return nil, errTooMany
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire(now)
	r.seq++
	res := &reservation{ID: "rsv" + strconv.Itoa(r.seq), SKU: sku, Qty: qty, Cart: cart, Expires: now.Add(15 * time.Minute)}
	r.byID[res.ID] = res
	r.held[sku] += qty
	r.order = append(r.order, res.ID)
	return res, nil
}

func (r *reservations) expire(now time.Time) {
	for len(r.order) > 0 {
		res, ok := r.byID[r.order[0]]
		if ok && now.Before(res.Expires) && len(r.order) <= 50000 {
			return
		}
		if ok {
			r.held[res.SKU] -= res.Qty
			delete(r.byID, res.ID)
		}
		r.order = r.order[1:]
	}
}

func (r *reservations) get(id string) (reservation, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res, ok := r.byID[id]
	if !ok {
		return reservation{}, false
	}
	return *res, true
}

func (r *reservations) release(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	res, ok := r.byID[id]
	if !ok {
		return false
	}
	r.held[res.SKU] -= res.Qty
	delete(r.byID, id)
	return true
}
