package main

import (
	"sort"
)

// appendUnique adds the ids from src that are not yet in dst.
func appendUnique(dst, src []int32) []int32 {
	for _, id := range src {
		dup := false
		for _, have := range dst {
			if have == id {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, id)
		}
	}
	return dst
}

func candidates(terms []string) []int32 {
	var ids []int32
	for _, t := range terms {
		ids = appendUnique(ids, postings[t])
	}
	return ids
}

func score(p *Part, terms []string) int {
	s := 0
	for _, t := range terms {
		for _, pt := range p.tokens {
			if pt == t {
				s++
				break
			}
		}
	}
	return s
}

func searchParts(q string, inStock bool, limit, offset int) ([]Hit, int) {
	terms := tokenize(q)
	ids := candidates(terms)
	hits := make([]Hit, 0, len(ids))
	for _, id := range ids {
		p := &catalog[id]
		if inStock && p.Stock == 0 {
			continue
		}
		hits = append(hits, Hit{ID: p.ID, SKU: p.SKU, Name: p.Name, Price: p.Price, Stock: p.Stock, Score: score(p, terms)})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		if hits[i].Price != hits[j].Price {
			return hits[i].Price < hits[j].Price
		}
		return hits[i].ID < hits[j].ID
	})
	total := len(hits)
	if offset >= total {
		return []Hit{}, total
	}
	hits = hits[offset:]
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, total
}
