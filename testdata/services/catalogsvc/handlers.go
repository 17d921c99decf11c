package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

type handlers struct {
	cat     *catalog
	started time.Time
}

func (h *handlers) register(mux *http.ServeMux) {
	mux.HandleFunc("/v1/products", h.products)
	mux.HandleFunc("/v1/products/search", h.searchProducts)
	mux.HandleFunc("/v1/categories", h.listCategories)
	mux.HandleFunc("/v1/categories/", h.categoryProducts)
	mux.HandleFunc("/healthz", h.health)
}

func (h *handlers) products(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		id, err := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "id must be an integer")
			return
		}
		p, err := h.cat.get(id)
		if err != nil {
			writeError(w, http.StatusNotFound, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, p)
	case http.MethodPost:
		var p Product
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		if err := dec.Decode(&p); err != nil {
			writeError(w, http.StatusBadRequest, "malformed product: "+err.Error())
			return
		}
		created, err := h.cat.add(p)
		switch err {
		case nil:
			w.Header().Set("Location", fmt.Sprintf("/v1/products?id=%d", created.ID))
			writeJSON(w, http.StatusCreated, created)
		case errDuplicate:
			writeError(w, http.StatusConflict, err.Error())
		default:
			writeError(w, http.StatusUnprocessableEntity, err.Error())
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
	}
}

func (h *handlers) searchProducts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	limit := 20
	if s := r.URL.Query().Get("limit"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 && n <= 100 {
			limit = n
		}
	}
	hits := h.cat.search(q, limit)
	writeJSON(w, http.StatusOK, map[string]interface{}{"query": q, "hits": hits, "count": len(hits)})
}

func (h *handlers) listCategories(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.cat.categoryCounts())
}

func (h *handlers) categoryProducts(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Path[len("/v1/categories/"):]
	if name == "" {
		writeError(w, http.StatusNotFound, "no category")
		return
	}
	writeJSON(w, http.StatusOK, h.cat.inCategory(name, 25))
}

func (h *handlers) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"status": "ok",
		"uptime": time.Since(h.started).Round(time.Second).String(),
	})
}

var requestSeq int64

func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			id = "cat-" + strconv.FormatInt(atomic.AddInt64(&requestSeq, 1), 36)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
