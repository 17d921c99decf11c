// appendkeep: one HTTP service whose memory is kept by a slice that only grows, for the
// heap-growth rule on a single heap moment (src/diagnose/rules/heap-retained.ts, "kept by
// an appender"). Every request is one event: ingest decodes it (decode allocates its
// ~1 KB payload and labels) and hands it to eventLog.add, which appends it by value to
// the log's slice. What happens then depends on -mode:
//
//	leak  add trims only when len == limit, and events come in batches of 3: the length
//	      steps over the limit and the trim never runs (the fault; the fix is in add).
//	trim  add trims when len >= limit, keeping the newest half: the log is bounded (healthy).
//
// It drives its own load (-clients goroutines posting batches) and serves /debug/pprof/
// for curl-like fetches and /debug/vars ("events": events stored). Prints
// "listening on http://ADDR" first.
package main

import (
	"bytes"
	"encoding/binary"
	"expvar"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"strconv"
	"sync"
	"time"
)

const payloadBytes = 1024

// stored counts events added (/debug/vars "events"): a test waits on it, it is not part of a capture.
var stored = expvar.NewInt("events")

// event is kept by value in the log: its fixed fields live in the log's backing array,
// its payload and labels where decode allocated them.
type event struct {
	seq     int64
	source  string
	kind    string
	at      time.Time
	values  [12]float64
	labels  map[string]string
	payload []byte
}

type eventLog struct {
	mu    sync.Mutex
	limit int
	fixed bool // trim with >= (trim mode) rather than == (leak mode)
	items []event
}

// add appends a batch; when the log reaches its limit the older half is dropped.
//
//go:noinline
func (l *eventLog) add(batch []event) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, batch...)
	if len(l.items) == l.limit || (l.fixed && len(l.items) >= l.limit) {
		l.items = append([]event(nil), l.items[len(l.items)-l.limit/2:]...)
	}
	return len(l.items)
}

// decode reads one event of a batch: its payload and labels are allocated here.
//
//go:noinline
func decode(rec []byte) event {
	seq := int64(binary.LittleEndian.Uint64(rec))
	e := event{seq: seq, source: "src-" + strconv.FormatInt(seq%97, 10), kind: "reading", at: time.Now()}
	for i := range e.values {
		e.values[i] = float64(seq) * float64(i)
	}
	e.labels = map[string]string{"seq": strconv.FormatInt(seq, 10), "zone": "z" + strconv.FormatInt(seq%7, 10)}
	e.payload = make([]byte, len(rec))
	copy(e.payload, rec)
	return e
}

// ingest is the request handler: a body of 3 records of payloadBytes each.
func ingest(store *eventLog) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil || len(body) == 0 || len(body)%payloadBytes != 0 {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		batch := make([]event, 0, len(body)/payloadBytes)
		for off := 0; off < len(body); off += payloadBytes {
			batch = append(batch, decode(body[off:off+payloadBytes]))
		}
		n := store.add(batch)
		stored.Add(int64(len(batch)))
		fmt.Fprintf(w, "%d\n", n)
	}
}

func main() {
	mode := flag.String("mode", "leak", "leak | trim")
	limit := flag.Int("limit", 2000, "the log's limit (events)")
	clients := flag.Int("clients", 4, "load goroutines")
	pause := flag.Duration("pause", 200*time.Microsecond, "pause between one client's requests")
	flag.Parse()
	if *mode != "leak" && *mode != "trim" {
		log.Fatalf("unknown -mode %q", *mode)
	}
	store := &eventLog{limit: *limit, fixed: *mode == "trim"}
	http.HandleFunc("/ingest", ingest(store))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	fmt.Printf("listening on %s\n", url)
	go func() { log.Fatal(http.Serve(ln, nil)) }()

	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *clients}}
	var seq sync.Mutex
	next := int64(0)
	for c := 0; c < *clients; c++ {
		go func() {
			body := make([]byte, 3*payloadBytes)
			for {
				seq.Lock()
				for i := 0; i < 3; i++ {
					next++
					binary.LittleEndian.PutUint64(body[i*payloadBytes:], uint64(next))
				}
				seq.Unlock()
				if resp, err := client.Post(url+"/ingest", "application/octet-stream", bytes.NewReader(body)); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				time.Sleep(*pause)
			}
		}()
	}
	select {}
}
