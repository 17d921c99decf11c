package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
)

type observation struct {
	Station   string    `json:"station"`
	Name      string    `json:"name"`
	Lat       float64   `json:"lat"`
	Lon       float64   `json:"lon"`
	TempC     float64   `json:"tempC"`
	Pressure  float64   `json:"pressureHpa"`
	WindMs    float64   `json:"windMs"`
	Humidity  float64   `json:"humidity"`
	Observed  time.Time `json:"observed"`
	TrendTemp float64   `json:"trendTempCPerH"`
}

type feedClient struct {
	base string
	tr   *http.Transport
	http *http.Client
}

func newFeedClient(base string) *feedClient {
	tr := &http.Transport{
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 3 * time.Second,
	}
	return &feedClient{base: base, tr: tr, http: &http.Client{Transport: tr, Timeout: 5 * time.Second}}
}

func (f *feedClient) close() { f.tr.CloseIdleConnections() }

// get fetches one feed document and decodes it into out; the body is always
// drained and closed so the connection goes back to the pool.
func (f *feedClient) get(ctx context.Context, path string, out interface{}) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := f.http.Do(req)
	if err != nil {
		return err
	}
	defer func() {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("feed %s: %s", path, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(out)
}

// startFeedReplay serves a replay of the national observation feed on
// loopback, for staging and local runs.
func startFeedReplay() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	station := func(i int, t time.Time) observation {
		h := crc32.ChecksumIEEE([]byte(strconv.Itoa(i)))
		phase := float64(t.Unix()%86400) / 86400 * 2 * math.Pi
		return observation{
			Station:   fmt.Sprintf("ST%03d", i),
			Name:      fmt.Sprintf("Station %d", i),
			Lat:       48 + float64(h%900)/100,
			Lon:       -10 + float64(h%1500)/100,
			TempC:     9 + float64(h%80)/10 + 4*math.Sin(phase),
			Pressure:  1000 + float64(h%300)/10,
			WindMs:    float64(h%150) / 10,
			Humidity:  50 + float64(h%45),
			Observed:  t.Truncate(time.Minute),
			TrendTemp: float64(int(h%21)-10) / 20,
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v2/observations", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(4 * time.Millisecond)
		now := time.Now().UTC()
		out := make([]observation, 0, 200)
		for i := 1; i <= 200; i++ {
			out = append(out, station(i, now))
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]interface{}{"region": r.URL.Query().Get("region"), "observations": out})
	})
	mux.HandleFunc("/v2/history", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(6 * time.Millisecond)
		id, _ := strconv.Atoi(r.URL.Query().Get("station")[2:])
		now := time.Now().UTC()
		out := make([]observation, 0, 24)
		for h := 0; h < 24; h++ {
			out = append(out, station(id, now.Add(-time.Duration(h)*time.Hour)))
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]interface{}{"observations": out})
	})
	go func() {
		if err := http.Serve(ln, mux); err != nil {
			log.Printf("feed replay: %v", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}
