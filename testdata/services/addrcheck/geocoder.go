package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

type geoMatch struct {
	Found      bool    `json:"found"`
	Formatted  string  `json:"formatted"`
	Lat        float64 `json:"lat"`
	Lon        float64 `json:"lon"`
	Precision  string  `json:"precision"` // rooftop, street, postcode
	Confidence float64 `json:"confidence"`
}

type geocoder struct {
	base   string
	client *http.Client
}

func newGeocoder(base string) *geocoder {
	return &geocoder{base: base, client: &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 32,
	}}}
}

// lookup asks the vendor whether the normalised address exists.
func (g *geocoder) lookup(a address) (geoMatch, error) {
	q := url.Values{}
	q.Set("street", a.Street)
	q.Set("city", a.City)
	q.Set("postcode", a.Postcode)
	q.Set("country", a.Country)
	resp, err := g.client.Get(g.base + "/v3/geocode?" + q.Encode())
	if err != nil {
		return geoMatch{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return geoMatch{}, fmt.Errorf("geocoder: %s", resp.Status)
	}
	var m geoMatch
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return geoMatch{}, fmt.Errorf("geocoder: %v", err)
	}
	return m, nil
}
