package main

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

const bufferSize = 25

type subscription struct {
	ID      string    `json:"id"`
	User    string    `json:"user"`
	Feed    string    `json:"feed"`
	Created time.Time `json:"created"`

	mu      sync.Mutex
	lastSeq int64
	items   []item
	paused  bool
}

type aggregator struct {
	pubs     *publisherSet
	interval time.Duration

	mu     sync.RWMutex
	seq    int64
	subs   map[string]*subscription
	byUser map[string][]*subscription
}

func newAggregator(p *publisherSet, interval time.Duration) *aggregator {
	return &aggregator{
		pubs:     p,
		interval: interval,
		subs:     make(map[string]*subscription),
		byUser:   make(map[string][]*subscription),
	}
}

func (a *aggregator) subscribe(user, feed string) (*subscription, bool) {
	pub, ok := a.pubs.lookup(feed)
	if !ok {
		return nil, false
	}
	if err := pub.discover(); err != nil {
		return nil, false
	}
	a.mu.Lock()
	for _, s := range a.byUser[user] {
		if s.Feed == feed {
			a.mu.Unlock()
			return s, true
		}
	}
	a.seq++
	s := &subscription{ID: "sub_" + strconv.FormatInt(a.seq, 10), User: user, Feed: feed, Created: time.Now().UTC()}
	a.subs[s.ID] = s
	a.byUser[user] = append(a.byUser[user], s)
	a.mu.Unlock()

	a.refresh(s, pub)
	go a.poll(s, pub)
	statSubscriptions.Add(1)
	return s, true
}

func (a *aggregator) poll(s *subscription, pub *publisher) {
	every := a.interval
	if pub.Period > every {
		every = pub.Period / 2
	}
	t := time.NewTicker(every)
	for range t.C {
		a.refresh(s, pub)
	}
}

func (a *aggregator) refresh(s *subscription, pub *publisher) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paused {
		return
	}
	fresh := pub.latest(time.Now(), s.lastSeq, bufferSize)
	statRefreshes.Add(1)
	if len(fresh) == 0 {
		return
	}
	s.lastSeq = fresh[0].Seq
	s.items = append(fresh, s.items...)
	if len(s.items) > bufferSize {
		s.items = s.items[:bufferSize]
	}
	statItemsMerged.Add(int64(len(fresh)))
}

func (a *aggregator) unsubscribe(id string) bool {
	a.mu.Lock()
	s, ok := a.subs[id]
	if ok {
		delete(a.subs, id)
		list := a.byUser[s.User]
		for i, x := range list {
			if x == s {
				a.byUser[s.User] = append(list[:i], list[i+1:]...)
				break
			}
		}
	}
	a.mu.Unlock()
	if ok {
		s.mu.Lock()
		s.paused = true
		s.items = nil
		s.mu.Unlock()
		statSubscriptions.Add(-1)
	}
	return ok
}

func (a *aggregator) timeline(user string, limit int) []item {
	a.mu.RLock()
	subs := append([]*subscription(nil), a.byUser[user]...)
	a.mu.RUnlock()
	var all []item
	for _, s := range subs {
		s.mu.Lock()
		all = append(all, s.items...)
		s.mu.Unlock()
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Published.After(all[j].Published) })
	if len(all) > limit {
		all = all[:limit]
	}
	return all
}

func (a *aggregator) handleSubscribe(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var in struct {
		User string `json:"user"`
		Feed string `json:"feed"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.User == "" || in.Feed == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "user and feed are required"})
		return
	}
	s, ok := a.subscribe(in.User, in.Feed)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown feed"})
		return
	}
	writeJSON(w, http.StatusCreated, s)
}

func (a *aggregator) handleSubscription(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/v1/subscriptions/")
	switch r.Method {
	case http.MethodGet:
		a.mu.RLock()
		s, ok := a.subs[id]
		a.mu.RUnlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such subscription"})
			return
		}
		s.mu.Lock()
		items := append([]item(nil), s.items...)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]interface{}{"subscription": s, "items": items})
	case http.MethodDelete:
		if !a.unsubscribe(id) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such subscription"})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "GET or DELETE"})
	}
}

func (a *aggregator) handleTimeline(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	if user == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "user required"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"user": user, "items": a.timeline(user, 50)})
}
