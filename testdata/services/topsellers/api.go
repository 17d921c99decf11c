package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

type api struct {
	book *salesBook
}

type saleIn struct {
	SKU   string `json:"sku"`
	Qty   int    `json:"qty"`
	Order string `json:"order"`
}

func (a *api) recordSale(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var in saleIn
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if in.Qty <= 0 || in.Qty > 100 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "qty must be 1..100"})
		return
	}
	p, ok := a.book.record(normalizeSKU(in.SKU), in.Qty)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown sku"})
		return
	}
	salesRecorded.Add(1)
	writeJSON(w, http.StatusAccepted, map[string]interface{}{"sku": p.SKU, "units": p.Units})
}

func (a *api) top(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n := 10
	if v, err := strconv.Atoi(q.Get("n")); err == nil && v > 0 && v <= 100 {
		n = v
	}
	cat := strings.ToLower(q.Get("category"))
	list := a.book.top(cat, n)
	topServed.Add(1)
	writeJSON(w, http.StatusOK, map[string]interface{}{"category": cat, "items": list})
}

func (a *api) rank(w http.ResponseWriter, r *http.Request) {
	sku := normalizeSKU(r.URL.Query().Get("sku"))
	rk, ok := a.book.rankOf(sku)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown sku"})
		return
	}
	badge := ""
	switch {
	case rk.Rank <= 10:
		badge = "top-10"
	case rk.Rank <= 100:
		badge = "top-100"
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"sku": rk.SKU, "rank": rk.Rank, "units": rk.Units, "badge": badge})
}

func (a *api) product(w http.ResponseWriter, r *http.Request) {
	sku := normalizeSKU(r.URL.Query().Get("sku"))
	p, ok := a.book.get(sku)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown sku"})
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// normalizeSKU accepts what the shop front sends ("sku-417", "SKU-000417", "417")
// and returns the catalogue's form, SKU-000417.
func normalizeSKU(s string) string {
	s = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SKU-")
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return ""
	}
	return fmt.Sprintf("SKU-%06d", n)
}
