package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

type quote struct {
	ID       string         `json:"id"`
	Request  rateRequest    `json:"request"`
	Rates    []rateResponse `json:"rates"`
	Cheapest *rateResponse  `json:"cheapest,omitempty"`
	Fastest  *rateResponse  `json:"fastest,omitempty"`
	Errors   []string       `json:"errors,omitempty"`
	Created  time.Time      `json:"created"`
}

type quoter struct {
	carriers []*carrierClient

	mu     sync.Mutex
	seq    int
	recent []*quote
}

func newQuoter(c []*carrierClient) *quoter {
	return &quoter{carriers: c}
}

func (q *quoter) collect(ctx context.Context, req rateRequest) *quote {
	type result struct {
		rates []rateResponse
		err   error
	}
	results := make([]result, len(q.carriers))
	var wg sync.WaitGroup
	for i, c := range q.carriers {
		wg.Add(1)
		go func(i int, c *carrierClient) {
			defer wg.Done()
			r, err := c.rate(ctx, req)
			results[i] = result{r, err}
		}(i, c)
	}
	wg.Wait()

	qt := &quote{Request: req, Created: time.Now().UTC()}
	for _, r := range results {
		if r.err != nil {
			qt.Errors = append(qt.Errors, r.err.Error())
			continue
		}
		qt.Rates = append(qt.Rates, r.rates...)
	}
	for i := range qt.Rates {
		r := &qt.Rates[i]
		if qt.Cheapest == nil || r.PriceCents < qt.Cheapest.PriceCents {
			qt.Cheapest = r
		}
		if qt.Fastest == nil || r.Days < qt.Fastest.Days || (r.Days == qt.Fastest.Days && r.PriceCents < qt.Fastest.PriceCents) {
			qt.Fastest = r
		}
	}
	q.mu.Lock()
	q.seq++
	qt.ID = "q_" + strconv.Itoa(q.seq)
	q.recent = append(q.recent, qt)
	if len(q.recent) > 200 {
		q.recent = append(q.recent[:0], q.recent[len(q.recent)-100:]...)
	}
	q.mu.Unlock()
	return qt
}

func (q *quoter) handleQuote(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		respond(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var req rateRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&req); err != nil {
		respond(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if req.WeightGrams <= 0 || req.ToPostcode == "" {
		respond(w, http.StatusUnprocessableEntity, map[string]string{"error": "weight_grams and to_postcode are required"})
		return
	}
	if req.Country == "" {
		req.Country = "GB"
	}
	req.ToPostcode = strings.ToUpper(strings.TrimSpace(req.ToPostcode))
	ctx, cancel := context.WithTimeout(r.Context(), 4*time.Second)
	defer cancel()
	qt := q.collect(ctx, req)
	status := http.StatusOK
	if len(qt.Rates) == 0 {
		status = http.StatusBadGateway
	}
	respond(w, status, qt)
}

func (q *quoter) handleRecent(w http.ResponseWriter, r *http.Request) {
	n := 10
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && v > 0 && v <= 100 {
		n = v
	}
	q.mu.Lock()
	if n > len(q.recent) {
		n = len(q.recent)
	}
	out := make([]*quote, n)
	copy(out, q.recent[len(q.recent)-n:])
	q.mu.Unlock()
	respond(w, http.StatusOK, out)
}

func (q *quoter) handleCarriers(w http.ResponseWriter, r *http.Request) {
	names := make([]string, 0, len(q.carriers))
	for _, c := range q.carriers {
		names = append(names, c.cfg.Name)
	}
	respond(w, http.StatusOK, map[string]interface{}{"carriers": names})
}

var zones = map[string][]string{
	"GB": {"mainland", "highlands", "islands", "northern-ireland"},
	"IE": {"national"},
	"FR": {"metropolitan", "corsica"},
	"DE": {"national", "islands"},
}

func handleZones(w http.ResponseWriter, r *http.Request) {
	cc := strings.ToUpper(r.URL.Query().Get("country"))
	if cc == "" {
		respond(w, http.StatusOK, zones)
		return
	}
	z, ok := zones[cc]
	if !ok {
		respond(w, http.StatusNotFound, map[string]string{"error": "unknown country"})
		return
	}
	respond(w, http.StatusOK, map[string]interface{}{"country": cc, "zones": z})
}

func respond(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
