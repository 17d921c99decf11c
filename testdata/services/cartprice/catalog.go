package main

import (
	"fmt"
	"math/rand"
	"strings"
)

type priceTier struct {
	MinQty int     `json:"min_qty"`
	Unit   float64 `json:"unit"`
}

type product struct {
	SKU         string            `json:"sku"`
	Name        string            `json:"name"`
	Brand       string            `json:"brand"`
	Category    string            `json:"category"`
	Description string            `json:"description"`
	Attributes  map[string]string `json:"attributes"`
	Images      []string          `json:"images"`
	ListPrice   float64           `json:"list_price"`
	Tiers       []priceTier       `json:"tiers"`
	TaxClass    string            `json:"tax_class"`
	WeightGrams int               `json:"weight_grams"`
}

type catalog struct{ bySKU map[string]*product }

var (
	brands     = []string{"Northwind", "Fabrikam", "Contoso", "Tailspin", "Litware", "Adventure Works"}
	categories = []string{"kitchen", "garden", "tools", "office", "outdoor", "lighting", "bath"}
	words      = strings.Fields("durable lightweight stainless weatherproof compact ergonomic cordless rechargeable adjustable modular premium recycled heavy-duty foldable quiet efficient classic")
)

func buildCatalog(n int) *catalog {
	rng := rand.New(rand.NewSource(3))
	c := &catalog{bySKU: make(map[string]*product, n)}
	for i := 0; i < n; i++ {
		var desc strings.Builder
		for j := 0; j < 70; j++ {
			desc.WriteString(words[rng.Intn(len(words))])
			desc.WriteByte(' ')
		}
		attrs := map[string]string{}
		for _, k := range []string{"color", "material", "finish", "warranty", "origin", "voltage", "size", "pack", "certification", "care"} {
			attrs[k] = words[rng.Intn(len(words))]
		}
		p := &product{
			SKU: fmt.Sprintf("SKU-%05d", i), Name: fmt.Sprintf("%s %s %s", words[rng.Intn(len(words))], categories[i%len(categories)], words[rng.Intn(len(words))]),
			Brand: brands[rng.Intn(len(brands))], Category: categories[i%len(categories)], Description: desc.String(), Attributes: attrs,
			ListPrice: float64(299+rng.Intn(20000)) / 100, TaxClass: []string{"standard", "reduced", "standard", "zero"}[rng.Intn(4)], WeightGrams: 100 + rng.Intn(5000),
		}
		for k := 0; k < 4; k++ {
			p.Images = append(p.Images, fmt.Sprintf("https://cdn.example.com/img/%s/%d-1200x1200.webp", p.SKU, k))
		}
		p.Tiers = []priceTier{{1, p.ListPrice}, {5, p.ListPrice * 0.95}, {10, p.ListPrice * 0.9}, {25, p.ListPrice * 0.85}, {100, p.ListPrice * 0.8}}
		c.bySKU[p.SKU] = p
	}
	return c
}
