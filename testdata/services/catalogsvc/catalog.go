package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

type Product struct {
	ID          int64     `json:"id"`
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Category    string    `json:"category"`
	PriceCents  int64     `json:"price_cents"`
	Tags        []string  `json:"tags,omitempty"`
	Description string    `json:"description,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`

	lowerName string
}

var (
	errNotFound  = errors.New("product not found")
	errDuplicate = errors.New("sku already exists")
	errInvalid   = errors.New("invalid product")
)

var categories = []string{"kitchen", "garden", "tools", "office", "toys", "outdoor", "lighting", "storage"}

var adjectives = []string{"compact", "deluxe", "classic", "portable", "heavy-duty", "eco", "smart", "vintage"}
var nouns = []string{"lamp", "kettle", "shelf", "drill", "planter", "chair", "organizer", "lantern", "mug", "tent"}

type catalog struct {
	mu     sync.RWMutex
	nextID int64
	byID   map[int64]*Product
	bySKU  map[string]*Product
	byCat  map[string][]int64
	byTerm map[string][]int64
}

func newCatalog() *catalog {
	return &catalog{
		nextID: 1,
		byID:   make(map[int64]*Product),
		bySKU:  make(map[string]*Product),
		byCat:  make(map[string][]int64),
		byTerm: make(map[string][]int64),
	}
}

func (c *catalog) seed(n int) {
	now := time.Now().UTC()
	for i := 0; i < n; i++ {
		p := Product{
			SKU:        fmt.Sprintf("SEED-%05d", i),
			Name:       adjectives[i%len(adjectives)] + " " + nouns[(i/3)%len(nouns)],
			Category:   categories[i%len(categories)],
			PriceCents: int64(499 + (i*37)%20000),
			Tags:       []string{nouns[(i/3)%len(nouns)], categories[i%len(categories)]},
			UpdatedAt:  now,
		}
		if _, err := c.add(p); err != nil {
			panic(err)
		}
	}
}

func (c *catalog) add(p Product) (*Product, error) {
	p.SKU = strings.TrimSpace(p.SKU)
	if p.SKU == "" || p.Name == "" || p.PriceCents < 0 {
		return nil, errInvalid
	}
	if p.Category == "" {
		p.Category = "uncategorized"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.bySKU[p.SKU]; ok {
		return nil, errDuplicate
	}
	p.lowerName = strings.ToLower(p.Name)
	p.ID = c.nextID
	c.nextID++
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = time.Now().UTC()
	}
	stored := p
	c.byID[p.ID] = &stored
	c.bySKU[p.SKU] = &stored
	c.byCat[p.Category] = append(c.byCat[p.Category], p.ID)
	for _, t := range indexTerms(&stored) {
		c.byTerm[t] = append(c.byTerm[t], p.ID)
	}
	return &stored, nil
}

func (c *catalog) get(id int64) (Product, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.byID[id]
	if !ok {
		return Product{}, errNotFound
	}
	return *p, nil
}

func (c *catalog) inCategory(cat string, limit int) []Product {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ids := c.byCat[cat]
	out := make([]Product, 0, minInt(limit, len(ids)))
	for i := len(ids) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, *c.byID[ids[i]])
	}
	return out
}

func (c *catalog) categoryCounts() map[string]int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(map[string]int, len(c.byCat))
	for k, v := range c.byCat {
		out[k] = len(v)
	}
	return out
}

type searchHit struct {
	Product
	Score int `json:"score"`
}

func (c *catalog) search(q string, limit int) []searchHit {
	terms := strings.Fields(strings.ToLower(q))
	if len(terms) == 0 {
		return nil
	}
	scores := make(map[int64]int)
	c.mu.RLock()
	for _, t := range terms {
		for _, id := range c.byTerm[t] {
			scores[id]++
		}
	}
	hits := make([]searchHit, 0, len(scores))
	for id, score := range scores {
		hits = append(hits, searchHit{Product: *c.byID[id], Score: score})
	}
	c.mu.RUnlock()
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].ID < hits[j].ID
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

func indexTerms(p *Product) []string {
	seen := make(map[string]bool)
	var out []string
	for _, w := range strings.Fields(p.lowerName) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, t := range p.Tags {
		t = strings.ToLower(t)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}
