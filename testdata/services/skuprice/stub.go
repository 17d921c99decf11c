package main

import (
	"encoding/json"
	"hash/fnv"
	"net"
	"net/http"
	"strings"
	"time"
)

// startInventoryStub runs a stand-in for the inventory service on loopback
// (fixed prices and stock derived from the SKU, a couple of ms per lookup) so
// the service runs without the real backend.
func startInventoryStub() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v2/stock/", func(w http.ResponseWriter, r *http.Request) {
		sku := strings.TrimPrefix(r.URL.Path, "/v2/stock/")
		if sku == "" || strings.HasPrefix(sku, "X") {
			http.Error(w, `{"error":"unknown sku"}`, http.StatusNotFound)
			return
		}
		time.Sleep(2 * time.Millisecond)
		h := fnv.New32a()
		h.Write([]byte(sku))
		v := h.Sum32()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(stockInfo{SKU: sku, PriceCents: 199 + int(v%9000), Available: int(v>>8) % 40, Warehouse: []string{"DUS", "LEJ", "HAM"}[v%3]})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 90 * time.Second}
	go srv.Serve(ln)
	return ln, nil
}
