package main

import (
	"hash/fnv"
	"math"
	"sort"
)

// seriesSource stands in for the metrics store: a deterministic series per name.
type seriesSource struct{}

func newSeriesSource() *seriesSource { return &seriesSource{} }

func (s *seriesSource) points(name string, n int) []float64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	seed := h.Sum64()
	base := float64(seed%1000) / 10
	amp := 5 + float64(seed%97)
	period := 12 + float64(seed%31)
	out := make([]float64, n)
	x := seed
	for i := range out {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		noise := float64(x%1000)/1000 - 0.5
		out[i] = base + amp*math.Sin(2*math.Pi*float64(i)/period) + amp*0.3*noise
	}
	return out
}

type summary struct {
	Name string  `json:"name"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	Last float64 `json:"last"`
}

func summarize(name string, pts []float64) summary {
	s := summary{Name: name, Min: math.Inf(1), Max: math.Inf(-1), Last: pts[len(pts)-1]}
	sum := 0.0
	for _, p := range pts {
		sum += p
		s.Min = math.Min(s.Min, p)
		s.Max = math.Max(s.Max, p)
	}
	s.Mean = sum / float64(len(pts))
	sorted := append([]float64(nil), pts...)
	sort.Float64s(sorted)
	s.P50 = sorted[len(sorted)/2]
	s.P95 = sorted[len(sorted)*95/100]
	return s
}
