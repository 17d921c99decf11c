package main

import (
	"encoding/json"
	"hash/crc32"
	"net"
	"net/http"
	"strings"
	"time"
)

// startVendorSandbox serves the geocoding vendor's sandbox on loopback. Like the
// real service, most lookups answer in a few milliseconds, and the lookups that
// land on one of its overloaded index shards wait for that shard's own 3-minute
// backend timeout.
func startVendorSandbox() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v3/geocode", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		key := strings.ToLower(q.Get("postcode") + "|" + q.Get("street"))
		h := crc32.ChecksumIEEE([]byte(key))
		if h%29 == 0 {
			time.Sleep(3 * time.Minute)
		} else {
			time.Sleep(time.Duration(2+h%6) * time.Millisecond)
		}
		m := geoMatch{Found: h%11 != 0, Formatted: q.Get("street") + ", " + q.Get("postcode") + " " + q.Get("city"),
			Lat: 48 + float64(h%1000)/1000, Lon: 11 + float64(h/1000%1000)/1000, Precision: "rooftop", Confidence: 0.7 + float64(h%30)/100}
		if h%5 == 0 {
			m.Precision = "street"
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(m)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}
