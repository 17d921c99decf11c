package main

import (
	"fmt"
	"math/rand"
	"sort"
)

type item struct {
	SKU     string `json:"sku"`
	Title   string `json:"title"`
	Brand   string `json:"brand"`
	PriceP  int    `json:"price_pence"`
	WeightG int    `json:"weight_g"`
	Reorder int    `json:"reorder_point"`
	Discont bool   `json:"discontinued"`
}

type catalog struct {
	items map[string]*item
	skus  []string
}

var brands = []string{"Acme", "Northwind", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay"}
var kinds = []string{"kettle", "toaster", "blender", "fan", "heater", "lamp", "clock", "scale"}

var warehouses = []string{"LHR1", "MAN2", "BHX1", "GLA1", "BRS3", "LDS1", "NCL2", "CWL1"}

func loadCatalog(n int) *catalog {
	rng := rand.New(rand.NewSource(7))
	c := &catalog{items: make(map[string]*item, n)}
	for i := 0; i < n; i++ {
		it := &item{
			SKU:     fmt.Sprintf("A%d", i),
			Title:   fmt.Sprintf("%s %s %d", brands[i%len(brands)], kinds[i%len(kinds)], 100+i%900),
			Brand:   brands[i%len(brands)],
			PriceP:  999 + rng.Intn(20000),
			WeightG: 200 + rng.Intn(5000),
			Reorder: 5 + rng.Intn(40),
			Discont: i%97 == 0,
		}
		c.items[it.SKU] = it
		c.skus = append(c.skus, it.SKU)
	}
	sort.Strings(c.skus)
	return c
}

func (c *catalog) get(sku string) (*item, bool) {
	it, ok := c.items[sku]
	return it, ok
}
