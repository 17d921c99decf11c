package main

import (
	"encoding/json"
	"hash/fnv"
	"net"
	"net/http"
	"strings"
	"time"
)

// startSandbox runs the carriers' sandbox rating API on a loopback port so the
// service can be exercised without carrier credentials.
func startSandbox() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/parcelfast/v2/rates", sandboxRates("parcelfast", 3*time.Millisecond, 1.0))
	mux.HandleFunc("/northpost/v2/rates", sandboxRates("northpost", 5*time.Millisecond, 0.85))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 90 * time.Second}
	go srv.Serve(ln)
	return ln, nil
}

func sandboxRates(name string, latency time.Duration, factor float64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req rateRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		time.Sleep(latency)
		h := fnv.New32a()
		h.Write([]byte(strings.ToUpper(req.ToPostcode)))
		zone := int(h.Sum32() % 4)
		base := 350 + req.WeightGrams/10 + zone*120
		rates := []rateResponse{
			{Service: "economy", PriceCents: int(float64(base) * factor), Currency: "GBP", Days: 4 + zone},
			{Service: "standard", PriceCents: int(float64(base)*factor*1.4) + 100, Currency: "GBP", Days: 2 + zone/2},
			{Service: "next-day", PriceCents: int(float64(base)*factor*2.2) + 250, Currency: "GBP", Days: 1},
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]interface{}{"rates": rates})
	}
}
