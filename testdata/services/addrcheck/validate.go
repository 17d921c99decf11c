package main

import (
	"container/list"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"unicode"
)

type address struct {
	Street   string `json:"street"`
	City     string `json:"city"`
	Postcode string `json:"postcode"`
	Country  string `json:"country"`
}

type validation struct {
	Valid      bool     `json:"valid"`
	Normalized address  `json:"normalized"`
	Problems   []string `json:"problems,omitempty"`
	Match      geoMatch `json:"match"`
	Cached     bool     `json:"cached"`
}

type validator struct {
	geo   *geocoder
	cache *resultCache
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

var postcodeLen = map[string][2]int{"DE": {5, 5}, "AT": {4, 4}, "CH": {4, 4}, "FR": {5, 5}, "NL": {6, 7}, "GB": {5, 8}}

var streetAbbrev = strings.NewReplacer("str.", "straße", "Str.", "Straße", "pl.", "platz", "Pl.", "Platz")

// normalize fixes the usual form input problems before anything is looked up.
func normalize(a address) (address, []string) {
	var problems []string
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	a.Street = streetAbbrev.Replace(strings.Join(strings.Fields(a.Street), " "))
	a.City = strings.Join(strings.Fields(a.City), " ")
	a.Postcode = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToUpper(r)
	}, a.Postcode)
	if lim, ok := postcodeLen[a.Country]; !ok {
		problems = append(problems, "unsupported country")
	} else if len(a.Postcode) < lim[0] || len(a.Postcode) > lim[1] {
		problems = append(problems, "postcode length")
	}
	if a.Street == "" || !strings.ContainsAny(a.Street, "0123456789") {
		problems = append(problems, "street needs a house number")
	}
	return a, problems
}

func decodeAddress(w http.ResponseWriter, r *http.Request) (address, bool) {
	var a address
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return a, false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&a); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON"})
		return a, false
	}
	return a, true
}

func (v *validator) handleNormalize(w http.ResponseWriter, r *http.Request) {
	a, ok := decodeAddress(w, r)
	if !ok {
		return
	}
	n, problems := normalize(a)
	writeJSON(w, http.StatusOK, validation{Valid: len(problems) == 0, Normalized: n, Problems: problems})
}

func (v *validator) handleValidate(w http.ResponseWriter, r *http.Request) {
	a, ok := decodeAddress(w, r)
	if !ok {
		return
	}
	n, problems := normalize(a)
	res := validation{Normalized: n, Problems: problems}
	if len(problems) > 0 {
		writeJSON(w, http.StatusOK, res)
		return
	}
	key := n.Country + "|" + n.Postcode + "|" + strings.ToLower(n.Street)
	if m, ok := v.cache.get(key); ok {
		res.Match, res.Cached, res.Valid = m, true, m.Found
		writeJSON(w, http.StatusOK, res)
		return
	}
	m, err := v.geo.lookup(n)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	v.cache.put(key, m)
	res.Match, res.Valid = m, m.Found && m.Confidence >= 0.75
	writeJSON(w, http.StatusOK, res)
}

func handleCountries(w http.ResponseWriter, r *http.Request) {
	out := make([]string, 0, len(postcodeLen))
	for c := range postcodeLen {
		out = append(out, c)
	}
	writeJSON(w, http.StatusOK, out)
}

func (v *validator) handleCacheStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, v.cache.stats())
}

// resultCache is a small LRU of geocoder answers.
type resultCache struct {
	mu         sync.Mutex
	max        int
	ll         *list.List
	items      map[string]*list.Element
	hits, miss int
}

type cacheItem struct {
	key string
	m   geoMatch
}

func newResultCache(max int) *resultCache {
	return &resultCache{max: max, ll: list.New(), items: map[string]*list.Element{}}
}

func (c *resultCache) get(key string) (geoMatch, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.ll.MoveToFront(e)
		c.hits++
		return e.Value.(*cacheItem).m, true
	}
	c.miss++
	return geoMatch{}, false
}

func (c *resultCache) put(key string, m geoMatch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*cacheItem).m = m
		c.ll.MoveToFront(e)
		return
	}
	c.items[key] = c.ll.PushFront(&cacheItem{key, m})
	if c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*cacheItem).key)
	}
}

func (c *resultCache) stats() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return map[string]int{"entries": c.ll.Len(), "hits": c.hits, "misses": c.miss}
}
