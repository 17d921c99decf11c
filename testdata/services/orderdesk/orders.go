package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

type orderStatus string

const (
	statusAccepted  orderStatus = "accepted"
	statusBackorder orderStatus = "backordered"
	statusPicking   orderStatus = "picking"
	statusShipped   orderStatus = "shipped"
	statusCancelled orderStatus = "cancelled"
)

type orderLine struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type order struct {
	mu        sync.Mutex
	ID        string      `json:"id"`
	Customer  string      `json:"customer,omitempty"`
	Lines     []orderLine `json:"lines"`
	Status    orderStatus `json:"status"`
	Tracking  string      `json:"tracking,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

type orderView struct {
	ID        string      `json:"id"`
	Customer  string      `json:"customer,omitempty"`
	Lines     []orderLine `json:"lines"`
	Status    orderStatus `json:"status"`
	Tracking  string      `json:"tracking,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

func (o *order) view() orderView {
	o.mu.Lock()
	defer o.mu.Unlock()
	return orderView{o.ID, o.Customer, o.Lines, o.Status, o.Tracking, o.CreatedAt, o.UpdatedAt}
}

func (o *order) setStatus(s orderStatus, tracking string) {
	o.mu.Lock()
	o.Status = s
	if tracking != "" {
		o.Tracking = tracking
	}
	o.UpdatedAt = time.Now().UTC()
	o.mu.Unlock()
}

var errNoSuchOrder = errors.New("no such order")

type orderBook struct {
	mu     sync.RWMutex
	seq    int
	orders map[string]*order
	order  []string
}

func newOrderBook() *orderBook {
	return &orderBook{orders: make(map[string]*order)}
}

func (b *orderBook) create(customer string, lines []orderLine) (*order, error) {
	if len(lines) == 0 {
		return nil, errors.New("order has no lines")
	}
	for i := range lines {
		lines[i].SKU = strings.ToUpper(strings.TrimSpace(lines[i].SKU))
		if lines[i].SKU == "" || lines[i].Qty <= 0 || lines[i].Qty > 100 {
			return nil, fmt.Errorf("line %d: invalid sku or qty", i+1)
		}
	}
	now := time.Now().UTC()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	o := &order{
		ID:        "ord_" + strconv.Itoa(b.seq),
		Customer:  customer,
		Lines:     lines,
		Status:    statusAccepted,
		CreatedAt: now,
		UpdatedAt: now,
	}
	b.orders[o.ID] = o
	b.order = append(b.order, o.ID)
	if len(b.order) > 50000 {
		old := b.order[0]
		b.order = b.order[1:]
		delete(b.orders, old)
	}
	return o, nil
}

func (b *orderBook) get(id string) (*order, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	o, ok := b.orders[id]
	if !ok {
		return nil, errNoSuchOrder
	}
	return o, nil
}

func (b *orderBook) latest(n int) []*order {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if n > len(b.order) {
		n = len(b.order)
	}
	out := make([]*order, 0, n)
	for i := len(b.order) - 1; i >= len(b.order)-n; i-- {
		out = append(out, b.orders[b.order[i]])
	}
	return out
}
