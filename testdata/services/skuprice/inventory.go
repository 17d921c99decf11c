package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

type stockInfo struct {
	SKU        string `json:"sku"`
	PriceCents int    `json:"price_cents"`
	Available  int    `json:"available"`
	Warehouse  string `json:"warehouse"`
}

// inventoryClient talks to the inventory service's read API.
type inventoryClient struct {
	base   string
	client *http.Client
}

func newInventoryClient(base string, timeout time.Duration) *inventoryClient {
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   2 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
	}
	return &inventoryClient{base: base, client: &http.Client{Transport: tr, Timeout: timeout}}
}

type statusError struct {
	sku    string
	status int
}

func (e *statusError) Error() string { return fmt.Sprintf("inventory: %s: status %d", e.sku, e.status) }

// stock fetches one SKU's price and availability.
func (c *inventoryClient) stock(ctx context.Context, sku string) (stockInfo, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v2/stock/"+url.PathEscape(sku), nil)
	if err != nil {
		return stockInfo{}, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return stockInfo{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return stockInfo{}, &statusError{sku: sku, status: resp.StatusCode}
	}
	var si stockInfo
	if err := json.NewDecoder(resp.Body).Decode(&si); err != nil {
		return stockInfo{}, fmt.Errorf("inventory: %s: %w", sku, err)
	}
	io.Copy(io.Discard, resp.Body)
	return si, nil
}
