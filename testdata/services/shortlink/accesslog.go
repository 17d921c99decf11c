package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type accessLog struct {
	mu   sync.Mutex
	f    *os.File
	tmp  bool
	host string
	one  [1]byte
}

func openAccessLog(path string) (*accessLog, error) {
	var (
		f   *os.File
		err error
	)
	tmp := path == ""
	if tmp {
		f, err = os.CreateTemp("", "shortlink-access-*.log")
	} else {
		f, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	}
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	return &accessLog{f: f, tmp: tmp, host: host}, nil
}

func (l *accessLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.f.Close()
	if l.tmp {
		os.Remove(l.f.Name())
	}
	return err
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (l *accessLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		l.record(r, rec.status, rec.bytes, time.Since(start))
	})
}

// record appends one line in the space-separated format the log shipper
// parses: host ts client method uri proto status bytes dur_us, then every
// request header as name=value in sorted order. Bytes that would break the
// format (space, quote, backslash, control and non-ASCII bytes) are written
// as \xNN.
func (l *accessLog) record(r *http.Request, status, size int, d time.Duration) {
	client, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		client = r.RemoteAddr
	}
	fields := []string{
		l.host,
		time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		client,
		r.Method,
		r.URL.RequestURI(),
		r.Proto,
		strconv.Itoa(status),
		strconv.Itoa(size),
		strconv.FormatInt(d.Microseconds(), 10),
	}
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fields = append(fields, strings.ToLower(k)+"="+strings.Join(r.Header[k], ","))
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	for i, v := range fields {
		if i > 0 {
			l.f.Write(space)
		}
		if v == "" {
			l.f.Write(dash)
			continue
		}
		for j := 0; j < len(v); j++ {
			c := v[j]
			if c <= ' ' || c == '"' || c == '\\' || c >= 0x7f {
				fmt.Fprintf(l.f, "\\x%02x", c)
				continue
			}
			l.one[0] = c
			l.f.Write(l.one[:])
		}
	}
	l.f.Write(newline)
}

var (
	space   = []byte{' '}
	dash    = []byte{'-'}
	newline = []byte{'\n'}
)

func headerOrDash(r *http.Request, name string) string {
	if v := r.Header.Get(name); v != "" {
		return v
	}
	return "-"
}
