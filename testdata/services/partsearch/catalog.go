package main

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"unicode"
)

type Part struct {
	ID       int      `json:"id"`
	SKU      string   `json:"sku"`
	Name     string   `json:"name"`
	Brand    string   `json:"brand"`
	Category string   `json:"category"`
	Fits     []string `json:"fits"`
	Price    float64  `json:"price"`
	Stock    int      `json:"stock"`
	tokens   []string
}

type Hit struct {
	ID    int     `json:"id"`
	SKU   string  `json:"sku"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
	Stock int     `json:"stock"`
	Score int     `json:"score"`
}

var (
	catalog    []Part
	postings   map[string][]int32
	vocabulary []string
)

var (
	brands     = []string{"Bosch", "Brembo", "Valeo", "Denso", "Mahle", "Febi", "Lemforder", "Sachs", "Gates", "NGK", "Hella", "Mann"}
	positions  = []string{"front", "rear", "left", "right", "upper", "lower", "inner", "outer"}
	partTypes  = []string{"brake pad set", "brake disc", "brake caliper", "shock absorber", "control arm", "tie rod end", "wheel bearing kit", "timing belt kit", "water pump", "spark plug", "oil filter", "air filter", "cabin filter", "fuel pump", "alternator", "starter motor", "radiator", "thermostat", "clutch kit", "drive shaft", "cv joint kit", "headlight", "tail light", "wiper blade"}
	attributes = []string{"ceramic", "sport", "heavy duty", "oem", "premium", "economy", "coated", "vented", "reinforced", "low dust", "performance", "standard"}
	vehicles   = []string{"Golf VII", "Passat B8", "Octavia III", "Focus Mk3", "Fiesta", "Corolla E210", "Civic X", "Clio IV", "Megane III", "A3 8V", "3 Series F30", "C-Class W205", "Astra K", "Corsa E", "i30 PD", "Ceed CD"}
)

func tokenize(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// loadCatalog builds the in-memory catalogue and its inverted index.
func loadCatalog(n int) {
	rng := rand.New(rand.NewSource(20240611))
	catalog = make([]Part, 0, n)
	postings = make(map[string][]int32)
	for i := 0; i < n; i++ {
		pos := positions[rng.Intn(len(positions))]
		typ := partTypes[rng.Intn(len(partTypes))]
		attr := attributes[rng.Intn(len(attributes))]
		brand := brands[rng.Intn(len(brands))]
		fits := []string{vehicles[rng.Intn(len(vehicles))], vehicles[rng.Intn(len(vehicles))]}
		p := Part{
			ID:       i + 1,
			SKU:      fmt.Sprintf("%s-%06d", strings.ToUpper(brand[:3]), 100000+i*7),
			Name:     fmt.Sprintf("%s %s %s %s", brand, pos, attr, typ),
			Brand:    brand,
			Category: typ,
			Fits:     fits,
			Price:    float64(500+rng.Intn(40000)) / 100,
			Stock:    rng.Intn(60) - 10,
		}
		if p.Stock < 0 {
			p.Stock = 0
		}
		p.tokens = tokenize(p.Name + " " + strings.Join(fits, " "))
		seen := map[string]bool{}
		for _, t := range p.tokens {
			if seen[t] {
				continue
			}
			seen[t] = true
			postings[t] = append(postings[t], int32(i))
		}
		catalog = append(catalog, p)
	}
	vocabulary = make([]string, 0, len(postings))
	for t := range postings {
		vocabulary = append(vocabulary, t)
	}
	sort.Strings(vocabulary)
}

func partByID(id int) (Part, bool) {
	if id < 1 || id > len(catalog) {
		return Part{}, false
	}
	return catalog[id-1], true
}

func suggest(prefix string, max int) []string {
	i := sort.SearchStrings(vocabulary, prefix)
	var out []string
	for ; i < len(vocabulary) && len(out) < max; i++ {
		if !strings.HasPrefix(vocabulary[i], prefix) {
			break
		}
		out = append(out, vocabulary[i])
	}
	return out
}
