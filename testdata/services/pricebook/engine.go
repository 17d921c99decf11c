package main

import (
	"encoding/json"
	"math/rand"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// startPricingEngine runs a stand-in for the pricing engine's price-list API
// on a loopback port.
func startPricingEngine() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	var (
		mu      sync.Mutex
		rng     = rand.New(rand.NewSource(time.Now().UnixNano()))
		version int64
	)
	base := make(map[string]priceEntry, 2000)
	for i := 0; i < 2000; i++ {
		e := priceEntry{ListPence: 199 + (i*7919)%15000}
		if i%5 == 0 {
			e.Promos = []promotion{{Code: "MULTI" + strconv.Itoa(i%3+2), PercentOff: 10 + i%15, MinQty: i%3 + 2}}
		}
		base["A"+strconv.Itoa(i)] = e
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v2/price-list", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		delay := 200*time.Millisecond + time.Duration(rng.Int63n(int64(200*time.Millisecond)))
		version++
		v := version
		mu.Unlock()
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(priceList{Region: "GB", Version: v, Generated: time.Now().UTC(), VATRate: 0.2, Prices: base})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return ln.Addr().String(), nil
}
