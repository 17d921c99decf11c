package main

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

type basketLine struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type basketIn struct {
	Customer string       `json:"customer"`
	Coupon   string       `json:"coupon"`
	Lines    []basketLine `json:"lines"`
}

type pricedLine struct {
	SKU       string `json:"sku"`
	Qty       int    `json:"qty"`
	UnitCents int    `json:"unit_cents"`
	LineCents int    `json:"line_cents"`
	InStock   bool   `json:"in_stock"`
	Warehouse string `json:"warehouse,omitempty"`
	Error     string `json:"error,omitempty"`
}

type promotion struct {
	Code       string `json:"code"`
	MinCents   int    `json:"min_cents"`
	PercentOff int    `json:"percent_off"`
}

type pricer struct {
	inv    *inventoryClient
	promos map[string]promotion
}

func defaultPromotions() map[string]promotion {
	return map[string]promotion{
		"WINTER10": {Code: "WINTER10", MinCents: 5000, PercentOff: 10},
		"FREESHIP": {Code: "FREESHIP", MinCents: 2500, PercentOff: 0},
		"VIP20":    {Code: "VIP20", MinCents: 20000, PercentOff: 20},
	}
}

// priceLines looks every line up at the inventory service, in parallel.
func (p *pricer) priceLines(ctx context.Context, lines []basketLine) []pricedLine {
	out := make([]pricedLine, len(lines))
	var wg sync.WaitGroup
	for i := range lines {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			l := lines[i]
			pl := pricedLine{SKU: l.SKU, Qty: l.Qty}
			si, err := p.inv.stock(ctx, l.SKU)
			if err != nil {
				inventoryErrs.Add(1)
				pl.Error = err.Error()
			} else {
				pl.UnitCents = si.PriceCents
				pl.LineCents = si.PriceCents * l.Qty
				pl.InStock = si.Available >= l.Qty
				pl.Warehouse = si.Warehouse
			}
			out[i] = pl
		}(i)
	}
	wg.Wait()
	return out
}

func (p *pricer) handlePrice(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var in basketIn
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 32<<10)).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if len(in.Lines) == 0 || len(in.Lines) > 50 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "1..50 lines"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 1500*time.Millisecond)
	defer cancel()
	lines := p.priceLines(ctx, in.Lines)
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Warehouse < lines[j].Warehouse })
	subtotal := 0
	for _, l := range lines {
		subtotal += l.LineCents
	}
	discount := 0
	if pr, ok := p.promos[strings.ToUpper(in.Coupon)]; ok && subtotal >= pr.MinCents {
		discount = subtotal * pr.PercentOff / 100
	}
	basketsPriced.Add(1)
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"customer": in.Customer, "lines": lines, "subtotal_cents": subtotal,
		"discount_cents": discount, "total_cents": subtotal - discount,
	})
}

func (p *pricer) handleSKU(w http.ResponseWriter, r *http.Request) {
	sku := strings.TrimPrefix(r.URL.Path, "/v1/skus/")
	si, err := p.inv.stock(r.Context(), sku)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, si)
}

func (p *pricer) handlePromotions(w http.ResponseWriter, r *http.Request) {
	out := make([]promotion, 0, len(p.promos))
	for _, pr := range p.promos {
		out = append(out, pr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
