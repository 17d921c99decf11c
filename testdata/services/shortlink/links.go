package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const alphabet = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

type link struct {
	Code    string    `json:"code"`
	Target  string    `json:"target"`
	Owner   string    `json:"owner,omitempty"`
	Created time.Time `json:"created"`
	clicks  int64
}

type shortener struct {
	base  string
	seq   uint64
	mu    sync.RWMutex
	links map[string]*link
}

func newShortener(base string) *shortener {
	return &shortener{base: base, seq: 1000, links: make(map[string]*link)}
}

func encodeID(n uint64) string {
	var b [12]byte
	i := len(b)
	for {
		i--
		b[i] = alphabet[n%uint64(len(alphabet))]
		n /= uint64(len(alphabet))
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

func (s *shortener) preload(n int) {
	for i := 0; i < n; i++ {
		s.add("https://docs.example.com/articles/"+strconv.Itoa(i), "import")
	}
}

var errBadURL = errors.New("target must be an absolute http(s) URL")

func (s *shortener) add(target, owner string) (*link, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errBadURL
	}
	id := atomic.AddUint64(&s.seq, 1)
	l := &link{Code: encodeID(id), Target: u.String(), Owner: owner, Created: time.Now().UTC()}
	s.mu.Lock()
	s.links[l.Code] = l
	s.mu.Unlock()
	return l, nil
}

func (s *shortener) get(code string) (*link, bool) {
	s.mu.RLock()
	l, ok := s.links[code]
	s.mu.RUnlock()
	return l, ok
}

func (s *shortener) createLink(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var in struct {
		URL   string `json:"url"`
		Owner string `json:"owner"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&in); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	l, err := s.add(in.URL, in.Owner)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	linksCreated.Add(1)
	writeJSON(w, http.StatusCreated, map[string]string{"code": l.Code, "short_url": s.base + l.Code, "target": l.Target})
}

func (s *shortener) redirect(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimPrefix(r.URL.Path, "/r/")
	l, ok := s.get(code)
	if !ok {
		notFound.Add(1)
		http.NotFound(w, r)
		return
	}
	atomic.AddInt64(&l.clicks, 1)
	redirects.Add(1)
	http.Redirect(w, r, l.Target, http.StatusFound)
}

func (s *shortener) resolve(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	l, ok := s.get(code)
	if !ok {
		notFound.Add(1)
		http.Error(w, "unknown code", http.StatusNotFound)
		return
	}
	atomic.AddInt64(&l.clicks, 1)
	resolved.Add(1)
	writeJSON(w, http.StatusOK, map[string]string{"code": l.Code, "target": l.Target})
}

func (s *shortener) linkStats(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	l, ok := s.get(code)
	if !ok {
		http.Error(w, "unknown code", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"code": l.Code, "target": l.Target, "created": l.Created, "clicks": atomic.LoadInt64(&l.clicks),
	})
}

func (s *shortener) topLinks(w http.ResponseWriter, r *http.Request) {
	type row struct {
		Code   string `json:"code"`
		Clicks int64  `json:"clicks"`
	}
	s.mu.RLock()
	rows := make([]row, 0, len(s.links))
	for _, l := range s.links {
		if c := atomic.LoadInt64(&l.clicks); c > 0 {
			rows = append(rows, row{l.Code, c})
		}
	}
	s.mu.RUnlock()
	sort.Slice(rows, func(i, j int) bool { return rows[i].Clicks > rows[j].Clicks })
	if len(rows) > 10 {
		rows = rows[:10]
	}
	writeJSON(w, http.StatusOK, rows)
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
