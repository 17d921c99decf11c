package main

import (
	"fmt"
	"math/rand"
)

var categories = []string{
	"kitchen", "garden", "toys", "books", "audio", "office", "outdoor", "bath",
	"lighting", "pets", "tools", "sports", "baby", "beauty", "storage", "textiles",
}

type product struct {
	SKU      string
	Title    string
	Category string
	Brand    string
	Price    int // cents
	Units    int64
	Revenue  int64
}

// loadCatalogue stands in for the nightly export from the product database:
// every product with the units sold so far this season.
func loadCatalogue(n int) []*product {
	rng := rand.New(rand.NewSource(42))
	brands := []string{"Nordal", "Kitto", "Haverly", "Ostra", "Bramble", "Quill", "Tessel", "Umbra"}
	out := make([]*product, n)
	for i := range out {
		cat := categories[rng.Intn(len(categories))]
		price := 199 + rng.Intn(40000)
		// a long tail: most products sell a few units, a few sell thousands
		units := int64(rng.ExpFloat64() * 40)
		if rng.Intn(50) == 0 {
			units += int64(rng.Intn(5000))
		}
		out[i] = &product{
			SKU:      fmt.Sprintf("SKU-%06d", i),
			Title:    fmt.Sprintf("%s %s item %d", brands[i%len(brands)], cat, i),
			Category: cat,
			Brand:    brands[i%len(brands)],
			Price:    price,
			Units:    units,
			Revenue:  units * int64(price),
		}
	}
	return out
}
