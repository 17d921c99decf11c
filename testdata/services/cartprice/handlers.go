package main

import (
	"encoding/json"
	"net/http"
)

type handlers struct {
	p   *pricer
	cat *catalog
	log *logger
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (h *handlers) quote(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var c cart
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&c); err != nil || len(c.Lines) == 0 || len(c.Lines) > 200 {
		quoteErrors.Add(1)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "a cart with 1 to 200 lines"})
		return
	}
	t, missing, err := h.p.quote(c)
	if err != nil {
		quoteErrors.Add(1)
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	}
	if len(missing) > 0 {
		h.log.Warnf("cart %s: %d unknown or empty lines", c.ID, len(missing))
	}
	quotesServed.Add(1)
	writeJSON(w, http.StatusOK, map[string]interface{}{"cart": c.ID, "totals": t, "unpriced": missing})
}

func (h *handlers) product(w http.ResponseWriter, r *http.Request) {
	pr := h.cat.bySKU[r.URL.Query().Get("sku")]
	if pr == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown sku"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"sku": pr.SKU, "name": pr.Name, "brand": pr.Brand, "price": pr.ListPrice, "tiers": pr.Tiers})
}

func (h *handlers) promotions(w http.ResponseWriter, r *http.Request) {
	out := make([]string, 0, len(h.p.promos))
	for _, pm := range h.p.promos {
		if !pm.Coupon {
			out = append(out, h.p.describe(pm))
		}
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"promotions": out})
}
