package main

import (
	"context"
	"fmt"
	"hash/crc32"
	"sync"
	"time"
)

type shipment struct {
	OrderID  string
	Tracking string
	At       time.Time
}

// warehouse simulates the local fulfilment centre: orders whose lines are all
// in stock are picked, packed and shipped after pickTime.
type warehouse struct {
	pickTime  time.Duration
	queue     chan *order
	onShipped func(shipment)

	mu    sync.Mutex
	stock map[string]int
}

func newWarehouse(pick time.Duration) *warehouse {
	w := &warehouse{pickTime: pick, queue: make(chan *order, 1024), stock: make(map[string]int)}
	return w
}

// onHand returns the quantity for a SKU, lazily seeding the synthetic catalog.
func (w *warehouse) onHand(sku string) int {
	q, ok := w.stock[sku]
	if !ok {
		if crc32.ChecksumIEEE([]byte(sku))%4 == 0 {
			q = 0
		} else {
			q = 1 << 20
		}
		w.stock[sku] = q
	}
	return q
}

// reserve takes stock for every line or for none of them.
func (w *warehouse) reserve(lines []orderLine) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range lines {
		if w.onHand(l.SKU) < l.Qty {
			return false
		}
	}
	for _, l := range lines {
		w.stock[l.SKU] -= l.Qty
	}
	return true
}

func (w *warehouse) level(sku string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.onHand(sku)
}

func (w *warehouse) submit(o *order) bool {
	select {
	case w.queue <- o:
		return true
	default:
		return false
	}
}

func (w *warehouse) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case o := <-w.queue:
			o.setStatus(statusPicking, "")
			time.AfterFunc(w.pickTime, func() {
				w.onShipped(shipment{
					OrderID:  o.ID,
					Tracking: fmt.Sprintf("1Z%08X", crc32.ChecksumIEEE([]byte(o.ID))),
					At:       time.Now().UTC(),
				})
			})
		}
	}
}
