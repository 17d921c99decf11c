package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

type carrierConfig struct {
	Name    string
	BaseURL string
	APIKey  string
	Timeout time.Duration
}

type carrierClient struct {
	cfg    carrierConfig
	dialer *net.Dialer
}

func newCarrierClient(cfg carrierConfig) *carrierClient {
	return &carrierClient{
		cfg:    cfg,
		dialer: &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second},
	}
}

type rateRequest struct {
	FromPostcode string `json:"from_postcode"`
	ToPostcode   string `json:"to_postcode"`
	Country      string `json:"country"`
	WeightGrams  int    `json:"weight_grams"`
	Service      string `json:"service,omitempty"`
}

type rateResponse struct {
	Carrier    string `json:"carrier"`
	Service    string `json:"service"`
	PriceCents int    `json:"price_cents"`
	Currency   string `json:"currency"`
	Days       int    `json:"transit_days"`
}

type carrierError struct {
	Carrier string
	Status  int
	Body    string
}

func (e *carrierError) Error() string {
	return fmt.Sprintf("%s: status %d: %s", e.Carrier, e.Status, e.Body)
}

// rate asks the carrier's rating endpoint for the available services.
func (c *carrierClient) rate(ctx context.Context, req rateRequest) ([]rateResponse, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{
		DialContext:           c.dialer.DialContext,
		ResponseHeaderTimeout: c.cfg.Timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: c.cfg.Timeout}

	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+"/v2/rates", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("X-Api-Key", c.cfg.APIKey)
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, &carrierError{Carrier: c.cfg.Name, Status: resp.StatusCode, Body: string(b)}
	}
	var out struct {
		Rates []rateResponse `json:"rates"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("%s: decode: %w", c.cfg.Name, err)
	}
	for i := range out.Rates {
		out.Rates[i].Carrier = c.cfg.Name
	}
	return out.Rates, nil
}
