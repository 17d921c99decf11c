package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

type fareTable struct {
	base    map[int]float64 // by vehicle class
	peakMul float64
	discAxl float64
}

func defaultFareTable() *fareTable {
	return &fareTable{base: map[int]float64{1: 2.40, 2: 3.10, 3: 6.80, 4: 9.90, 5: 14.20}, peakMul: 1.35, discAxl: 0.85}
}

func (f *fareTable) price(class int, at time.Time, frequent bool) (float64, error) {
	b, ok := f.base[class]
	if !ok {
		return 0, fmt.Errorf("unknown vehicle class %d", class)
	}
	h := at.Hour()
	if (h >= 7 && h < 10) || (h >= 16 && h < 19) {
		b *= f.peakMul
	}
	if frequent {
		b *= f.discAxl
	}
	return math.Round(b*100) / 100, nil
}

type account struct {
	balance  float64
	trips    int
	frequent bool
}

type accountBook struct {
	mu   sync.Mutex
	byID map[string]*account
}

func newAccountBook(n int) *accountBook {
	b := &accountBook{byID: make(map[string]*account, n)}
	for i := 0; i < n; i++ {
		b.byID[fmt.Sprintf("TAG%06d", i)] = &account{balance: 50 + float64(i%200), frequent: i%5 == 0}
	}
	return b
}

func (b *accountBook) charge(tag string, fare func(frequent bool) (float64, error)) (float64, float64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a := b.byID[tag]
	if a == nil {
		return 0, 0, fmt.Errorf("unknown tag")
	}
	amt, err := fare(a.frequent)
	if err != nil {
		return 0, 0, err
	}
	a.balance -= amt
	a.trips++
	return amt, a.balance, nil
}

type laneBoard struct {
	mu     sync.Mutex
	counts []int
	last   []time.Time
}

func newLaneBoard(n int) *laneBoard {
	return &laneBoard{counts: make([]int, n), last: make([]time.Time, n)}
}

type plaza struct {
	fares    *fareTable
	accounts *accountBook
	lanes    *laneBoard
	audit    *auditShipper
}

type passageIn struct {
	Lane  int     `json:"lane"`
	Tag   string  `json:"tag"`
	Plate string  `json:"plate"`
	Class int     `json:"class"`
	Axles int     `json:"axles"`
	Speed float64 `json:"speed_kmh"`
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (p *plaza) passage(w http.ResponseWriter, r *http.Request) {
	var in passageIn
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil || in.Lane < 0 || in.Lane >= len(p.lanes.counts) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad passage"})
		return
	}
	now := time.Now()
	lane := strconv.Itoa(in.Lane)
	p.audit.emit("passage", "lane", lane, "tag", in.Tag, "plate", in.Plate, "class", strconv.Itoa(in.Class), "axles", strconv.Itoa(in.Axles), "speed", strconv.FormatFloat(in.Speed, 'f', 1, 64))
	fare, bal, err := p.accounts.charge(in.Tag, func(frequent bool) (float64, error) { return p.fares.price(in.Class, now, frequent) })
	if err != nil {
		p.audit.emit("violation", "lane", lane, "plate", in.Plate, "reason", err.Error())
		writeJSON(w, http.StatusOK, map[string]interface{}{"barrier": "open", "violation": true, "reason": err.Error()})
		return
	}
	p.audit.emit("charge", "lane", lane, "tag", in.Tag, "fare", strconv.FormatFloat(fare, 'f', 2, 64), "balance", strconv.FormatFloat(bal, 'f', 2, 64))
	if bal < 10 {
		p.audit.emit("low-balance", "tag", in.Tag, "balance", strconv.FormatFloat(bal, 'f', 2, 64))
	}
	p.lanes.mu.Lock()
	p.lanes.counts[in.Lane]++
	p.lanes.last[in.Lane] = now
	p.lanes.mu.Unlock()
	p.audit.emit("barrier", "lane", lane, "state", "open")
	writeJSON(w, http.StatusOK, map[string]interface{}{"barrier": "open", "fare": fare, "balance": math.Round(bal*100) / 100})
}

func (p *plaza) balance(w http.ResponseWriter, r *http.Request) {
	tag := r.URL.Query().Get("tag")
	p.accounts.mu.Lock()
	a := p.accounts.byID[tag]
	var bal float64
	var trips int
	if a != nil {
		bal, trips = a.balance, a.trips
	}
	p.accounts.mu.Unlock()
	if a == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown tag"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"tag": tag, "balance": math.Round(bal*100) / 100, "trips": trips})
}

func (p *plaza) topup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Tag    string  `json:"tag"`
		Amount float64 `json:"amount"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil || in.Amount <= 0 || in.Amount > 500 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad top-up"})
		return
	}
	p.accounts.mu.Lock()
	a := p.accounts.byID[in.Tag]
	if a != nil {
		a.balance += in.Amount
	}
	p.accounts.mu.Unlock()
	if a == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown tag"})
		return
	}
	p.audit.emit("topup", "tag", in.Tag, "amount", strconv.FormatFloat(in.Amount, 'f', 2, 64))
	writeJSON(w, http.StatusOK, map[string]string{"status": "credited"})
}

func (p *plaza) laneStatus(w http.ResponseWriter, r *http.Request) {
	p.lanes.mu.Lock()
	out := make([]map[string]interface{}, len(p.lanes.counts))
	for i := range p.lanes.counts {
		out[i] = map[string]interface{}{"lane": i, "passages": p.lanes.counts[i], "last": p.lanes.last[i].Format(time.RFC3339)}
	}
	p.lanes.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]interface{}{"lanes": out, "audit_shipped": p.audit.shipped.Load(), "audit_dropped": p.audit.dropped.Load()})
}
