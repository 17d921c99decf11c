package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

type event struct {
	ID       string          `json:"id"`
	Account  string          `json:"account"`
	Type     string          `json:"type"`
	Created  time.Time       `json:"created"`
	Data     json.RawMessage `json:"data"`
	Livemode bool            `json:"livemode"`
}

type deliveryResult struct {
	Endpoint string `json:"endpoint"`
	Status   int    `json:"status"`
	Attempts int    `json:"attempts"`
	Millis   int64  `json:"ms"`
	Receipt  string `json:"receipt,omitempty"`
	Error    string `json:"error,omitempty"`
}

type deliverer struct {
	client      *http.Client
	maxAttempts int
	backoff     time.Duration
}

func newDeliverer(maxAttempts int) *deliverer {
	return &deliverer{
		maxAttempts: maxAttempts,
		backoff:     150 * time.Millisecond,
		client: &http.Client{
			Timeout: 30 * time.Second,
			Transport: &http.Transport{
				MaxIdleConns:        256,
				MaxIdleConnsPerHost: 64,
				IdleConnTimeout:     90 * time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

func sign(secret, ts string, payload []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(payload)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// send delivers one event to one endpoint. Endpoints that answer 429 or 503
// are retried after a pause, up to maxAttempts.
func (d *deliverer) send(ep endpoint, ev event) deliveryResult {
	start := time.Now()
	res := deliveryResult{Endpoint: ep.ID}
	payload, err := json.Marshal(ev)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	var resp *http.Response
	for attempt := 1; ; attempt++ {
		res.Attempts = attempt
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, err := http.NewRequest(http.MethodPost, ep.URL, bytes.NewReader(payload))
		if err != nil {
			res.Error = err.Error()
			return res
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "hookrelay/2.3")
		req.Header.Set("Hook-Id", ev.ID)
		req.Header.Set("Hook-Attempt", strconv.Itoa(attempt))
		req.Header.Set("Hook-Signature", sign(ep.Secret, ts, payload))
		resp, err = d.client.Do(req)
		if err != nil {
			if attempt < d.maxAttempts {
				time.Sleep(d.backoff * time.Duration(attempt))
				continue
			}
			res.Error = err.Error()
			res.Millis = time.Since(start).Milliseconds()
			return res
		}
		if (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) && attempt < d.maxAttempts {
			time.Sleep(d.backoff * time.Duration(attempt))
			continue
		}
		break
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	res.Millis = time.Since(start).Milliseconds()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		res.Error = fmt.Sprintf("endpoint answered %s: %s", resp.Status, bytes.TrimSpace(msg))
		return res
	}
	var ack struct {
		Receipt string `json:"receipt"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&ack); err == nil {
		res.Receipt = ack.Receipt
	}
	return res
}
