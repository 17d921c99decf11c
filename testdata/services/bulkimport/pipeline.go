package main

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

type Item struct {
	SKU      string   `json:"sku"`
	Title    string   `json:"title"`
	Price    float64  `json:"price"`
	Qty      int      `json:"qty"`
	Tags     []string `json:"tags"`
	Supplier string   `json:"supplier"`
}

type ItemError struct {
	Index int    `json:"index"`
	SKU   string `json:"sku"`
	Error string `json:"error"`
}

type Job struct {
	ID       string      `json:"id"`
	Status   string      `json:"status"`
	Items    int         `json:"items"`
	Imported int         `json:"imported"`
	Errors   []ItemError `json:"errors,omitempty"`
	Started  time.Time   `json:"started"`
	Finished *time.Time  `json:"finished,omitempty"`

	mu   sync.Mutex
	done chan struct{}
}

func (j *Job) snapshot() Job {
	j.mu.Lock()
	defer j.mu.Unlock()
	return Job{ID: j.ID, Status: j.Status, Items: j.Items, Imported: j.Imported, Errors: append([]ItemError(nil), j.Errors...), Started: j.Started, Finished: j.Finished}
}

// Pipeline imports catalogue items into the product store.
type Pipeline struct {
	store *productStore

	mu    sync.Mutex
	jobs  map[string]*Job
	order []string
	seq   int
}

func NewPipeline(store *productStore) *Pipeline {
	return &Pipeline{store: store, jobs: make(map[string]*Job)}
}

var (
	errNoSKU    = errors.New("sku is required")
	errBadQty   = errors.New("qty must be positive")
	errBadPrice = errors.New("price must be positive")
)

func validateItem(it Item) error {
	switch {
	case strings.TrimSpace(it.SKU) == "":
		return errNoSKU
	case it.Qty <= 0:
		return errBadQty
	case it.Price <= 0:
		return errBadPrice
	}
	return nil
}

func normalize(it Item) Item {
	it.SKU = strings.ToUpper(strings.TrimSpace(it.SKU))
	it.Title = strings.Join(strings.Fields(it.Title), " ")
	for i, t := range it.Tags {
		it.Tags[i] = strings.ToLower(strings.TrimSpace(t))
	}
	return it
}

// Submit registers a job for the items and starts importing them.
func (p *Pipeline) Submit(items []Item) *Job {
	p.mu.Lock()
	p.seq++
	j := &Job{ID: fmt.Sprintf("imp-%d", p.seq), Status: "running", Items: len(items), Started: time.Now().UTC(), done: make(chan struct{})}
	p.jobs[j.ID] = j
	p.order = append(p.order, j.ID)
	if len(p.order) > 5000 {
		for _, id := range p.order[:1000] {
			delete(p.jobs, id)
		}
		p.order = append([]string(nil), p.order[1000:]...)
	}
	p.mu.Unlock()
	go p.runBatch(j, items)
	return j
}

// runBatch imports all items of a job concurrently and marks the job done.
func (p *Pipeline) runBatch(j *Job, items []Item) {
	var wg sync.WaitGroup
	wg.Add(len(items))
	for i, it := range items {
		go func(i int, it Item) {
			if err := validateItem(it); err != nil {
				j.mu.Lock()
				j.Errors = append(j.Errors, ItemError{Index: i, SKU: it.SKU, Error: err.Error()})
				j.mu.Unlock()
				return
			}
			p.store.upsert(normalize(it))
			j.mu.Lock()
			j.Imported++
			j.mu.Unlock()
			wg.Done()
		}(i, it)
	}
	wg.Wait()
	now := time.Now().UTC()
	j.mu.Lock()
	j.Status = "completed"
	if len(j.Errors) > 0 {
		j.Status = "completed_with_errors"
	}
	j.Finished = &now
	j.mu.Unlock()
	close(j.done)
}

func (p *Pipeline) Job(id string) (*Job, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	j, ok := p.jobs[id]
	return j, ok
}
