package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

var (
	errUnknownPerformance = errors.New("unknown performance")
	errSyncing            = errors.New("seat map is being reconciled with the venue")
	errNoSeats            = errors.New("not enough adjacent seats")
	errUnknownHold        = errors.New("unknown hold")
)

type seat struct {
	holdID  string
	until   time.Time
	sold    bool
	price   int // cents
	section string
}

// seatMap is one performance's seats, row by row.
type seatMap struct {
	mu      sync.Mutex
	perf    string
	rows    [][]seat
	syncing bool
	version int
}

type house struct {
	perfs map[string]*seatMap
	order []string
}

func newHouse(perfs []string, rows, perRow int) *house {
	h := &house{perfs: map[string]*seatMap{}, order: perfs}
	for pi, p := range perfs {
		m := &seatMap{perf: p}
		for r := 0; r < rows; r++ {
			row := make([]seat, perRow)
			for s := range row {
				sec, price := "stalls", 8900
				if r < 6 {
					sec, price = "premium", 14900
				} else if r >= 18 {
					sec, price = "balcony", 5900
				}
				row[s] = seat{section: sec, price: price}
				if (r*perRow+s+pi)%7 == 0 {
					row[s].sold = true
				}
			}
			m.rows = append(m.rows, row)
		}
		h.perfs[p] = m
	}
	return h
}

func seatName(r, s int) string { return fmt.Sprintf("%c%d", 'A'+r, s+1) }

// tryHold holds qty adjacent seats in the section, best row first.
func (m *seatMap) tryHold(section string, qty int, holdID string, until time.Time) ([]string, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.syncing {
		return nil, 0, errSyncing
	}
	now := time.Now()
	for r, row := range m.rows {
		run := 0
		for s := range row {
			st := &row[s]
			free := !st.sold && st.section == section && (st.holdID == "" || now.After(st.until))
			if !free {
				run = 0
				continue
			}
			run++
			if run == qty {
				var names []string
				total := 0
				for k := s - qty + 1; k <= s; k++ {
					row[k].holdID, row[k].until = holdID, until
					names = append(names, seatName(r, k))
					total += row[k].price
				}
				return names, total, nil
			}
		}
	}
	return nil, 0, errNoSeats
}

func (m *seatMap) release(holdID string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, row := range m.rows {
		for s := range row {
			if row[s].holdID == holdID {
				row[s].holdID = ""
				n++
			}
		}
	}
	return n
}

type availability struct {
	Section string `json:"section"`
	Free    int    `json:"free"`
	Held    int    `json:"held"`
	Sold    int    `json:"sold"`
}

func (m *seatMap) availability() []availability {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	agg := map[string]*availability{}
	var order []string
	for _, row := range m.rows {
		for _, st := range row {
			a := agg[st.section]
			if a == nil {
				a = &availability{Section: st.section}
				agg[st.section] = a
				order = append(order, st.section)
			}
			switch {
			case st.sold:
				a.Sold++
			case st.holdID != "" && now.Before(st.until):
				a.Held++
			default:
				a.Free++
			}
		}
	}
	out := make([]availability, 0, len(order))
	for _, s := range order {
		out = append(out, *agg[s])
	}
	return out
}

// venueLink stands in for the venue's access-control system, which must see
// the same seat map before the box office sells from it again.
type venueLink struct{ latency time.Duration }

func (v *venueLink) push(perf string, version int, seats int) error {
	time.Sleep(v.latency)
	return nil
}

// syncLoop reconciles each performance in turn: the map is frozen while the
// venue takes it, and expired holds are cleared.
func (h *house) syncLoop(ctx context.Context, v *venueLink, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	i := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		m := h.perfs[h.order[i%len(h.order)]]
		i++
		m.mu.Lock()
		m.syncing = true
		m.version++
		version := m.version
		m.mu.Unlock()

		v.push(m.perf, version, len(m.rows)*len(m.rows[0]))

		m.mu.Lock()
		now := time.Now()
		for _, row := range m.rows {
			for s := range row {
				if row[s].holdID != "" && now.After(row[s].until) {
					row[s].holdID = ""
				}
			}
		}
		m.syncing = false
		m.mu.Unlock()
	}
}
