package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"time"
)

type item struct {
	Feed      string    `json:"feed"`
	Seq       int64     `json:"seq"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Published time.Time `json:"published"`
}

type publisher struct {
	Name   string        `json:"name"`
	Period time.Duration `json:"-"`
	Topic  string        `json:"topic"`
	epoch  time.Time
}

var topics = []string{"world", "tech", "sport", "science", "markets", "culture"}

// publisherSet simulates the upstream publishers: each publishes a new item
// every Period, so the latest items of a feed are a pure function of time.
type publisherSet struct {
	byName map[string]*publisher
	names  []string
}

func newPublisherSet(n int) *publisherSet {
	ps := &publisherSet{byName: make(map[string]*publisher, n)}
	epoch := time.Now().Add(-time.Hour)
	for i := 0; i < n; i++ {
		name := "news-" + strconv.Itoa(i)
		h := fnv.New32a()
		h.Write([]byte(name))
		p := &publisher{
			Name:   name,
			Topic:  topics[int(h.Sum32())%len(topics)],
			Period: time.Duration(2+h.Sum32()%28) * time.Second,
			epoch:  epoch,
		}
		ps.byName[name] = p
		ps.names = append(ps.names, name)
	}
	return ps
}

// discover fetches the publisher's feed document, as the aggregator does once
// before it starts polling a feed for a new subscriber.
func (p *publisher) discover() error {
	time.Sleep(60*time.Millisecond + time.Duration(p.Period.Seconds())*time.Millisecond)
	return nil
}

func (ps *publisherSet) lookup(name string) (*publisher, bool) {
	p, ok := ps.byName[name]
	return p, ok
}

// latest returns up to n items newer than after, newest first.
func (p *publisher) latest(now time.Time, after int64, n int) []item {
	head := int64(now.Sub(p.epoch) / p.Period)
	var out []item
	for seq := head; seq > after && len(out) < n; seq-- {
		out = append(out, item{
			Feed:      p.Name,
			Seq:       seq,
			Title:     fmt.Sprintf("%s update #%d", p.Topic, seq),
			URL:       fmt.Sprintf("https://%s.example.net/a/%d", p.Name, seq),
			Published: p.epoch.Add(time.Duration(seq) * p.Period),
		})
	}
	return out
}

func (ps *publisherSet) handleFeeds(w http.ResponseWriter, r *http.Request) {
	topic := r.URL.Query().Get("topic")
	out := make([]*publisher, 0, 64)
	for _, name := range ps.names {
		p := ps.byName[name]
		if topic == "" || p.Topic == topic {
			out = append(out, p)
		}
		if len(out) == 64 {
			break
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (ps *publisherSet) handleItems(w http.ResponseWriter, r *http.Request) {
	p, ok := ps.lookup(r.URL.Query().Get("feed"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown feed"})
		return
	}
	writeJSON(w, http.StatusOK, p.latest(time.Now(), 0, 20))
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
