package main

import (
	"fmt"
	"math/rand"
	"strings"
)

type menuItem struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	PriceCents  int      `json:"price_cents"`
	Allergens   []string `json:"allergens,omitempty"`
	Vegetarian  bool     `json:"vegetarian"`
	Available   bool     `json:"available"`
}

type menuSection struct {
	Title string     `json:"title"`
	Items []menuItem `json:"items"`
}

type restaurant struct {
	ID       string        `json:"id"`
	Name     string        `json:"name"`
	Cuisine  string        `json:"cuisine"`
	Sections []menuSection `json:"sections"`
	byItem   map[string]*menuItem
}

type menuBook struct {
	byID     map[string]*restaurant
	ordered  []*restaurant
	wordToID map[string][]string
}

var (
	cuisines  = []string{"thai", "pizza", "sushi", "burgers", "indian", "vegan", "mexican", "greek"}
	dishes    = []string{"green curry", "pad see ew", "margherita", "calzone", "salmon nigiri", "katsu don", "smash burger", "fries", "dal makhani", "paneer tikka", "falafel wrap", "burrito", "tacos al pastor", "souvlaki", "moussaka", "tofu bowl", "ramen", "spring rolls", "lassi", "tiramisu"}
	allergens = []string{"gluten", "milk", "egg", "peanut", "soy", "fish", "sesame", "celery"}
)

func buildMenus(n int) *menuBook {
	rng := rand.New(rand.NewSource(7))
	mb := &menuBook{byID: map[string]*restaurant{}, wordToID: map[string][]string{}}
	for i := 0; i < n; i++ {
		r := &restaurant{ID: fmt.Sprintf("r%d", i), Cuisine: cuisines[i%len(cuisines)], byItem: map[string]*menuItem{}}
		r.Name = fmt.Sprintf("%s kitchen %d", strings.Title(r.Cuisine), i)
		for s, title := range []string{"Starters", "Mains", "Sides", "Desserts"} {
			sec := menuSection{Title: title}
			for k := 0; k < 5+rng.Intn(6); k++ {
				d := dishes[rng.Intn(len(dishes))]
				it := menuItem{
					ID:          fmt.Sprintf("i%d-%d-%d", i, s, k),
					Name:        strings.Title(d),
					Description: fmt.Sprintf("Our %s, made fresh to order with seasonal ingredients.", d),
					PriceCents:  350 + rng.Intn(2200),
					Vegetarian:  rng.Intn(3) == 0,
					Available:   rng.Intn(12) != 0,
				}
				for a := 0; a < rng.Intn(3); a++ {
					it.Allergens = append(it.Allergens, allergens[rng.Intn(len(allergens))])
				}
				sec.Items = append(sec.Items, it)
			}
			r.Sections = append(r.Sections, sec)
		}
		for s := range r.Sections {
			for k := range r.Sections[s].Items {
				it := &r.Sections[s].Items[k]
				r.byItem[it.ID] = it
				for _, w := range strings.Fields(strings.ToLower(it.Name)) {
					mb.wordToID[w] = appendOnce(mb.wordToID[w], r.ID)
				}
			}
		}
		mb.byID[r.ID] = r
		mb.ordered = append(mb.ordered, r)
	}
	return mb
}

func appendOnce(xs []string, s string) []string {
	if len(xs) > 0 && xs[len(xs)-1] == s {
		return xs
	}
	return append(xs, s)
}
