package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

type RateComponent struct {
	Level string  `json:"level"`
	Name  string  `json:"name"`
	Rate  float64 `json:"rate"`
}

type JurisdictionRate struct {
	PostalCode string          `json:"postalCode"`
	State      string          `json:"state"`
	Components []RateComponent `json:"components"`
	Effective  string          `json:"effective"`
}

func (j JurisdictionRate) Total() float64 {
	var t float64
	for _, c := range j.Components {
		t += c.Rate
	}
	return t
}

var errNoJurisdiction = errors.New("jurisdiction not found")

type taxClient struct {
	base string
	http *http.Client
}

func newTaxClient(base string) *taxClient {
	return &taxClient{
		base: base,
		http: &http.Client{
			Timeout: 20 * time.Second,
			Transport: &http.Transport{
				MaxIdleConns:        64,
				MaxIdleConnsPerHost: 32,
				IdleConnTimeout:     90 * time.Second,
			},
		},
	}
}

// lookupRate asks the provider for the combined rate of a postal code.
func (c *taxClient) lookupRate(zip string) (JurisdictionRate, error) {
	resp, err := c.http.Get(c.base + "/v2/rates/" + url.PathEscape(zip))
	if err != nil {
		return JurisdictionRate{}, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return JurisdictionRate{}, errNoJurisdiction
	default:
		return JurisdictionRate{}, fmt.Errorf("tax provider: %s", resp.Status)
	}
	defer resp.Body.Close()
	var jr JurisdictionRate
	if err := json.NewDecoder(resp.Body).Decode(&jr); err != nil {
		return JurisdictionRate{}, fmt.Errorf("tax provider: %v", err)
	}
	return jr, nil
}
