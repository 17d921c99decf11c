package main

import (
	"math/rand"
	"time"
)

// erpFeed simulates the ERP's movement feed: every poll returns the stock
// movements recorded since the previous poll.
type erpFeed struct {
	cat *catalog
	whs []string
	rng *rand.Rand
}

func newERPFeed(cat *catalog, whs []string) *erpFeed {
	return &erpFeed{cat: cat, whs: whs, rng: rand.New(rand.NewSource(time.Now().UnixNano()))}
}

var kindsOfMovement = []string{"pick", "pick", "pick", "receipt", "adjust", "transfer-in"}

func (f *erpFeed) poll(now time.Time) []movement {
	n := 5 + f.rng.Intn(20)
	out := make([]movement, n)
	for i := range out {
		k := kindsOfMovement[f.rng.Intn(len(kindsOfMovement))]
		d := 1 + f.rng.Intn(6)
		if k == "pick" {
			d = -d
		} else if k == "adjust" && f.rng.Intn(2) == 0 {
			d = -d
		}
		out[i] = movement{
			SKU:       f.cat.skus[f.rng.Intn(len(f.cat.skus))],
			Warehouse: f.whs[f.rng.Intn(len(f.whs))],
			Delta:     d,
			Kind:      k,
			At:        now,
		}
	}
	return out
}

// history returns the movements of the last window, oldest first, as the ERP
// replays them to a consumer that starts up.
func (f *erpFeed) history(now time.Time, n int) []movement {
	out := make([]movement, 0, n)
	for len(out) < n {
		at := now.Add(-time.Duration(n-len(out)) * time.Millisecond)
		out = append(out, f.poll(at)...)
	}
	return out[len(out)-n:]
}
