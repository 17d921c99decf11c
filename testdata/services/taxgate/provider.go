package main

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"log"
	"net"
	"net/http"
	"strings"
	"time"
)

// startProviderSandbox runs the tax provider's sandbox API locally; the
// service talks to it exactly as it talks to the real provider.
func startProviderSandbox() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v2/rates/", func(w http.ResponseWriter, r *http.Request) {
		zip := strings.TrimPrefix(r.URL.Path, "/v2/rates/")
		time.Sleep(25 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		h := crc32.ChecksumIEEE([]byte(zip))
		if len(zip) == 0 || h%100 < 8 {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"code":"JURISDICTION_NOT_FOUND","message":"no jurisdiction for postal code %q","docs":"https://developer.example-tax.com/errors#JURISDICTION_NOT_FOUND"}`, zip)
			return
		}
		state := []string{"CA", "NY", "TX", "WA", "IL", "FL", "CO", "PA"}[h%8]
		_ = json.NewEncoder(w).Encode(map[string]interface{}{
			"postalCode": zip,
			"state":      state,
			"components": []map[string]interface{}{
				{"level": "state", "name": state, "rate": 0.04 + float64(h%30)/1000},
				{"level": "county", "name": fmt.Sprintf("County %d", h%97), "rate": float64(h%20) / 1000},
				{"level": "city", "name": fmt.Sprintf("City %d", h%311), "rate": float64(h%15) / 1000},
			},
			"effective": "2026-01-01",
		})
	})
	go func() {
		if err := http.Serve(ln, mux); err != nil {
			log.Printf("provider sandbox stopped: %v", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}
