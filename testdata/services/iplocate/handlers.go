package main

import (
	"encoding/binary"
	"encoding/json"
	"net"
	"net/http"
	"sort"
	"sync"
)

type server struct {
	db   *rangeDB
	hits *countryCounter
}

type location struct {
	IP      string `json:"ip"`
	Found   bool   `json:"found"`
	Country string `json:"country,omitempty"`
	ASN     uint32 `json:"asn,omitempty"`
	Proxy   bool   `json:"anonymous_proxy,omitempty"`
	Hosting bool   `json:"hosting,omitempty"`
	Error   string `json:"error,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (s *server) resolve(raw string) location {
	loc := location{IP: raw}
	ip := net.ParseIP(raw).To4()
	if ip == nil {
		loc.Error = "not an IPv4 address"
		return loc
	}
	rec, ok, err := s.db.find(binary.BigEndian.Uint32(ip))
	if err != nil {
		loc.Error = "lookup failed"
		return loc
	}
	if !ok {
		return loc
	}
	loc.Found, loc.Country, loc.ASN = true, s.db.country(rec.Country), rec.ASN
	loc.Proxy, loc.Hosting = rec.Flags&1 != 0, rec.Flags&2 != 0
	s.hits.add(loc.Country)
	return loc
}

func (s *server) locate(w http.ResponseWriter, r *http.Request) {
	loc := s.resolve(r.URL.Query().Get("ip"))
	if loc.Error != "" {
		writeJSON(w, http.StatusBadRequest, loc)
		return
	}
	writeJSON(w, http.StatusOK, loc)
}

func (s *server) locateBatch(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var in struct {
		IPs []string `json:"ips"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil || len(in.IPs) > 500 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {\"ips\": [...]} with at most 500 addresses"})
		return
	}
	out := make([]location, len(in.IPs))
	for i, ip := range in.IPs {
		out[i] = s.resolve(ip)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) dbInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]interface{}{"ranges": s.db.count, "built": s.db.built, "countries": len(s.db.countries)})
}

type countryCounter struct {
	mu sync.Mutex
	n  map[string]int64
}

func newCountryCounter() *countryCounter { return &countryCounter{n: map[string]int64{}} }

func (c *countryCounter) add(country string) {
	c.mu.Lock()
	c.n[country]++
	c.mu.Unlock()
}

func (s *server) countryStats(w http.ResponseWriter, r *http.Request) {
	s.hits.mu.Lock()
	type row struct {
		Country string `json:"country"`
		Lookups int64  `json:"lookups"`
	}
	out := make([]row, 0, len(s.hits.n))
	for c, n := range s.hits.n {
		out = append(out, row{c, n})
	}
	s.hits.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Lookups > out[j].Lookups })
	writeJSON(w, http.StatusOK, out)
}
