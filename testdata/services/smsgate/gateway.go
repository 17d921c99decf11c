package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

type gateway struct {
	dedup    *dedupWindow
	routes   []route
	outbound *carrierQueues
	partners map[string]string // API key -> partner
}

type submitResult struct {
	Accepted   int      `json:"accepted"`
	Duplicates int      `json:"duplicates"`
	Rejected   []string `json:"rejected,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// submit takes a batch in the partners' line format, one message per line:
//
//	<client message id>|<E.164 recipient>|<sender id>|<text>
func (g *gateway) submit(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	partner, ok := g.partners[r.Header.Get("X-Api-Key")]
	if !ok {
		http.Error(w, "unknown API key", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	var res submitResult
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			continue
		}
		f := bytes.SplitN(line, []byte{'|'}, 4)
		if len(f) != 4 || len(f[0]) == 0 || len(f[3]) == 0 {
			res.Rejected = append(res.Rejected, "malformed line")
			continue
		}
		to := string(f[1])
		rt, ok := g.routeFor(to)
		if !ok {
			res.Rejected = append(res.Rejected, string(f[0])+": no route for "+to)
			continue
		}
		if !g.dedup.remember(partner+"/"+string(f[0]), line) {
			res.Duplicates++
			continue
		}
		g.outbound.enqueue(rt.Carrier, outboundSMS{Partner: partner, ID: string(f[0]), To: to, From: string(f[2]), Parts: segments(f[3])})
		res.Accepted++
	}
	writeJSON(w, http.StatusAccepted, res)
}

// segments is the number of SMS parts a text needs (GSM-7: 160 chars, or 153 per part when split).
func segments(text []byte) int {
	n := len(bytes.Runes(text))
	if n <= 160 {
		return 1
	}
	return (n + 152) / 153
}

func (g *gateway) status(w http.ResponseWriter, r *http.Request) {
	partner, ok := g.partners[r.Header.Get("X-Api-Key")]
	if !ok {
		http.Error(w, "unknown API key", http.StatusUnauthorized)
		return
	}
	id := r.URL.Query().Get("id")
	raw, at, ok := g.dedup.lookup(partner + "/" + id)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"id": id, "status": "unknown"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id, "status": "accepted", "at": at.Format("2006-01-02T15:04:05Z07:00"), "original": string(raw)})
}

type route struct {
	Prefix  string `json:"prefix"`
	Carrier string `json:"carrier"`
}

func defaultRoutes() []route {
	return []route{
		{"+4477", "vodafone-uk"}, {"+447", "bt-ee"}, {"+4915", "telekom-de"}, {"+491", "o2-de"},
		{"+336", "orange-fr"}, {"+337", "sfr-fr"}, {"+3461", "movistar-es"}, {"+316", "kpn-nl"}, {"+1", "twilio-us"},
	}
}

// routeFor picks the carrier with the longest matching number prefix.
func (g *gateway) routeFor(to string) (route, bool) {
	best, ok := route{}, false
	for _, rt := range g.routes {
		if strings.HasPrefix(to, rt.Prefix) && len(rt.Prefix) > len(best.Prefix) {
			best, ok = rt, true
		}
	}
	return best, ok
}

func (g *gateway) listRoutes(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, g.routes) }

func (g *gateway) queues(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, g.outbound.depths())
}
