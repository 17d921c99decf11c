package main

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

type handlers struct {
	g *gazetteer
}

type placeView struct {
	ID         uint32   `json:"id"`
	Name       string   `json:"name"`
	AltNames   []string `json:"alt_names,omitempty"`
	Postcode   string   `json:"postcode"`
	Region     string   `json:"region"`
	Country    string   `json:"country"`
	TZ         string   `json:"tz"`
	Kind       string   `json:"kind"`
	Lat        float32  `json:"lat"`
	Lon        float32  `json:"lon"`
	Elevation  int16    `json:"elevation_m"`
	Population uint32   `json:"population"`
	DistanceKm float64  `json:"distance_km,omitempty"`
}

func (h *handlers) view(id uint32) placeView {
	p := &h.g.places[id]
	return placeView{
		ID: p.ID, Name: p.Name, AltNames: p.AltNames, Postcode: p.Postcode,
		Region: p.Region.Name, Country: p.Region.Country, TZ: p.Region.TZ,
		Kind: kindNames[p.Kind], Lat: p.Lat, Lon: p.Lon, Elevation: p.Elevation, Population: p.Population,
	}
}

func (h *handlers) byID(r *http.Request) (uint32, bool) {
	id, err := strconv.ParseUint(r.URL.Query().Get("id"), 10, 32)
	if err != nil || id >= uint64(len(h.g.places)) {
		return 0, false
	}
	return uint32(id), true
}

func (h *handlers) place(w http.ResponseWriter, r *http.Request) {
	lookups.Add(1)
	id, ok := h.byID(r)
	if !ok {
		misses.Add(1)
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such place"})
		return
	}
	v := h.view(id)
	near := make([]placeView, 0, 6)
	for _, n := range h.g.places[id].Neighbours {
		if n != id {
			near = append(near, h.view(n))
		}
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"place": v, "neighbours": near})
}

func (h *handlers) postcode(w http.ResponseWriter, r *http.Request) {
	lookups.Add(1)
	pc := strings.ToUpper(strings.ReplaceAll(r.URL.Query().Get("code"), " ", ""))
	id, ok := h.g.byPostcode[pc]
	if !ok {
		misses.Add(1)
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown postcode"})
		return
	}
	writeJSON(w, http.StatusOK, h.view(id))
}

func (h *handlers) nearby(w http.ResponseWriter, r *http.Request) {
	lookups.Add(1)
	id, ok := h.byID(r)
	if !ok {
		misses.Add(1)
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such place"})
		return
	}
	radius, err := strconv.ParseFloat(r.URL.Query().Get("radius_km"), 64)
	if err != nil || radius <= 0 || radius > 50 {
		radius = 10
	}
	p := &h.g.places[id]
	hits := h.g.within(p.Lat, p.Lon, radius, 20)
	out := make([]placeView, len(hits))
	for i, hit := range hits {
		out[i] = h.view(hit.ID)
		out[i].DistanceKm = hit.Dist
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"origin": id, "radius_km": radius, "places": out})
}

func (h *handlers) regions(w http.ResponseWriter, r *http.Request) {
	cc := strings.ToUpper(r.URL.Query().Get("country"))
	type row struct {
		Code   string `json:"code"`
		Name   string `json:"name"`
		Places int    `json:"places"`
		Pop    uint64 `json:"population"`
	}
	var out []row
	for _, reg := range h.g.regions {
		if cc == "" || reg.Country == cc {
			out = append(out, row{reg.Code, reg.Name, reg.Places, reg.Pop})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
