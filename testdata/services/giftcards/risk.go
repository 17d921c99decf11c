package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

type riskRequest struct {
	Card     string `json:"card"`
	Merchant string `json:"merchant"`
	Cents    int64  `json:"amountCents"`
	Velocity int    `json:"redemptions24h"`
}

type riskVerdict struct {
	Score    float64 `json:"score"`
	Decision string  `json:"decision"` // approve, review, decline
	Reason   string  `json:"reason,omitempty"`
}

type riskClient struct {
	base string
	http *http.Client
}

func newRiskClient(base string) *riskClient {
	return &riskClient{base: base, http: &http.Client{
		Timeout: 2 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        128,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
		},
	}}
}

// score asks the risk service for a verdict on one redemption.
func (c *riskClient) score(ctx context.Context, in riskRequest) (riskVerdict, error) {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/score", bytes.NewReader(body))
	if err != nil {
		return riskVerdict{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return riskVerdict{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return riskVerdict{}, fmt.Errorf("risk service: %s", resp.Status)
	}
	var v riskVerdict
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return riskVerdict{}, fmt.Errorf("risk service: %v", err)
	}
	return v, nil
}

// startRiskSandbox runs the risk vendor's sandbox on loopback; it answers
// like the real one, with the real one's typical latency.
func startRiskSandbox() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/score", func(w http.ResponseWriter, r *http.Request) {
		var in riskRequest
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		h := crc32.ChecksumIEEE([]byte(in.Card + "|" + in.Merchant))
		time.Sleep(time.Duration(12+h%25) * time.Millisecond)
		v := riskVerdict{Score: float64(h%1000) / 1000, Decision: "approve"}
		switch {
		case in.Cents > 50000 || v.Score > 0.985:
			v.Decision, v.Reason = "decline", "amount or pattern outside policy"
		case v.Score > 0.95:
			v.Decision, v.Reason = "review", "unusual merchant for this card"
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	})
	go func() {
		if err := http.Serve(ln, mux); err != nil {
			log.Printf("risk sandbox: %v", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}
