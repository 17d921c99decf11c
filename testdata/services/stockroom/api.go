package main

import (
	"encoding/json"
	"net/http"
	"strings"
)

type api struct {
	cat   *catalog
	stock *stock
	res   *reservations
}

func (a *api) routes() {
	http.HandleFunc("/v1/items", a.getItem)
	http.HandleFunc("/v1/availability", a.getAvailability)
	http.HandleFunc("/v1/reservations", a.createReservation)
	http.HandleFunc("/v1/reservations/", a.reservation)
	http.HandleFunc("/v1/warehouses", a.getWarehouses)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
}

func (a *api) getItem(w http.ResponseWriter, r *http.Request) {
	it, ok := a.cat.get(strings.ToUpper(r.URL.Query().Get("sku")))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown sku"})
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (a *api) getAvailability(w http.ResponseWriter, r *http.Request) {
	sku := strings.ToUpper(r.URL.Query().Get("sku"))
	it, ok := a.cat.get(sku)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown sku"})
		return
	}
	av, ok := a.stock.Availability(sku, it.Reorder)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "sku not stocked"})
		return
	}
	writeJSON(w, http.StatusOK, av)
}

func (a *api) createReservation(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var in struct {
		SKU  string `json:"sku"`
		Qty  int    `json:"qty"`
		Cart string `json:"cart"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON"})
		return
	}
	in.SKU = strings.ToUpper(in.SKU)
	it, ok := a.cat.get(in.SKU)
	if !ok || it.Discont {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "sku not available"})
		return
	}
	res, err := a.res.hold(in.SKU, in.Cart, in.Qty)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

func (a *api) reservation(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/v1/reservations/")
	switch r.Method {
	case http.MethodGet:
		res, ok := a.res.get(id)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such reservation"})
			return
		}
		writeJSON(w, http.StatusOK, res)
	case http.MethodDelete:
		if !a.res.release(id) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such reservation"})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "GET or DELETE"})
	}
}

func (a *api) getWarehouses(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]interface{}{"warehouses": a.stock.whs})
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
