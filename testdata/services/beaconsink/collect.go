package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// event is one line of the SDK's beacon format v2: tab-separated key=value
// pairs, e.g. "t=pv\tsid=ab12\tp=/pricing\tref=google\tms=182".
type event struct {
	Site    string
	Kind    string // pv (page view), ck (click), tm (timing), er (js error)
	Session string
	Path    string
	Ref     string
	Millis  int
}

type site struct {
	ID      string `json:"id"`
	Domain  string `json:"domain"`
	Sampled bool   `json:"sampled"`
}

type collector struct {
	batcher *batcher
	mu      sync.RWMutex
	sites   map[string]site
}

func defaultSites() map[string]site {
	return map[string]site{
		"s-shop":   {ID: "s-shop", Domain: "shop.example.com"},
		"s-docs":   {ID: "s-docs", Domain: "docs.example.com"},
		"s-blog":   {ID: "s-blog", Domain: "blog.example.com", Sampled: true},
		"s-status": {ID: "s-status", Domain: "status.example.com"},
	}
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (c *collector) handleCollect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	siteID := r.URL.Query().Get("site")
	c.mu.RLock()
	s, ok := c.sites[siteID]
	c.mu.RUnlock()
	if !ok {
		http.Error(w, "unknown site", http.StatusNotFound)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	body := string(raw)
	accepted, rejected := 0, 0
	for len(body) > 0 {
		line := body
		if i := strings.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = ""
		}
		if line == "" {
			continue
		}
		ev, ok := parseBeacon(line)
		if !ok {
			rejected++
			continue
		}
		if s.Sampled && ev.Kind == "tm" && len(ev.Session) > 0 && ev.Session[0]&1 == 1 {
			continue // timing beacons of sampled sites: keep half the sessions
		}
		ev.Site = s.ID
		c.batcher.add(ev)
		accepted++
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	w.Write([]byte(`{"accepted":` + strconv.Itoa(accepted) + `,"rejected":` + strconv.Itoa(rejected) + "}\n"))
}

// parseBeacon reads one beacon line without copying: the strings point into
// the request body.
func parseBeacon(line string) (event, bool) {
	var ev event
	for len(line) > 0 {
		field := line
		if i := strings.IndexByte(line, '\t'); i >= 0 {
			field, line = line[:i], line[i+1:]
		} else {
			line = ""
		}
		eq := strings.IndexByte(field, '=')
		if eq <= 0 {
			return ev, false
		}
		k, v := field[:eq], field[eq+1:]
		switch k {
		case "t":
			ev.Kind = v
		case "sid":
			ev.Session = v
		case "p":
			ev.Path = v
		case "ref":
			ev.Ref = v
		case "ms":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return ev, false
			}
			ev.Millis = n
		}
	}
	switch ev.Kind {
	case "pv", "ck", "tm", "er":
	default:
		return ev, false
	}
	return ev, ev.Session != "" && strings.HasPrefix(ev.Path, "/")
}

func (c *collector) handleSites(w http.ResponseWriter, r *http.Request) {
	c.mu.RLock()
	out := make([]site, 0, len(c.sites))
	for _, s := range c.sites {
		out = append(out, s)
	}
	c.mu.RUnlock()
	writeJSON(w, http.StatusOK, out)
}
