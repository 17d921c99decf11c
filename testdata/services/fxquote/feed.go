package main

import (
	"math"
	"math/rand"
	"strings"
	"sync"
	"time"
)

// rateFeed stands in for the market data provider: a mid rate per pair and
// the recent tick history used for charts.
type rateFeed struct {
	mu      sync.Mutex
	base    map[string]float64
	rng     *rand.Rand
	latency time.Duration
}

func newRateFeed(latency time.Duration) *rateFeed {
	return &rateFeed{
		base: map[string]float64{
			"EURUSD": 1.0842, "GBPUSD": 1.2671, "USDJPY": 151.37, "USDCHF": 0.9012,
			"EURGBP": 0.8557, "AUDUSD": 0.6534, "USDCAD": 1.3561, "EURJPY": 164.12,
		},
		rng:     rand.New(rand.NewSource(42)),
		latency: latency,
	}
}

func (f *rateFeed) pairs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.base))
	for p := range f.base {
		out = append(out, p)
	}
	return out
}

// mid returns the current mid rate for from/to, inverting if needed.
func (f *rateFeed) mid(from, to string) (float64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	from, to = strings.ToUpper(from), strings.ToUpper(to)
	if r, ok := f.base[from+to]; ok {
		return r * (1 + (f.rng.Float64()-0.5)*0.0004), true
	}
	if r, ok := f.base[to+from]; ok {
		return 1 / (r * (1 + (f.rng.Float64()-0.5)*0.0004)), true
	}
	return 0, false
}

// history fetches the last n ticks for the pair from the provider.
func (f *rateFeed) history(from, to string, n int) ([]float64, bool) {
	m, ok := f.mid(from, to)
	if !ok {
		return nil, false
	}
	time.Sleep(f.latency)
	out := make([]float64, n)
	phase := float64(time.Now().UnixNano()%1e9) / 1e9
	for i := range out {
		t := float64(i) / float64(n)
		out[i] = m * (1 + 0.002*math.Sin(2*math.Pi*(t*3+phase)) + 0.0007*math.Cos(2*math.Pi*t*17))
	}
	return out, true
}
