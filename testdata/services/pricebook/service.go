package main

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

type pricingService struct {
	lists *priceListCache

	mu      sync.Mutex
	seq     int
	baskets map[string]*pricedBasket
	queue   []string
}

func newPricingService(c *priceListCache) *pricingService {
	return &pricingService{lists: c, baskets: make(map[string]*pricedBasket)}
}

func (s *pricingService) routes(mux *http.ServeMux) {
	mux.HandleFunc("/v1/price", s.handlePrice)
	mux.HandleFunc("/v1/baskets", s.handleBasket)
	mux.HandleFunc("/v1/baskets/", s.handleGetBasket)
	mux.HandleFunc("/v1/price-list/status", s.handleStatus)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
}

type basketLine struct {
	SKU       string `json:"sku"`
	Qty       int    `json:"qty"`
	UnitPence int    `json:"unit_pence"`
	LinePence int    `json:"line_pence"`
	Promotion string `json:"promotion,omitempty"`
}

type pricedBasket struct {
	ID          string       `json:"id"`
	Lines       []basketLine `json:"lines"`
	NetPence    int          `json:"net_pence"`
	VATPence    int          `json:"vat_pence"`
	TotalPence  int          `json:"total_pence"`
	ListVersion int64        `json:"price_list_version"`
	ValidUntil  time.Time    `json:"valid_until"`
}

func (s *pricingService) priceLines(ctx context.Context, lines []basketLine) (*pricedBasket, error) {
	l, err := s.lists.current(ctx)
	if err != nil {
		return nil, err
	}
	b := &pricedBasket{ListVersion: l.Version, ValidUntil: time.Now().Add(10 * time.Minute).UTC()}
	for _, ln := range lines {
		sku := strings.ToUpper(strings.TrimSpace(ln.SKU))
		if ln.Qty <= 0 {
			ln.Qty = 1
		}
		unit, promo, err := l.unitPrice(sku, ln.Qty)
		if err != nil {
			return nil, err
		}
		bl := basketLine{SKU: sku, Qty: ln.Qty, UnitPence: unit, LinePence: unit * ln.Qty, Promotion: promo}
		b.Lines = append(b.Lines, bl)
		b.NetPence += bl.LinePence
	}
	b.VATPence = int(math.Round(float64(b.NetPence) * l.VATRate))
	b.TotalPence = b.NetPence + b.VATPence
	return b, nil
}

func (s *pricingService) handlePrice(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	qty, err := strconv.Atoi(q.Get("qty"))
	if err != nil || qty <= 0 {
		qty = 1
	}
	b, err := s.priceLines(r.Context(), []basketLine{{SKU: q.Get("sku"), Qty: qty}})
	if err != nil {
		writeJSON(w, statusFor(err), map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, b.Lines[0])
}

func (s *pricingService) handleBasket(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var in struct {
		Lines []basketLine `json:"lines"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil || len(in.Lines) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "lines required"})
		return
	}
	b, err := s.priceLines(r.Context(), in.Lines)
	if err != nil {
		writeJSON(w, statusFor(err), map[string]string{"error": err.Error()})
		return
	}
	now := time.Now()
	s.mu.Lock()
	s.seq++
	b.ID = "bsk" + strconv.Itoa(s.seq)
	s.baskets[b.ID] = b
	s.queue = append(s.queue, b.ID)
	for len(s.queue) > 0 && now.After(s.baskets[s.queue[0]].ValidUntil) || len(s.queue) > 20000 {
		delete(s.baskets, s.queue[0])
		s.queue = s.queue[1:]
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, b)
}

func (s *pricingService) handleGetBasket(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/v1/baskets/")
	s.mu.Lock()
	b, ok := s.baskets[id]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "basket not found or expired"})
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *pricingService) handleStatus(w http.ResponseWriter, r *http.Request) {
	v, age, fails := s.lists.status()
	writeJSON(w, http.StatusOK, map[string]interface{}{"version": v, "age_ms": age.Milliseconds(), "consecutive_failures": fails})
}

func statusFor(err error) int {
	if errors.Is(err, errUnknownSKU) {
		return http.StatusNotFound
	}
	return http.StatusBadGateway
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
