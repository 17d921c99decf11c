package main

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
)

type WeightBand struct {
	MaxKg float64 `json:"maxKg"`
	Price float64 `json:"price"`
}

// Lane is one origin zone -> destination zone offer of one carrier service.
type Lane struct {
	Origin     string             `json:"origin"`
	Dest       string             `json:"dest"`
	Carrier    string             `json:"carrier"`
	Service    string             `json:"service"`
	TransitDay int                `json:"transitDays"`
	Bands      []WeightBand       `json:"bands"`
	Surcharges map[string]float64 `json:"surcharges,omitempty"`
	Notes      string             `json:"notes,omitempty"`
}

type rateTable struct {
	byRoute map[string][]*Lane // "origin>dest"
	origins []string
	dests   []string
	lanes   int
}

var table *rateTable

var carriers = []struct{ name, service string }{
	{"DHL", "Parcel"}, {"DHL", "Express"}, {"DPD", "Classic"}, {"GLS", "Business"},
	{"UPS", "Standard"}, {"UPS", "Saver"}, {"Hermes", "Home"}, {"FedEx", "Economy"},
}

// loadRateTable builds the in-memory lane table from the nightly carrier
// tariff export (synthesised here with a fixed seed).
func loadRateTable(origins, dests int) *rateTable {
	rng := rand.New(rand.NewSource(99))
	t := &rateTable{byRoute: make(map[string][]*Lane, origins*dests)}
	for d := 0; d < dests; d++ {
		t.dests = append(t.dests, fmt.Sprintf("%s-%02d", []string{"DE", "FR", "NL", "BE", "AT", "PL", "IT", "ES", "DK", "CZ"}[d%10], d/10))
	}
	for o := 0; o < origins; o++ {
		origin := fmt.Sprintf("DE-%03d", o)
		t.origins = append(t.origins, origin)
		for _, dest := range t.dests {
			n := 1 + rng.Intn(3)
			lanes := make([]*Lane, 0, n)
			for i := 0; i < n; i++ {
				c := carriers[rng.Intn(len(carriers))]
				l := &Lane{
					Origin:     origin,
					Dest:       dest,
					Carrier:    c.name,
					Service:    c.service,
					TransitDay: 1 + rng.Intn(5),
					Bands:      make([]WeightBand, 6),
				}
				base := 3.5 + rng.Float64()*6
				for b := range l.Bands {
					l.Bands[b] = WeightBand{MaxKg: []float64{1, 2, 5, 10, 20, 31.5}[b], Price: base * (1 + 0.35*float64(b))}
				}
				if rng.Intn(4) == 0 {
					l.Surcharges = map[string]float64{"fuel": 0.05 + rng.Float64()*0.1, "peak": rng.Float64()}
				}
				if rng.Intn(8) == 0 {
					l.Notes = fmt.Sprintf("no pickup on %s", []string{"Saturday", "Sunday", "public holidays"}[rng.Intn(3)])
				}
				lanes = append(lanes, l)
				t.lanes++
			}
			t.byRoute[origin+">"+dest] = lanes
		}
	}
	sort.Strings(t.dests)
	return t
}

func (t *rateTable) lanesFor(origin, dest string) []*Lane {
	return t.byRoute[strings.ToUpper(origin)+">"+strings.ToUpper(dest)]
}

func (t *rateTable) cheapestFrom(origin string, kg float64, limit int) []Offer {
	var offers []Offer
	for _, d := range t.dests {
		for _, l := range t.byRoute[origin+">"+d] {
			if p, ok := l.price(kg); ok {
				offers = append(offers, Offer{Lane: l, Price: p})
			}
		}
	}
	sort.Slice(offers, func(i, j int) bool { return offers[i].Price < offers[j].Price })
	if len(offers) > limit {
		offers = offers[:limit]
	}
	return offers
}

type Offer struct {
	Lane  *Lane   `json:"lane"`
	Price float64 `json:"price"`
}

func (l *Lane) price(kg float64) (float64, bool) {
	for _, b := range l.Bands {
		if kg <= b.MaxKg {
			p := b.Price
			for _, s := range l.Surcharges {
				p *= 1 + s
			}
			return float64(int(p*100+0.5)) / 100, true
		}
	}
	return 0, false
}
