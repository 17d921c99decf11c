package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

var errUnknownSKU = errors.New("sku not in price list")

type promotion struct {
	Code       string `json:"code"`
	PercentOff int    `json:"percent_off"`
	MinQty     int    `json:"min_qty"`
}

type priceEntry struct {
	ListPence int         `json:"list_pence"`
	Promos    []promotion `json:"promos,omitempty"`
}

type priceList struct {
	Region    string                `json:"region"`
	Version   int64                 `json:"version"`
	Generated time.Time             `json:"generated"`
	VATRate   float64               `json:"vat_rate"`
	Prices    map[string]priceEntry `json:"prices"`
}

// unitPrice returns the best unit price for qty units of sku and the promotion
// that produced it, if any.
func (l *priceList) unitPrice(sku string, qty int) (int, string, error) {
	e, ok := l.Prices[sku]
	if !ok {
		return 0, "", fmt.Errorf("%w: %s", errUnknownSKU, sku)
	}
	best, code := e.ListPence, ""
	for _, p := range e.Promos {
		if qty < p.MinQty {
			continue
		}
		if v := e.ListPence * (100 - p.PercentOff) / 100; v < best {
			best, code = v, p.Code
		}
	}
	return best, code, nil
}

type priceListCache struct {
	url    string
	maxAge time.Duration
	client *http.Client

	mu      sync.RWMutex
	list    *priceList
	fetched time.Time
	fails   int
}

func newPriceListCache(url string, maxAge time.Duration) *priceListCache {
	return &priceListCache{url: url, maxAge: maxAge, client: &http.Client{Timeout: 2 * time.Second}}
}

// current returns the price list, re-fetching it from the pricing engine first
// when the cached copy is older than maxAge.
func (c *priceListCache) current(ctx context.Context) (*priceList, error) {
	c.mu.RLock()
	l, fetched := c.list, c.fetched
	c.mu.RUnlock()
	if l != nil && time.Since(fetched) < c.maxAge {
		return l, nil
	}
	return c.refresh(ctx)
}

func (c *priceListCache) refresh(ctx context.Context) (*priceList, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.list != nil && time.Since(c.fetched) < c.maxAge {
		return c.list, nil
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, c.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if c.list != nil {
		req.Header.Set("X-Known-Version", fmt.Sprint(c.list.Version))
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return c.fallback(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return c.fallback(fmt.Errorf("pricing engine: %s", resp.Status))
	}
	var l priceList
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		return c.fallback(err)
	}
	c.list, c.fetched, c.fails = &l, time.Now(), 0
	return c.list, nil
}

func (c *priceListCache) fallback(err error) (*priceList, error) {
	c.fails++
	if c.list != nil && time.Since(c.fetched) < time.Minute {
		return c.list, nil
	}
	return nil, err
}

func (c *priceListCache) status() (version int64, age time.Duration, fails int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.list == nil {
		return 0, -1, c.fails
	}
	return c.list.Version, time.Since(c.fetched), c.fails
}
